#include "http_server.hpp"

#include <weir/core/log.hpp>
#include <weir/core/ops_server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <fcntl.h>
#include <list>
#include <mutex>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

namespace weir::notification {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string server_request::header(std::string_view lower_name) const
{
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? std::string() : it->second;
}

struct http_server::impl {
    http_server_options options;
    request_handler handler;
    asio::io_context io;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::thread accept_thread, watchdog_thread;
    std::condition_variable watchdog_cv;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    struct conn {
        std::shared_ptr<tcp::socket> socket;
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
        std::shared_ptr<std::atomic<std::int64_t>> deadline; // steady ms; 0 while none applies
    };
    std::list<conn> conns;
    logger log{"http-server"};

    void accept_loop();
    void serve(const std::shared_ptr<tcp::socket>& socket, std::atomic<std::int64_t>& deadline);
    void watchdog();
    bool is_http2(tcp::socket& socket);
    void reap();
};

bool http_server::impl::is_http2(tcp::socket& socket)
{
    if (!options.http2_handoff) return false;
    // Wait (briefly) for the first bytes without consuming them.
    timeval tv{10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[3];
    ssize_t n = ::recv(socket.native_handle(), buf, sizeof buf, MSG_PEEK | MSG_WAITALL);
    timeval none{0, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    return n == 3 && std::string_view(buf, 3) == "PRI";
}

std::int64_t steady_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void http_server::impl::serve(const std::shared_ptr<tcp::socket>& socket, std::atomic<std::int64_t>& deadline)
{
    if (is_http2(*socket)) {
        beast::error_code ec;
        int fd = socket->release(ec);
        if (ec) return;
        // gRPC's event engine polls the socket and needs it non-blocking; a blocking socket
        // stalls its reads (seen as streams that stop mid-way under load).
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        options.http2_handoff(fd);
        return;
    }
    beast::flat_buffer buf;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(256 * 1024);
        beast::error_code ec;
        deadline = steady_ms() + options.io_timeout.count();
        http::read(*socket, buf, parser, ec);
        deadline = 0; // the handler's own calls have their own timeouts
        http::response<http::string_body> res;
        res.version(11);
        if (ec == http::error::body_limit) {
            res.result(413);
            res.body() = "request body too large\n";
            res.keep_alive(false);
        } else if (ec) {
            return; // closed, timed out or garbage: nothing to answer
        } else {
            auto& req = parser.get();
            server_request sr{
                std::string(req.method_string()), std::string(req.target()), {}, std::move(req.body())};
            for (const auto& f : req) {
                std::string name(f.name_string());
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                sr.headers[name] = std::string(f.value());
            }
            server_response out;
            try {
                out = handler(sr);
            } catch (const std::exception& e) {
                out = {500, std::string("internal error: ") + e.what() + "\n"};
            }
            res.result(out.status);
            res.set(http::field::content_type, out.content_type);
            res.body() = std::move(out.body);
            res.keep_alive(req.keep_alive());
        }
        res.prepare_payload();
        deadline = steady_ms() + options.io_timeout.count();
        http::write(*socket, res, ec);
        if (ec || !res.keep_alive()) {
            socket->shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
    }
}

void http_server::impl::reap()
{
    std::lock_guard lock(mutex);
    for (auto it = conns.begin(); it != conns.end();) {
        if (*it->done) {
            it->thread.join();
            it = conns.erase(it);
        } else {
            ++it;
        }
    }
}

void http_server::impl::watchdog()
{
    std::unique_lock lock(mutex);
    while (!stopping) {
        watchdog_cv.wait_for(lock, std::chrono::milliseconds(500));
        std::int64_t now = steady_ms();
        for (auto& c : conns) {
            std::int64_t d = *c.deadline;
            if (d > 0 && now > d && !*c.done) {
                *c.deadline = 0;
                // Wakes the blocked read or write; the serving thread then ends.
                ::shutdown(c.socket->native_handle(), SHUT_RDWR);
            }
        }
    }
}

void http_server::impl::accept_loop()
{
    while (!stopping) {
        auto socket = std::make_shared<tcp::socket>(io);
        beast::error_code ec;
        acceptor->accept(*socket, ec);
        if (stopping) break;
        if (ec) continue;
        socket->set_option(tcp::no_delay(true), ec);
        reap();
        auto done = std::make_shared<std::atomic<bool>>(false);
        auto deadline = std::make_shared<std::atomic<std::int64_t>>(0);
        std::lock_guard lock(mutex);
        conns.push_back({socket, std::thread([this, socket, done, deadline] {
                             serve(socket, *deadline);
                             *done = true;
                         }),
                         done, deadline});
    }
}

http_server::http_server(http_server_options options, request_handler handler)
    : impl_(std::make_unique<impl>())
{
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

http_server::~http_server()
{
    stop();
}

status http_server::start()
{
    WEIR_TRY_ASSIGN(auto addr, parse_listen_address(impl_->options.listen));
    try {
        tcp::endpoint ep(asio::ip::make_address(addr.first), addr.second);
        impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->io, ep, true);
    } catch (const std::exception& e) {
        return terminal_error("cannot listen on " + impl_->options.listen + ": " + e.what(), "ListenFailed");
    }
    impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
    impl_->watchdog_thread = std::thread([this] { impl_->watchdog(); });
    return ok();
}

void http_server::stop()
{
    if (!impl_->acceptor || impl_->stopping.exchange(true)) return;
    beast::error_code ec;
    // shutdown() wakes the blocking accept(); close() alone does not on Linux.
    ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);
    impl_->acceptor->close(ec);
    impl_->accept_thread.join();
    {
        std::lock_guard lock(impl_->mutex);
        impl_->watchdog_cv.notify_all();
    }
    impl_->watchdog_thread.join();
    std::list<impl::conn> conns;
    {
        std::lock_guard lock(impl_->mutex);
        conns.swap(impl_->conns);
    }
    for (auto& c : conns) {
        if (c.socket->is_open()) ::shutdown(c.socket->native_handle(), SHUT_RDWR);
        c.thread.join();
    }
}

unsigned short http_server::port() const
{
    return impl_->acceptor ? impl_->acceptor->local_endpoint().port() : 0;
}

} // namespace weir::notification
