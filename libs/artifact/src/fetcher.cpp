#include <weir/artifact/digest.hpp>
#include <weir/artifact/fetcher.hpp>

#include "sys.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace weir::artifact {
namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct url_parts {
    bool tls = false;
    std::string host, port, target;
};

result<url_parts> parse_url(const std::string& url)
{
    url_parts u;
    std::string_view rest = url;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        u.tls = true;
    } else {
        return terminal_error("artifact url '" + url + "' must start with http:// or https://", "InvalidURL");
    }
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (authority.starts_with("[")) { // IPv6 literal
        auto close = authority.find(']');
        if (close == std::string_view::npos) return terminal_error("artifact url '" + url + "' has a bad host", "InvalidURL");
        u.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) u.port = authority.substr(colon + 1);
    }
    if (u.host.empty()) return terminal_error("artifact url '" + url + "' has no host", "InvalidURL");
    if (u.port.empty()) u.port = u.tls ? "443" : "80";
    return u;
}

struct file_out {
    int fd = -1;
    ~file_out()
    {
        if (fd >= 0) ::close(fd);
    }
};

template <class Stream>
net::awaitable<result<fetch_result>> get_body(Stream& stream, beast::tcp_stream& lower, const url_parts& u,
                                              const std::string& url, int fd, const fetch_options& opts)
{
    auto tok = net::as_tuple(net::use_awaitable);
    http::request<http::empty_body> req{http::verb::get, u.target, 11};
    req.set(http::field::host, u.host);
    req.set(http::field::user_agent, "weir");
    for (const auto& [name, val] : opts.headers) req.set(name, val);
    lower.expires_after(opts.timeout);
    auto [wec, wn] = co_await http::async_write(stream, req, tok);
    if (wec) co_return transient_error("cannot send request to '" + url + "': " + wec.message(), "ArtifactFetchFailed");
    beast::flat_buffer buf;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(opts.max_download_bytes);
    auto [hec, hn] = co_await http::async_read_header(stream, buf, parser, tok);
    if (hec == http::error::body_limit) // Content-Length already says too much
        co_return terminal_error("artifact '" + url + "' is larger than the limit of " +
                                     std::to_string(opts.max_download_bytes) + " bytes",
                                 "ArtifactTooLarge");
    if (hec) co_return transient_error("cannot read response from '" + url + "': " + hec.message(), "ArtifactFetchFailed");
    auto code = parser.get().result_int();
    if (code >= 300 && code < 400 && opts.max_redirects > 0) {
        auto location = parser.get()[http::field::location];
        if (!location.empty()) { // download() follows it
            error e = transient_error(std::string(location), "ArtifactRedirect");
            e.code = static_cast<int>(code);
            co_return e;
        }
    }
    if (code != 200) {
        auto msg = "artifact '" + url + "' answered HTTP " + std::to_string(code);
        error e = transient_error(msg, "ArtifactFetchFailed");
        e.code = static_cast<int>(code);
        co_return e;
    }
    fetch_result res;
    sha256_hasher hash;
    std::string chunk(1 << 17, '\0');
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        auto [ec, n] = co_await http::async_read(stream, buf, parser, tok);
        if (ec == http::error::need_buffer) ec = {};
        if (ec == http::error::body_limit)
            co_return terminal_error("artifact '" + url + "' is larger than the limit of " +
                                         std::to_string(opts.max_download_bytes) + " bytes",
                                     "ArtifactTooLarge");
        if (ec) {
            co_return transient_error("download of '" + url + "' broke after " + std::to_string(res.size) +
                                          " bytes: " + ec.message() + " (truncated)",
                                      "ArtifactFetchFailed");
        }
        std::size_t got = chunk.size() - parser.get().body().size;
        if (got && !write_all(fd, chunk.data(), got))
            co_return transient_error("cannot write the download of '" + url + "': " + std::strerror(errno),
                                      "ArtifactFetchFailed");
        hash.update(chunk.data(), got);
        res.size += got;
    }
    res.digest = hash.final_digest();
    co_return res;
}

