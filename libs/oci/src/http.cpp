#include "http.hpp"

#include <weir/core/encoding.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>

namespace weir::oci::detail {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string url_parts::authority() const
{
    bool default_port = (tls && port == "443") || (!tls && port == "80");
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return default_port ? h : h + ":" + port;
}

result<url_parts> parse_url(std::string_view url)
{
    url_parts u;
    std::string_view rest = url;
    if (rest.starts_with("http://")) rest.remove_prefix(7);
    else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        u.tls = true;
    } else
        return terminal_error("url '" + std::string(url) + "' must start with http:// or https://", "InvalidURL");
    auto slash = rest.find_first_of("/?");
    auto authority = rest.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (!u.target.empty() && u.target.front() == '?') u.target.insert(0, "/");
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (authority.starts_with("[")) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return terminal_error("url '" + std::string(url) + "' has a bad host", "InvalidURL");
        u.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) u.port = authority.substr(colon + 1);
    }
    if (u.host.empty()) return terminal_error("url '" + std::string(url) + "' has no host", "InvalidURL");
    if (u.port.empty()) u.port = u.tls ? "443" : "80";
    return u;
}

std::string resolve_url(const url_parts& base, std::string_view ref)
{
    if (ref.starts_with("http://") || ref.starts_with("https://")) return std::string(ref);
    std::string prefix = (base.tls ? "https://" : "http://") + base.authority();
    if (ref.starts_with("/")) return prefix + std::string(ref);
    auto path = base.target.substr(0, base.target.find('?'));
    if (ref.starts_with("?")) return prefix + path + std::string(ref);
    return prefix + path.substr(0, path.rfind('/') + 1) + std::string(ref);
}

std::string http_response::header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

