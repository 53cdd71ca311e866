#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fmt/format.h>

#include <openssl/ssl.h>

namespace weir::notification {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string http_request::header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (beast::iequals(k, name)) return v;
    return {};
}

result<parsed_url> parse_url(std::string_view url)
{
    parsed_url u;
    auto sep = url.find("://");
    if (sep == std::string_view::npos) return terminal_error(fmt::format("invalid URL \"{}\": no scheme", url), "InvalidURL");
    u.scheme = std::string(url.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https")
        return terminal_error(fmt::format("invalid URL \"{}\": scheme must be http or https", url), "InvalidURL");
    std::string_view rest = url.substr(sep + 3);
    auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (u.target.front() == '?') u.target.insert(0, "/");
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string_view host = authority;
    if (authority.starts_with("[")) {
        auto close = authority.find(']');
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = std::string(authority.substr(close + 2));
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        u.port = std::string(authority.substr(colon + 1));
    }
    u.host = std::string(host);
    if (u.host.empty()) return terminal_error(fmt::format("invalid URL \"{}\": no host", url), "InvalidURL");
    if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
    return u;
}

std::string url_encode(std::string_view s)
{
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

namespace {

error transport_error(const parsed_url& u, const std::string& what)
{
    return transient_error(fmt::format("request to {}://{}:{} failed: {}", u.scheme, u.host, u.port, what), "NetworkError");
}

result<http_response> classify(const parsed_url& u, http::response<http::string_body>&& res)
{
    http_response out{static_cast<int>(res.result_int()), std::move(res.body())};
    if (out.status < 400) return out;
    std::string body = out.body.substr(0, 300);
    std::string msg = fmt::format("{}://{}{} answered {}: {}", u.scheme, u.host, u.target, out.status, body);
    error e = out.status == 429 || out.status >= 500 ? transient_error(msg, "ProviderError") : terminal_error(msg, "ProviderError");
    e.code = out.status;
    return e;
}

template <class Stream>
result<http_response> exchange(Stream& stream, const parsed_url& u, const http_request& req, bool absolute_target)
{
    http::request<http::string_body> r;
    r.method_string(req.method);
    r.target(absolute_target ? u.scheme + "://" + u.host + ":" + u.port + u.target : u.target);
    r.version(11);
    r.set(http::field::host, u.host);
    r.set(http::field::user_agent, "weir-notification-controller");
    bool has_type = false;
    for (const auto& [k, v] : req.headers) {
        r.set(k, v);
        has_type = has_type || beast::iequals(k, "Content-Type");
    }
    if (!has_type && !req.body.empty()) r.set(http::field::content_type, "application/json");
    r.body() = req.body;
    r.prepare_payload();
    beast::error_code ec;
    http::write(stream, r, ec);
    if (ec) return transport_error(u, ec.message());
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(4 << 20);
    http::read(stream, buf, parser, ec);
    if (ec) return transport_error(u, ec.message());
    return classify(u, parser.release());
}

status configure_tls(asio::ssl::context& ctx, const http_client_options& o)
{
    beast::error_code ec;
    if (!o.ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(o.ca_pem), ec);
    else ctx.set_default_verify_paths(ec);
    if (ec) return terminal_error("certSecretRef ca.crt: " + ec.message(), "InvalidCertificate");
    if (!o.cert_pem.empty()) {
        ctx.use_certificate_chain(asio::buffer(o.cert_pem), ec);
        if (!ec) ctx.use_private_key(asio::buffer(o.key_pem), asio::ssl::context::pem, ec);
        if (ec) return terminal_error("certSecretRef tls.crt/tls.key: " + ec.message(), "InvalidCertificate");
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ok();
}

// Opens a tunnel through an HTTP proxy for an https target.
status proxy_connect(beast::tcp_stream& s, const parsed_url& target)
{
    http::request<http::empty_body> r{http::verb::connect, target.host + ":" + target.port, 11};
    r.set(http::field::host, target.host + ":" + target.port);
    beast::error_code ec;
    http::write(s, r, ec);
    if (ec) return transport_error(target, "proxy CONNECT: " + ec.message());
    beast::flat_buffer buf;
    http::response_parser<http::empty_body> p;
    p.skip(true); // a CONNECT answer has no body
    http::read_header(s, buf, p, ec);
    if (ec) return transport_error(target, "proxy CONNECT: " + ec.message());
    if (p.get().result_int() != 200)
        return transport_error(target, fmt::format("proxy CONNECT answered {}", p.get().result_int()));
    return ok();
}

} // namespace

result<http_response> send_request(const http_request& req, const http_client_options& options)
{
    WEIR_TRY_ASSIGN(auto u, parse_url(req.url));
    parsed_url dial = u;
    if (!options.proxy.empty()) {
        WEIR_TRY_ASSIGN(dial, parse_url(options.proxy));
    }
    try {
        asio::io_context io;
        tcp::resolver resolver(io);
        beast::tcp_stream tcp_s(io);
        tcp_s.expires_after(options.timeout);
        beast::error_code ec;
        auto endpoints = resolver.resolve(dial.host, dial.port, ec);
        if (ec) return transport_error(dial, "resolve: " + ec.message());
        tcp_s.connect(endpoints, ec);
        if (ec) return transport_error(dial, "connect: " + ec.message());
        if (u.scheme == "http") return exchange(tcp_s, u, req, !options.proxy.empty());
        if (!options.proxy.empty()) WEIR_TRY(proxy_connect(tcp_s, u));
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        WEIR_TRY(configure_tls(ctx, options));
        beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_s), ctx);
        SSL_set_tlsext_host_name(tls.native_handle(), u.host.c_str());
        tls.set_verify_callback(asio::ssl::host_name_verification(u.host));
        tls.handshake(asio::ssl::stream_base::client, ec);
        if (ec) return transport_error(u, "TLS handshake: " + ec.message());
        auto r = exchange(tls, u, req, false);
        tls.shutdown(ec); // best effort; many servers just close
        return r;
    } catch (const std::exception& e) {
        return transport_error(u, e.what());
    }
}

} // namespace weir::notification
