// A deliberately misbehaving HTTP client for the security tests: it sends exactly the bytes it is
// given (huge declared bodies, headers a byte at a time) over plain TCP or TLS, and tells whether
// the server has closed the connection.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <poll.h>
#include <string>
#include <thread>

namespace weir::test::security {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class raw_client {
public:
    raw_client(unsigned short port, bool tls) : tls_(tls)
    {
        ctx_.set_verify_mode(net::ssl::verify_none); // the tests attack the server, not its identity
        stream_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        if (tls_) stream_.handshake(net::ssl::stream_base::client);
    }

    // Sends all of `bytes`; false once the server has gone away.
    bool send(std::string_view bytes)
    {
        boost::system::error_code ec;
        if (tls_)
            net::write(stream_, net::buffer(bytes), ec);
        else
            net::write(stream_.next_layer(), net::buffer(bytes), ec);
        return !ec;
    }

    // Everything the server sends until it closes the connection or `limit` passes.
    std::string read_until_closed(std::chrono::milliseconds limit = std::chrono::seconds(20))
    {
        std::string out;
        auto end = std::chrono::steady_clock::now() + limit;
        char buf[16384];
        while (std::chrono::steady_clock::now() < end) {
            if (!readable(100)) continue;
            boost::system::error_code ec;
            std::size_t n = tls_ ? stream_.read_some(net::buffer(buf), ec)
                                 : stream_.next_layer().read_some(net::buffer(buf), ec);
            out.append(buf, n);
            if (ec) {
                closed_ = true;
                break;
            }
        }
        return out;
    }

    // Whether the server has closed its side (FIN or reset) within `wait`.
    bool closed_by_peer(std::chrono::milliseconds wait)
    {
        if (closed_) return true;
        pollfd p{fd(), POLLRDHUP, 0};
        int r = ::poll(&p, 1, static_cast<int>(wait.count()));
        closed_ = r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
        return closed_;
    }
    bool closed() const { return closed_; }

    // Sends `request` one byte every `interval` (slowloris) until the server closes the connection;
    // returns how many bytes it took, or -1 if the server was still waiting after all of them.
    int dribble(const std::string& request, std::chrono::milliseconds interval)
    {
        for (std::size_t i = 0; i < request.size(); ++i) {
            if (!send(request.substr(i, 1)) || closed_by_peer(interval)) return static_cast<int>(i + 1);
        }
        return -1;
    }

private:
    int fd() { return stream_.next_layer().native_handle(); }
    bool readable(int ms)
    {
        if (tls_ && SSL_pending(stream_.native_handle()) > 0) return true;
        pollfd p{fd(), POLLIN, 0};
        return ::poll(&p, 1, ms) > 0;
    }

    bool tls_;
    bool closed_ = false;
    net::io_context io_;
    net::ssl::context ctx_{net::ssl::context::tls_client};
    net::ssl::stream<tcp::socket> stream_{io_, ctx_};
};

// A request whose headers never end: padding that a slowloris client sends a byte at a time.
inline std::string endless_headers(const std::string& target = "/")
{
    return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(4000, 'a');
}

} // namespace weir::test::security