namespace {

error unreachable(const std::string& what, const boost::system::error_code& ec)
{
    return transient_error(what + ": " + ec.message(), "Unreachable");
}

template <class Stream>
net::awaitable<result<http_response>> exchange(Stream& stream, beast::tcp_stream& lower, const http_request& req,
                                               const url_parts& u, bool via_proxy, const transport_options& opts)
{
    auto tok = net::as_tuple(net::use_awaitable);
    http::request<http::string_body> msg{http::string_to_verb(req.method), via_proxy ? req.url : u.target, 11};
    msg.set(http::field::host, u.authority());
    msg.set(http::field::user_agent, "weir");
    for (const auto& [k, v] : req.headers) msg.set(k, v);
    if (via_proxy && !opts.proxy_username.empty())
        msg.set(http::field::proxy_authorization,
                "Basic " + base64_encode(opts.proxy_username + ":" + opts.proxy_password));
    if (!req.body.empty() || req.method == "PUT" || req.method == "POST") msg.body() = req.body;
    msg.prepare_payload();
    lower.expires_after(opts.timeout);
    auto [wec, wn] = co_await http::async_write(stream, msg, tok);
    if (wec) co_return unreachable("cannot send " + req.method + " " + req.url, wec);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(opts.max_body);
    if (req.method == "HEAD") parser.skip(true);
    auto [rec, rn] = co_await http::async_read(stream, buf, parser, tok);
    if (rec == http::error::body_limit)
        co_return terminal_error(req.method + " " + req.url + ": response is larger than " +
                                     std::to_string(opts.max_body) + " bytes",
                                 "ResponseTooLarge");
    if (rec) co_return unreachable("cannot read the response to " + req.method + " " + req.url, rec);
    http_response out;
    out.status = static_cast<int>(parser.get().result_int());
    for (const auto& f : parser.get()) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    out.body = std::move(parser.get().body());
    co_return out;
}

// CONNECT host:port through the proxy; the stream is then a tunnel to the registry.
net::awaitable<status> connect_tunnel(beast::tcp_stream& s, const url_parts& u, const transport_options& opts)
{
    auto tok = net::as_tuple(net::use_awaitable);
    std::string target = u.authority().find(':') == std::string::npos ? u.authority() + ":" + u.port : u.authority();
    http::request<http::empty_body> msg{http::verb::connect, target, 11};
    msg.set(http::field::host, target);
    if (!opts.proxy_username.empty())
        msg.set(http::field::proxy_authorization,
                "Basic " + base64_encode(opts.proxy_username + ":" + opts.proxy_password));
    s.expires_after(opts.timeout);
    auto [wec, wn] = co_await http::async_write(s, msg, tok);
    if (wec) co_return unreachable("cannot send CONNECT to proxy " + opts.proxy_url, wec);
    beast::flat_buffer buf;
    http::response_parser<http::empty_body> parser;
    parser.skip(true); // a CONNECT answer has no body
    auto [rec, rn] = co_await http::async_read_header(s, buf, parser, tok);
    if (rec) co_return unreachable("no answer to CONNECT from proxy " + opts.proxy_url, rec);
    if (parser.get().result_int() != 200)
        co_return transient_error("proxy " + opts.proxy_url + " refused CONNECT " + target + " with HTTP " +
                                      std::to_string(parser.get().result_int()),
                                  parser.get().result_int() == 407 ? "ProxyAuthenticationFailed" : "Unreachable");
    co_return ok();
}

status setup_tls(ssl::context& ctx, const transport_options& opts)
{
    boost::system::error_code ec;
    if (opts.ca_pem.empty()) ctx.set_default_verify_paths(ec);
    else ctx.add_certificate_authority(net::buffer(opts.ca_pem), ec);
    if (ec) return terminal_error("cannot load the CA certificate (ca.crt): " + ec.message(), "InvalidCertificate");
    if (!opts.cert_pem.empty()) {
        ctx.use_certificate_chain(net::buffer(opts.cert_pem), ec);
        if (!ec) ctx.use_private_key(net::buffer(opts.key_pem), ssl::context::pem, ec);
        if (ec) return terminal_error("cannot load the client certificate (tls.crt/tls.key): " + ec.message(),
                                      "InvalidCertificate");
    }
    ctx.set_verify_mode(opts.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
    return ok();
}

net::awaitable<result<http_response>> do_send(http_request req, transport_options opts)
{
    auto parsed = parse_url(req.url);
    if (!parsed) co_return parsed.err();
    url_parts u = *parsed;
    url_parts dial = u;
    bool proxied = !opts.proxy_url.empty();
    if (proxied) {
        auto p = parse_url(opts.proxy_url);
        if (!p) co_return p.err().wrap("proxy address");
        dial = *p;
    }
    auto ex = co_await net::this_coro::executor;
    auto tok = net::as_tuple(net::use_awaitable);
    tcp::resolver resolver(ex);
    auto [rec, eps] = co_await resolver.async_resolve(dial.host, dial.port, tok);
    if (rec) co_return unreachable("cannot resolve '" + dial.host + "'", rec);
    beast::tcp_stream s(ex);
    s.expires_after(opts.timeout);
    auto [cec, ep] = co_await s.async_connect(eps, tok);
    if (cec) co_return unreachable("cannot connect to " + dial.host + ":" + dial.port, cec);
    if (!u.tls) co_return co_await exchange(s, s, req, u, proxied, opts);
    if (proxied) {
        auto tunnel = co_await connect_tunnel(s, u, opts);
        if (!tunnel) co_return tunnel.err();
    }
    ssl::context ctx(ssl::context::tls_client);
    if (auto st = setup_tls(ctx, opts); !st) co_return st.err();
    beast::ssl_stream<beast::tcp_stream> tls(std::move(s), ctx);
    SSL_set_tlsext_host_name(tls.native_handle(), u.host.c_str());
    if (!opts.insecure_skip_verify) tls.set_verify_callback(ssl::host_name_verification(u.host));
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, tok);
    if (hec) co_return unreachable("TLS handshake with " + u.authority() + " failed", hec);
    co_return co_await exchange(tls, beast::get_lowest_layer(tls), req, u, false, opts);
}

// Asio wants a default-constructible coroutine result; report through `out` instead.
net::awaitable<void> run(http_request req, transport_options opts, result<http_response>* out)
{
    *out = co_await do_send(std::move(req), std::move(opts));
}

} // namespace

result<http_response> send(const http_request& req, const transport_options& options)
{
    net::io_context ioc;
    result<http_response> res = transient_error(req.method + " " + req.url + " did not finish", "Unreachable");
    net::co_spawn(ioc, run(req, options, &res), net::detached);
    ioc.run();
    return res;
}

} // namespace weir::oci::detail
