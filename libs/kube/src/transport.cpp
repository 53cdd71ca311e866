// Beast/OpenSSL plumbing behind kube::client (see detail/transport.hpp).
#include "detail/transport.hpp"

#include "detail/tls.hpp"

#include <weir/core/log.hpp>
#include <weir/kube/errors.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fmt/format.h>

#include <future>
#include <optional>
#include <random>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace weir::kube::detail {
namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

struct server_url {
    bool tls = true;
    std::string host;
    std::string port;
    std::string base_path;
};

result<server_url> parse_server(std::string_view server)
{
    server_url u;
    std::string_view rest = server;
    if (rest.starts_with("https://")) rest.remove_prefix(8);
    else if (rest.starts_with("http://")) u.tls = false, rest.remove_prefix(7);
    else return terminal_error("server \"" + std::string(server) + "\": want http:// or https://", "ConfigError");
    std::size_t slash = rest.find('/');
    std::string_view hostport = rest.substr(0, slash);
    if (slash != std::string_view::npos) u.base_path = std::string(rest.substr(slash));
    while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
    if (hostport.starts_with('[')) {
        std::size_t close = hostport.find(']');
        if (close == std::string_view::npos) return terminal_error("server \"" + std::string(server) + "\": bad IPv6 address", "ConfigError");
        u.host = std::string(hostport.substr(1, close - 1));
        if (close + 1 < hostport.size() && hostport[close + 1] == ':') u.port = std::string(hostport.substr(close + 2));
    } else if (std::size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
        u.host = std::string(hostport.substr(0, colon));
        u.port = std::string(hostport.substr(colon + 1));
    } else {
        u.host = std::string(hostport);
    }
    if (u.port.empty()) u.port = u.tls ? "443" : "80";
    return u;
}

// One connection to the server, plain or TLS. Used by one coroutine at a time.
struct connection {
    std::shared_ptr<net::ssl::context> ctx;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
    void close()
    {
        beast::error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        lowest().socket().close(ec);
    }
};

bool retryable_status(int status) { return status == 429 || (status >= 500 && status != 501); }

std::chrono::milliseconds retry_delay(int attempt, std::string_view retry_after)
{
    if (!retry_after.empty()) {
        int secs = std::atoi(std::string(retry_after).c_str());
        if (secs > 0) return std::chrono::seconds(std::min(secs, 10));
    }
    static thread_local std::minstd_rand rng{std::random_device{}()};
    auto base = std::chrono::milliseconds(200) * (1 << std::min(attempt, 5));
    return base + std::chrono::milliseconds(rng() % 100);
}

} // namespace

rate_limiter::rate_limiter(double qps, int burst)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(std::chrono::steady_clock::now())
{
}

std::chrono::nanoseconds rate_limiter::reserve()
{
    if (qps_ <= 0) return {};
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
    last_ = now;
    tokens_ -= 1;
    if (tokens_ >= 0) return {};
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(-tokens_ / qps_));
}

struct transport::impl {
    transport& owner;
    server_url url;
    rate_limiter limiter;
    std::vector<std::unique_ptr<connection>> idle; // touched only on the I/O thread
    std::shared_ptr<net::ssl::context> ssl_ctx;
    std::string ssl_cert; // the client certificate ssl_ctx was built with
    family<histogram>* latency = nullptr;
    family<counter>* requests = nullptr;
    logger log{"kube.client"};

    impl(transport& t, server_url u) : owner(t), url(std::move(u)), limiter(t.options_.qps, t.options_.burst) {}

    result<std::shared_ptr<net::ssl::context>> context_for(const credentials& creds)
    {
        if (!ssl_ctx || creds.client_cert_pem != ssl_cert) {
            WEIR_TRY_ASSIGN(ssl_ctx, make_tls_context(owner.cfg_, creds));
            ssl_cert = creds.client_cert_pem;
        }
        return ssl_ctx;
    }

