#include <weir/core/ops_server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

namespace weir {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct ops_server::impl {
    ops_server_options options;
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::atomic<bool> ready{false};
    std::function<bool()> readiness_check;
    std::mutex check_mutex;
    unsigned short bound_port = 0;
    std::map<std::string, ops_server::handler, std::less<>> handlers;

    http::response<http::string_body> respond(const http::request<http::string_body>& req)
    {
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        std::string target(req.target());
        if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
        if (auto h = handlers.find(target); h != handlers.end()) {
            auto [code, body] = h->second(req.method_string(), req.body());
            res.result(static_cast<http::status>(code));
            res.body() = std::move(body);
        } else if (target == "/metrics") {
            res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            res.body() = (options.metrics ? *options.metrics : default_registry()).expose();
        } else if (target == "/healthz" || target == "/livez") {
            res.body() = "ok";
        } else if (target == "/readyz") {
            bool ok = ready.load();
            {
                std::lock_guard lock(check_mutex);
                if (ok && readiness_check) ok = readiness_check();
            }
            res.result(ok ? http::status::ok : http::status::service_unavailable);
            res.body() = ok ? "ok" : "not ready";
        } else {
            res.result(http::status::not_found);
            res.body() = "not found";
        }
        res.prepare_payload();
        return res;
    }

    // Reads one request recv by recv (http::read would wait for the whole header in one call).
    static bool read_request(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                             http::request_parser<http::string_body>& parser,
                             std::chrono::steady_clock::time_point deadline)
    {
        boost::system::error_code ec;
        while (!parser.is_done()) {
            if (buffer.size() > 0) {
                std::size_t used = parser.put(buffer.data(), ec);
                buffer.consume(used);
                if (ec && ec != http::error::need_more) return false;
                if (!ec && used > 0) continue;
                ec = {};
            }
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::size_t n = socket.read_some(buffer.prepare(4096), ec);
            if (ec) return false;
            buffer.commit(n);
        }
        return true;
    }

    // One request per connection: on the only thread, a client keeping an idle connection open
    // would hold up every other client until its deadline.
    void serve(tcp::socket socket)
    {
        boost::beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(64 * 1024);
        // One deadline for the whole request, not per recv: a client that dribbles a byte just
        // under the receive timeout (slowloris) would otherwise hold the only thread, and with it
        // every probe, forever.
        auto deadline = std::chrono::steady_clock::now() + options.request_timeout;
        if (!read_request(socket, buffer, parser, deadline)) return;
        auto res = respond(parser.get());
        res.keep_alive(false);
        boost::system::error_code ec;
        http::write(socket, res, ec);
    }

    void accept_loop()
    {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) return;
            // Scrapes and probes are tiny and rare: serve them in turn on this thread, with a receive
            // timeout so that a silent client holds the others up for two seconds at most.
            struct timeval tv {
                2, 0
            };
            ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            serve(std::move(socket));
            accept_loop();
        });
    }
};

ops_server::ops_server(ops_server_options options) : impl_(std::make_unique<impl>())
{
    impl_->options = std::move(options);
}

ops_server::~ops_server()
{
    stop();
}

status ops_server::start()
{
    WEIR_TRY_ASSIGN(auto addr, parse_listen_address(impl_->options.listen));
    boost::system::error_code ec;
    auto ip = net::ip::make_address(addr.first, ec);
    if (ec) return terminal_error(fmt::format("ops server: invalid address \"{}\"", impl_->options.listen));
    tcp::endpoint ep(ip, addr.second);
    impl_->acceptor.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(ep, ec);
    if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return transient_error(
            fmt::format("ops server: cannot listen on {}: {}", impl_->options.listen, ec.message()));
    impl_->bound_port = impl_->acceptor.local_endpoint().port();
    impl_->accept_loop();
    impl_->thread = std::thread([this] { impl_->io.run(); });
    return ok();
}

void ops_server::stop()
{
    if (!impl_ || !impl_->thread.joinable()) return;
    net::post(impl_->io, [this] {
        boost::system::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->io.stop();
    impl_->thread.join();
}

void ops_server::add_handler(std::string path, handler h)
{
    impl_->handlers.emplace(std::move(path), std::move(h));
}

void ops_server::set_ready(bool ready)
{
    impl_->ready = ready;
}

void ops_server::set_readiness_check(std::function<bool()> check)
{
    std::lock_guard lock(impl_->check_mutex);
    impl_->readiness_check = std::move(check);
}

unsigned short ops_server::port() const
{
    return impl_->bound_port;
}

result<std::pair<std::string, unsigned short>> parse_listen_address(std::string_view text)
{
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return terminal_error(fmt::format("invalid listen address \"{}\": expected host:port", text),
                              "InvalidAddress");
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    if (host == "localhost") host = "127.0.0.1";
    auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535)
        return terminal_error(fmt::format("invalid listen address \"{}\": bad port", text), "InvalidAddress");
    return std::pair{host, static_cast<unsigned short>(port)};
}

} // namespace weir
