// A scripted HTTP server on a free loopback port for the registry client's unit tests: every
// request is recorded and answered by `handler`. One request per connection (the client opens a
// connection per request), served on a background thread until destruction.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::test {

struct fake_request {
    std::string method, target, authorization, proxy_authorization, body, host;
};

struct fake_response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

class fake_server {
public:
    using handler_fn = std::function<fake_response(const fake_request&)>;
    explicit fake_server(handler_fn handler)
        : handler_(std::move(handler)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0})
    {
        thread_ = std::thread([this] { serve(); });
    }
    ~fake_server()
    {
        stopping_ = true;
        boost::system::error_code ec;
        // Wake the blocking accept with a connection of our own, then join.
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket s(io);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
        thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
    std::vector<fake_request> requests() const
    {
        std::lock_guard lock(mu_);
        return requests_;
    }

private:
    void serve()
    {
        namespace http = boost::beast::http;
        while (!stopping_) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket sock(io_);
            acceptor_.accept(sock, ec);
            if (ec || stopping_) continue;
            boost::beast::flat_buffer buf;
            http::request<http::string_body> req;
            http::read(sock, buf, req, ec);
            if (ec) continue;
            fake_request fr{std::string(req.method_string()), std::string(req.target()),
                            std::string(req[http::field::authorization]),
                            std::string(req[http::field::proxy_authorization]), req.body(),
                            std::string(req[http::field::host])};
            {
                std::lock_guard lock(mu_);
                requests_.push_back(fr);
            }
            fake_response r = handler_(fr);
            http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
            for (const auto& [k, v] : r.headers) res.set(k, v);
            res.body() = r.body;
            res.prepare_payload();
            if (fr.method == "HEAD") {
                http::response_serializer<http::string_body> sr(res);
                http::write_header(sock, sr, ec);
            } else {
                http::write(sock, res, ec);
            }
            sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        }
    }

    handler_fn handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mu_;
    std::vector<fake_request> requests_;
};

} // namespace weir::test