    net::awaitable<result<std::unique_ptr<connection>>> connect(const credentials& creds, std::chrono::milliseconds timeout,
                                                                std::string what)
    {
        auto conn = std::make_unique<connection>();
        auto ex = co_await net::this_coro::executor;
        tcp::resolver resolver(ex);
        auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, nothrow);
        if (rec) co_return network_error(what, fmt::format("cannot resolve {}: {}", url.host, rec.message()));
        if (url.tls) {
            auto ctx = context_for(creds);
            if (!ctx) co_return std::move(ctx).err();
            conn->ctx = *ctx;
            conn->tls.emplace(ex, *conn->ctx);
            if (auto s = prepare_tls_session(conn->tls->native_handle(), owner.cfg_, url.host); !s)
                co_return std::move(s).err();
        } else {
            conn->plain.emplace(ex);
        }
        conn->lowest().expires_after(timeout);
        auto [cec, ep] = co_await conn->lowest().async_connect(endpoints, nothrow);
        if (cec)
            co_return network_error(what, fmt::format("cannot connect to {}:{}: {}", url.host, url.port, cec.message()),
                                    cec == beast::error::timeout);
        (void)ep;
        if (conn->tls) {
            conn->lowest().expires_after(timeout);
            auto [hec] = co_await conn->tls->async_handshake(net::ssl::stream_base::client, nothrow);
            if (hec) co_return network_error(what, fmt::format("TLS handshake with {} failed: {}", url.host, hec.message()));
        }
        co_return std::move(conn);
    }

    http::request<http::string_body> build(const http_request& req, const credentials& creds)
    {
        http::request<http::string_body> r;
        r.method(http::string_to_verb(req.method));
        r.target(url.base_path + req.target);
        r.version(11);
        r.set(http::field::host, url.host);
        r.set(http::field::user_agent, owner.options_.user_agent);
        r.set(http::field::accept, "application/json");
        if (!creds.bearer_token.empty()) r.set(http::field::authorization, "Bearer " + creds.bearer_token);
        else if (!owner.cfg_.username.empty())
            r.set(http::field::authorization, "Basic " + base64_encode(owner.cfg_.username + ":" + owner.cfg_.password));
        if (!owner.cfg_.impersonate_user.empty()) r.insert("Impersonate-User", owner.cfg_.impersonate_user);
        for (const auto& g : owner.cfg_.impersonate_groups) r.insert("Impersonate-Group", g);
        for (const auto& [k, v] : req.headers) r.insert(k, v);
        if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
            r.set(http::field::content_type, req.content_type.empty() ? "application/json" : req.content_type);
            r.body() = req.body;
        }
        r.keep_alive(true);
        r.prepare_payload();
        return r;
    }

    template <class Stream>
    static net::awaitable<beast::error_code> exchange(Stream& s, connection& c, http::request<http::string_body>& req,
                                                      http::response<http::string_body>& res,
                                                      std::chrono::milliseconds timeout)
    {
        c.lowest().expires_after(timeout);
        auto [wec, wn] = co_await http::async_write(s, req, nothrow);
        (void)wn;
        if (wec) co_return wec;
        c.lowest().expires_after(timeout);
        http::response_parser<http::string_body> parser;
        parser.body_limit(256u << 20);
        auto [rec, rn] = co_await http::async_read(s, c.buffer, parser, nothrow);
        (void)rn;
        if (!rec) res = parser.release();
        co_return rec;
    }

    // One attempt: a pooled connection (or a new one), one request, one reply.
    net::awaitable<result<http::response<http::string_body>>> attempt(const http_request& req, const credentials& creds,
                                                                      std::chrono::milliseconds timeout)
    {
        auto msg = build(req, creds);
        for (int tries = 0; tries < 2; ++tries) {
            std::unique_ptr<connection> conn;
            bool reused = false;
            if (!idle.empty()) {
                conn = std::move(idle.back());
                idle.pop_back();
                reused = true;
            } else {
                auto fresh = co_await connect(creds, timeout, req.what);
                if (!fresh) co_return std::move(fresh).err();
                conn = std::move(*fresh);
            }
            http::response<http::string_body> res;
            // No co_await inside ?: (GCC 12 miscompiles it).
            beast::error_code ec;
            if (conn->tls) ec = co_await exchange(*conn->tls, *conn, msg, res, timeout);
            else ec = co_await exchange(*conn->plain, *conn, msg, res, timeout);
            if (ec && reused && ec != beast::error::timeout) continue; // the server closed an idle connection
            if (ec) {
                conn->close();
                co_return network_error(req.what, ec.message(), ec == beast::error::timeout);
            }
            if (res.keep_alive() && idle.size() < 16) idle.push_back(std::move(conn));
            else conn->close();
            co_return std::move(res);
        }
        co_return network_error(req.what, "connection closed by the server");
    }

    net::awaitable<result<http_response>> run(http_request req)
    {
        auto timeout = req.timeout.count() > 0 ? req.timeout : owner.options_.timeout;
        auto start = std::chrono::steady_clock::now();
        net::steady_timer timer(co_await net::this_coro::executor);
        bool auth_retried = false;
        for (int attempt_no = 0;; ++attempt_no) {
            if (auto wait = limiter.reserve(); wait.count() > 0) {
                timer.expires_after(wait);
                co_await timer.async_wait(nothrow);
            }
            auto creds = owner.cfg_.current_credentials();
            if (!creds) co_return std::move(creds).err().wrap(req.what);
            auto res = co_await attempt(req, *creds, timeout);
            std::string code = res ? std::to_string(res->result_int()) : "<error>";
            requests->with({code, req.method}).inc();
            // A 401 with refreshable credentials: the token rotated or the plugin's credential
            // was revoked early. Fetch anew and try once more.
            if (res && res->result_int() == 401 && !auth_retried && (owner.cfg_.exec || !owner.cfg_.token_file.empty())) {
                auth_retried = true;
                owner.cfg_.invalidate_credentials();
                --attempt_no;
                continue;
            }
            bool retry = attempt_no < owner.options_.max_retries &&
                         ((res && retryable_status(static_cast<int>(res->result_int()))) ||
                          (!res && req.method == "GET" && is_network(res.err())));
            if (retry) {
                std::string retry_after = res ? std::string((*res)[http::field::retry_after]) : std::string();
                timer.expires_after(retry_delay(attempt_no, retry_after));
                co_await timer.async_wait(nothrow);
                continue;
            }
            latency->with({req.method}).observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            if (!res) co_return std::move(res).err();
            co_return http_response{static_cast<int>(res->result_int()), std::move(res->body())};
        }
    }

    template <class Stream>
    net::awaitable<status> stream_lines(Stream& s, connection& c, http::request<http::string_body>& msg,
                                        const http_request& req, std::chrono::milliseconds idle_timeout,
                                        const std::function<bool(std::string_view)>& on_line,
                                        const std::shared_ptr<cancel_state>& cancel)
    {
        c.lowest().expires_after(owner.options_.timeout);
        auto [wec, wn] = co_await http::async_write(s, msg, nothrow);
        (void)wn;
        if (wec) co_return network_error(req.what, wec.message());
        http::response_parser<http::string_body> parser;
        parser.body_limit(boost::none);
        c.lowest().expires_after(owner.options_.timeout);
        auto [hec, hn] = co_await http::async_read_header(s, c.buffer, parser, nothrow);
        (void)hn;
        if (hec && cancel->cancelled) co_return weir::ok();
        if (hec) co_return network_error(req.what, hec.message());
        int code = static_cast<int>(parser.get().result_int());
        if (code != 200) {
            c.lowest().expires_after(owner.options_.timeout);
            co_await http::async_read(s, c.buffer, parser, nothrow);
            co_return error_from_response(code, parser.get().body(), req.what);
        }
        std::string& body = parser.get().body();
        while (!parser.is_done()) {
            c.lowest().expires_after(idle_timeout);
            auto [ec, n] = co_await http::async_read_some(s, c.buffer, parser, nothrow);
            (void)n;
            if (cancel->cancelled) co_return weir::ok();
            if (ec == http::error::end_of_stream || ec == net::error::eof) break;
            if (ec) co_return network_error(req.what, ec == beast::error::timeout ? "watch idle timeout" : ec.message(),
                                            ec == beast::error::timeout);
            std::size_t start = 0;
            for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1)
                if (nl > start && !on_line(std::string_view(body).substr(start, nl - start))) co_return weir::ok();
            body.erase(0, start);
        }
        if (!body.empty()) on_line(body);
        co_return weir::ok();
    }

    net::awaitable<status> run_watch(http_request req, std::function<bool(std::string_view)> on_line,
                                     std::shared_ptr<cancel_state> cancel, std::chrono::milliseconds idle_timeout)
    {
        if (auto wait = limiter.reserve(); wait.count() > 0) {
            net::steady_timer timer(co_await net::this_coro::executor, wait);
            co_await timer.async_wait(nothrow);
        }
        auto creds = owner.cfg_.current_credentials();
        if (!creds) co_return std::move(creds).err().wrap(req.what);
        auto fresh = co_await connect(*creds, owner.options_.timeout, req.what);
        if (!fresh) co_return std::move(fresh).err();
        std::shared_ptr<connection> conn = std::move(*fresh);
        {
            std::lock_guard lock(cancel->mutex);
            if (cancel->cancelled) co_return weir::ok();
            std::weak_ptr<connection> weak = conn;
            auto ex = co_await net::this_coro::executor;
            // Called from any thread: the socket is closed on the I/O thread that owns it.
            cancel->closer = [weak, ex] {
                net::post(ex, [weak] {
                    if (auto c = weak.lock()) c->close();
                });
            };
        }
        auto msg = build(req, *creds);
        status s;
        if (conn->tls) s = co_await stream_lines(*conn->tls, *conn, msg, req, idle_timeout, on_line, cancel);
        else s = co_await stream_lines(*conn->plain, *conn, msg, req, idle_timeout, on_line, cancel);
        {
            std::lock_guard lock(cancel->mutex);
            cancel->closer = nullptr;
        }
        conn->close();
        co_return s;
    }
};

