#include "http_client.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include <map>
#include <mutex>

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
    if (sep == std::string_view::npos)
        return terminal_error(fmt::format("invalid URL \"{}\": no scheme", url), "InvalidURL");
    u.scheme = std::string(url.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https")
        return terminal_error(fmt::format("invalid URL \"{}\": scheme must be http or https", url),
                              "InvalidURL");
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
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            u.port = std::string(authority.substr(close + 2));
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
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

namespace {

using clock = std::chrono::steady_clock;

error transport_error(const parsed_url& u, const std::string& what, std::string reason = "NetworkError")
{
    return transient_error(fmt::format("request to {}://{}:{} failed: {}", u.scheme, u.host, u.port, what),
                           std::move(reason));
}

result<http_response> classify(const parsed_url& u, http::response<http::string_body>&& res)
{
    http_response out{static_cast<int>(res.result_int()), std::move(res.body())};
    if (out.status < 400) return out;
    std::string body = out.body.substr(0, 300);
    std::string msg =
        fmt::format("{}://{}:{}{} answered {}: {}", u.scheme, u.host, u.port, u.target, out.status, body);
    error e = out.status == 429 || out.status >= 500 ? transient_error(msg, "ProviderError")
                                                     : terminal_error(msg, "ProviderError");
    e.code = out.status;
    return e;
}

status configure_tls(asio::ssl::context& ctx, const http_client_options& o)
{
    beast::error_code ec;
    if (!o.ca_pem.empty())
        ctx.add_certificate_authority(asio::buffer(o.ca_pem), ec);
    else
        ctx.set_default_verify_paths(ec);
    if (ec) return terminal_error("certSecretRef ca.crt: " + ec.message(), "InvalidCertificate");
    if (!o.cert_pem.empty()) {
        ctx.use_certificate_chain(asio::buffer(o.cert_pem), ec);
        if (!ec) ctx.use_private_key(asio::buffer(o.key_pem), asio::ssl::context::pem, ec);
        if (ec) return terminal_error("certSecretRef tls.crt/tls.key: " + ec.message(), "InvalidCertificate");
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ok();
}

std::string proxy_authorization(const http_client_options& o)
{
    if (o.proxy_username.empty()) return {};
    return "Basic " + base64_encode(o.proxy_username + ":" + o.proxy_password);
}

// Opens a tunnel through an HTTP proxy for an https target.
status proxy_connect(beast::tcp_stream& s, const parsed_url& target, const http_client_options& o)
{
    http::request<http::empty_body> r{http::verb::connect, target.host + ":" + target.port, 11};
    r.set(http::field::host, target.host + ":" + target.port);
    if (auto auth = proxy_authorization(o); !auth.empty()) r.set(http::field::proxy_authorization, auth);
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

// One open connection with everything it needs to live on in the pool: its own io_context, and
// for https the TLS context and stream.
struct connection {
    asio::io_context io;
    beast::tcp_stream tcp{io};
    std::unique_ptr<asio::ssl::context> tls_ctx;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream&>> tls;
    clock::time_point idle_since;
};

result<std::unique_ptr<connection>> open(const parsed_url& u, const parsed_url& dial,
                                         const http_client_options& options)
{
    auto c = std::make_unique<connection>();
    tcp::resolver resolver(c->io);
    beast::error_code ec;
    auto endpoints = resolver.resolve(dial.host, dial.port, ec);
    if (ec) return transport_error(dial, "resolve: " + ec.message());
    c->tcp.expires_after(options.timeout);
    c->tcp.connect(endpoints, ec);
    if (ec) return transport_error(dial, "connect: " + ec.message());
    c->tcp.socket().set_option(tcp::no_delay(true), ec);
    if (u.scheme == "http") return c;
    if (!options.proxy.empty()) WEIR_TRY(proxy_connect(c->tcp, u, options));
    c->tls_ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    WEIR_TRY(configure_tls(*c->tls_ctx, options));
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream&>>(c->tcp, *c->tls_ctx);
    SSL_set_tlsext_host_name(c->tls->native_handle(), u.host.c_str());
    c->tls->set_verify_callback(asio::ssl::host_name_verification(u.host));
    c->tls->handshake(asio::ssl::stream_base::client, ec);
    if (ec) return transport_error(u, "TLS handshake: " + ec.message());
    return c;
}

// Sends one request; `keep` tells whether the connection may be reused. A reused connection the
// server closed meanwhile fails before any response byte: reported as StaleConnection so the
// caller retries on a fresh one.
template <class Stream>
result<http_response> exchange(Stream& stream, beast::tcp_stream& tcp_s, const parsed_url& u,
                               const http_request& req, const http_client_options& options, bool& keep)
{
    http::request<http::string_body> r;
    r.method_string(req.method);
    bool absolute = u.scheme == "http" && !options.proxy.empty();
    r.target(absolute ? u.scheme + "://" + u.host + ":" + u.port + u.target : u.target);
    r.version(11);
    r.set(http::field::host, u.host);
    r.set(http::field::user_agent, "weir-notification-controller");
    if (absolute)
        if (auto auth = proxy_authorization(options); !auth.empty())
            r.set(http::field::proxy_authorization, auth);
    bool has_type = false;
    for (const auto& [k, v] : req.headers) {
        r.set(k, v);
        has_type = has_type || beast::iequals(k, "Content-Type");
    }
    if (!has_type && !req.body.empty()) r.set(http::field::content_type, "application/json");
    r.body() = req.body;
    r.prepare_payload();
    beast::error_code ec;
    tcp_s.expires_after(options.timeout);
    http::write(stream, r, ec);
    if (ec) return transport_error(u, ec.message(), "StaleConnection");
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(4 << 20);
    http::read(stream, buf, parser, ec);
    if (ec) {
        bool nothing = !parser.got_some() && (ec == http::error::end_of_stream ||
                                              ec == asio::error::connection_reset || ec == asio::error::eof);
        return transport_error(u, ec.message(), nothing ? "StaleConnection" : "NetworkError");
    }
    keep = parser.keep_alive();
    return classify(u, parser.release());
}

// Idle keep-alive connections per origin (and proxy and TLS settings): notifications come in
// bursts to few endpoints, and a fresh TCP (and TLS) connection per event costs more than the
// request itself and leaves a TIME_WAIT socket behind each time.
class pool {
public:
    std::unique_ptr<connection> take(const std::string& key)
    {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(key);
        auto now = clock::now();
        while (it != idle_.end() && !it->second.empty()) {
            auto c = std::move(it->second.back());
            it->second.pop_back();
            if (now - c->idle_since < max_idle_) return c;
        }
        return nullptr;
    }
    void give_back(const std::string& key, std::unique_ptr<connection> c)
    {
        c->idle_since = clock::now();
        std::lock_guard lock(mutex_);
        auto& list = idle_[key];
        if (list.size() < max_per_key_) list.push_back(std::move(c));
    }

private:
    std::mutex mutex_;
    std::map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
    std::size_t max_per_key_ = 16;
    std::chrono::seconds max_idle_{30};
};

pool& shared_pool()
{
    static pool p;
    return p;
}

} // namespace

status check_ok_field(const http_request& req, const http_response& resp)
{
    if (req.ok_field.empty()) return ok();
    auto v = parse_json(resp.body);
    const value* f = v ? v->find(req.ok_field) : nullptr;
    if (f && f->is_bool() && f->as_bool()) return ok();
    return terminal_error(fmt::format("{} answered {} without \"{}\": true: {}",
                                      req.url.substr(0, req.url.find('?')), resp.status, req.ok_field,
                                      resp.body.substr(0, 300)),
                          "ProviderError");
}

result<http_response> send_request(const http_request& req, const http_client_options& options)
{
    WEIR_TRY_ASSIGN(auto u, parse_url(req.url));
    parsed_url dial = u;
    if (!options.proxy.empty()) {
        WEIR_TRY_ASSIGN(dial, parse_url(options.proxy));
    }
    std::string key =
        fmt::format("{}://{}:{}|{}|{}", u.scheme, u.host, u.port, options.proxy,
                    std::hash<std::string>{}(options.ca_pem + options.cert_pem + options.key_pem));
    try {
        for (int attempt = 0;; ++attempt) {
            auto conn = attempt == 0 ? shared_pool().take(key) : nullptr;
            bool reused = conn != nullptr;
            if (!conn) {
                WEIR_TRY_ASSIGN(conn, open(u, dial, options));
            }
            bool keep = false;
            auto r = conn->tls ? exchange(*conn->tls, conn->tcp, u, req, options, keep)
                               : exchange(conn->tcp, conn->tcp, u, req, options, keep);
            if (!r && reused && r.err().reason == "StaleConnection") continue;
            if (keep) shared_pool().give_back(key, std::move(conn));
            return r;
        }
    } catch (const std::exception& e) {
        return transport_error(u, e.what());
    }
}

} // namespace weir::notification
