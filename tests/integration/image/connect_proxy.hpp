// A minimal HTTP CONNECT proxy on a free loopback port for tests: checks Proxy-Authorization when
// credentials are set, opens the tunnel and copies bytes both ways. Threads are joined on
// destruction.
#pragma once

#include <weir/core/encoding.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::test {

class connect_proxy {
public:
    explicit connect_proxy(std::string username = {}, std::string password = {})
        : username_(std::move(username)), password_(std::move(password)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0})
    {
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~connect_proxy()
    {
        stopping_ = true;
        boost::system::error_code ec;
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket wake(io);
        wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
        accept_thread_.join();
        std::lock_guard lock(mu_);
        for (auto& t : workers_) t.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    int tunnels() const { return tunnels_; }
    int refused() const { return refused_; }

private:
    using socket = boost::asio::ip::tcp::socket;

    void accept_loop()
    {
        while (!stopping_) {
            auto client = std::make_shared<socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*client, ec);
            if (ec || stopping_) continue;
            std::lock_guard lock(mu_);
            workers_.emplace_back([this, client] { serve(client); });
        }
    }

    void serve(std::shared_ptr<socket> client)
    {
        namespace http = boost::beast::http;
        boost::system::error_code ec;
        boost::beast::flat_buffer buf;
        http::request_parser<http::empty_body> parser;
        http::read_header(*client, buf, parser, ec);
        if (ec) return;
        auto& req = parser.get();
        std::string expected = username_.empty() ? "" : "Basic " + base64_encode(username_ + ":" + password_);
        if (req.method() != http::verb::connect || std::string(req[http::field::proxy_authorization]) != expected) {
            ++refused_;
            boost::asio::write(*client, boost::asio::buffer(std::string("HTTP/1.1 407 Proxy Authentication Required\r\n"
                                                                        "Proxy-Authenticate: Basic realm=\"proxy\"\r\nConnection: close\r\n"
                                                                        "Content-Length: 0\r\n\r\n")),
                               ec);
            return;
        }
        std::string target(req.target());
        auto colon = target.rfind(':');
        auto upstream = std::make_shared<socket>(io_);
        upstream->connect({boost::asio::ip::make_address(target.substr(0, colon)),
                           static_cast<unsigned short>(std::stoi(target.substr(colon + 1)))},
                          ec);
        if (ec) return;
        ++tunnels_;
        boost::asio::write(*client, boost::asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")), ec);
        std::thread back([client, upstream] { pump(*upstream, *client); });
        pump(*client, *upstream);
        back.join();
    }

    static void pump(socket& from, socket& to)
    {
        char data[16384];
        boost::system::error_code ec;
        while (true) {
            std::size_t n = from.read_some(boost::asio::buffer(data), ec);
            if (ec) break;
            boost::asio::write(to, boost::asio::buffer(data, n), ec);
            if (ec) break;
        }
        to.shutdown(socket::shutdown_send, ec);
    }

    std::string username_, password_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread accept_thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> tunnels_{0}, refused_{0};
    std::mutex mu_;
    std::vector<std::thread> workers_;
};

} // namespace weir::test