net::awaitable<result<fetch_result>> do_get(url_parts u, std::string url, int fd, fetch_options opts)
{
    auto ex = co_await net::this_coro::executor;
    auto tok = net::as_tuple(net::use_awaitable);
    tcp::resolver resolver(ex);
    auto [rec, eps] = co_await resolver.async_resolve(u.host, u.port, tok);
    if (rec) co_return transient_error("cannot resolve '" + u.host + "' for '" + url + "': " + rec.message(), "ArtifactFetchFailed");
    beast::tcp_stream tcp_s(ex);
    tcp_s.expires_after(opts.timeout);
    auto [cec, ep] = co_await tcp_s.async_connect(eps, tok);
    if (cec) co_return transient_error("cannot connect to '" + url + "': " + cec.message(), "ArtifactFetchFailed");
    if (!u.tls) co_return co_await get_body(tcp_s, tcp_s, u, url, fd, opts);

    ssl::context ctx(ssl::context::tls_client);
    boost::system::error_code ec;
    if (!opts.ca_pem.empty()) ctx.add_certificate_authority(net::buffer(opts.ca_pem), ec);
    else if (opts.ca_file.empty()) ctx.set_default_verify_paths(ec);
    else ctx.load_verify_file(opts.ca_file, ec);
    if (ec) co_return terminal_error("cannot load CA certificates '" + opts.ca_file + "': " + ec.message(), "InvalidCA");
    if (!opts.client_cert_pem.empty()) {
        ctx.use_certificate_chain(net::buffer(opts.client_cert_pem), ec);
        if (!ec) ctx.use_private_key(net::buffer(opts.client_key_pem), ssl::context::pem, ec);
        if (ec) co_return terminal_error("cannot load the client certificate and key: " + ec.message(), "InvalidCertificate");
    }
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_s), ctx);
    SSL_set_tlsext_host_name(tls.native_handle(), u.host.c_str());
    tls.set_verify_callback(ssl::host_name_verification(u.host));
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, tok);
    if (hec) co_return transient_error("TLS handshake with '" + url + "' failed: " + hec.message(), "ArtifactFetchFailed");
    co_return co_await get_body(tls, beast::get_lowest_layer(tls), u, url, fd, opts);
}

// Asio needs a default-constructible coroutine result; result<T> is not, so report through `out`.
net::awaitable<void> run_get(url_parts u, std::string url, int fd, fetch_options opts, result<fetch_result>* out)
{
    *out = co_await do_get(std::move(u), std::move(url), fd, std::move(opts));
}

// Where a Location header points, relative to the URL that answered with it.
std::string resolve_location(const std::string& from, const std::string& location)
{
    if (location.find("://") != std::string::npos) return location;
    auto scheme = from.find("://");
    auto path_start = from.find('/', scheme + 3);
    std::string origin = from.substr(0, path_start);
    if (location.starts_with("/")) return origin + location;
    std::string dir = path_start == std::string::npos ? "/" : from.substr(path_start, from.rfind('/') - path_start + 1);
    return origin + dir + location;
}

} // namespace

result<fetch_result> download(const std::string& url, const std::string& expected_digest, const fs::path& out_file,
                              const fetch_options& options)
{
    WEIR_TRY_ASSIGN(auto u, parse_url(url));
    if (!expected_digest.empty()) WEIR_TRY(digest_hex(expected_digest));
    file_out out{::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (out.fd < 0) return transient_error(fmt_errno("cannot create ", out_file), "ArtifactFetchFailed");
    fetch_options opts = options;
    std::string current = url;
    result<fetch_result> res = transient_error("download of '" + url + "' did not finish", "ArtifactFetchFailed");
    for (int hops = 0;; ++hops) {
        net::io_context ioc;
        res = transient_error("download of '" + current + "' did not finish", "ArtifactFetchFailed");
        net::co_spawn(ioc, run_get(u, current, out.fd, opts, &res), net::detached);
        ioc.run();
        if (res || res.err().reason != "ArtifactRedirect") break;
        if (hops >= options.max_redirects)
            return transient_error("'" + url + "' redirected more than " + std::to_string(options.max_redirects) + " times",
                                   "ArtifactFetchFailed");
        std::string next = resolve_location(current, res.err().message);
        WEIR_TRY_ASSIGN(auto next_parts, parse_url(next));
        if (next_parts.host != u.host || next_parts.port != u.port) opts.headers.clear();
        u = std::move(next_parts);
        current = std::move(next);
    }
    if (!res) return res;
    if (!expected_digest.empty() && res->digest != expected_digest)
        return transient_error("artifact '" + url + "' has digest " + res->digest + ", expected " + expected_digest +
                                   " (changed or corrupted in transit; will retry)",
                               "ArtifactVerificationFailed");
    return res;
}

result<fetch_result> fetch_artifact(const std::string& url, const std::string& expected_digest, const fs::path& target,
                                    const fetch_options& options)
{
    std::error_code ec;
    auto parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fs::create_directories(parent, ec);
    auto tmp = unique_sibling(target, "download");
    auto res = download(url, expected_digest, tmp, options);
    if (res) {
        auto x = extract_tarball(tmp, target, options.extract);
        if (x) res->extracted = *x;
        else res = std::move(x).err().wrap("artifact '" + url + "'");
    }
    fs::remove(tmp, ec);
    return res;
}

} // namespace weir::artifact
