// A scripted plain-HTTP server on 127.0.0.1 for transport tests: each request goes to a handler
// that returns a reply (or a streamed, chunked reply for watches). Counts TCP connections so
// tests can see keep-alive reuse. Runs on a thread of its own; stopped by the destructor.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::test {

struct fake_reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::string> chunks; // non-empty: a chunked stream, then the connection closes
    bool close = false;
};

struct fake_request {
    std::string method, target, body, content_type, authorization;
};

class fake_http_server {
public:
    using handler = std::function<fake_reply(const fake_request&)>;
    explicit fake_http_server(handler h) : handler_(std::move(h)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0})
    {
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~fake_http_server()
    {
        stopping_ = true;
        boost::system::error_code ec;
        // Wake accept() with a connection of our own.
        boost::asio::ip::tcp::socket s(io_);
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
        for (auto& t : sessions_) t.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    int connections() const { return connections_; }
    std::vector<fake_request> requests() const
    {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void accept_loop()
    {
        namespace http = boost::beast::http;
        while (!stopping_) {
            boost::asio::ip::tcp::socket sock(io_);
            boost::system::error_code ec;
            acceptor_.accept(sock, ec);
            if (ec || stopping_) break;
            ++connections_;
            sessions_.emplace_back([this, sock = std::move(sock)]() mutable {
                boost::beast::flat_buffer buf;
                for (;;) {
                    http::request<http::string_body> req;
                    boost::system::error_code rec;
                    http::read(sock, buf, req, rec);
                    if (rec) return;
                    fake_request fr{std::string(req.method_string()), std::string(req.target()), req.body(),
                                    std::string(req[http::field::content_type]), std::string(req[http::field::authorization])};
                    {
                        std::lock_guard lock(mutex_);
                        requests_.push_back(fr);
                    }
                    fake_reply rep = handler_(fr);
                    if (!rep.chunks.empty()) {
                        http::response<http::empty_body> res{static_cast<http::status>(rep.status), 11};
                        res.set(http::field::content_type, "application/json");
                        res.chunked(true);
                        http::response_serializer<http::empty_body> sr{res};
                        http::write_header(sock, sr, rec);
                        for (auto& c : rep.chunks) boost::asio::write(sock, http::make_chunk(boost::asio::buffer(c)), rec);
                        boost::asio::write(sock, http::make_chunk_last(), rec);
                        sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, rec);
                        return;
                    }
                    http::response<http::string_body> res{static_cast<http::status>(rep.status), 11};
                    res.set(http::field::content_type, "application/json");
                    for (auto& [k, v] : rep.headers) res.set(k, v);
                    res.body() = rep.body;
                    res.keep_alive(!rep.close);
                    res.prepare_payload();
                    http::write(sock, res, rec);
                    if (rep.close || rec) {
                        sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, rec);
                        return;
                    }
                }
            });
        }
    }

    handler handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::vector<std::thread> sessions_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<fake_request> requests_;
};

} // namespace weir::test