transport::transport(config cfg, client_options options) : cfg_(std::move(cfg)), options_(std::move(options)) {}

result<std::shared_ptr<transport>> transport::create(config cfg, client_options options)
{
    WEIR_TRY_ASSIGN(auto url, parse_server(cfg.server));
    std::shared_ptr<transport> t(new transport(std::move(cfg), std::move(options)));
    t->impl_ = std::make_unique<impl>(*t, std::move(url));
    registry& reg = t->options_.metrics ? *t->options_.metrics : default_registry();
    t->impl_->latency = &reg.histogram("rest_client_request_duration_seconds", "Request latency in seconds, by verb.",
                                       {"verb"}, default_duration_buckets());
    t->impl_->requests = &reg.counter("rest_client_requests_total", "Number of HTTP requests, by status code and method.",
                                      {"code", "method"});
    if (t->impl_->url.tls) {
        auto creds = t->cfg_.current_credentials();
        if (!creds) return std::move(creds).err();
        WEIR_TRY(t->impl_->context_for(*creds)); // report bad CA or key at start-up
    }
    t->thread_ = std::thread([raw = t.get()] {
        auto guard = net::make_work_guard(raw->io_);
        raw->io_.run();
    });
    return t;
}

transport::~transport()
{
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

net::awaitable<result<http_response>> transport::async_request(http_request req)
{
    return impl_->run(std::move(req));
}

namespace {
template <class T>
net::awaitable<void> fulfil(std::shared_ptr<std::promise<T>> p, net::awaitable<T> op)
{
    p->set_value(co_await std::move(op));
}
} // namespace

result<http_response> transport::request(http_request req)
{
    if (io_.get_executor().running_in_this_thread())
        return terminal_error(req.what + ": blocking request on the client's I/O thread (a bug in the caller)", "Bug");
    auto p = std::make_shared<std::promise<result<http_response>>>();
    auto f = p->get_future();
    net::co_spawn(io_, fulfil(p, impl_->run(std::move(req))), net::detached);
    return f.get();
}

status transport::watch(http_request req, std::function<bool(std::string_view)> on_line, std::shared_ptr<cancel_state> cancel)
{
    if (io_.get_executor().running_in_this_thread())
        return terminal_error(req.what + ": blocking watch on the client's I/O thread (a bug in the caller)", "Bug");
    auto idle = req.timeout.count() > 0 ? req.timeout : std::chrono::milliseconds(std::chrono::minutes(6));
    auto p = std::make_shared<std::promise<status>>();
    auto f = p->get_future();
    net::co_spawn(io_, fulfil(p, impl_->run_watch(std::move(req), std::move(on_line), cancel, idle)), net::detached);
    return f.get();
}

} // namespace weir::kube::detail
