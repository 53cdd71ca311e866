#include "tls.hpp"

#include <weir/apiserver/api.hpp>
#include <weir/apiserver/server.hpp>
#include <weir/core/log.hpp>
#include <weir/core/ops_server.hpp>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace weir::apiserver {

namespace {

// The value of a Warning header as the real server writes it: code 299, no agent, quoted text.
std::string warning_header(std::string_view text)
{
    std::string out = "299 - \"";
    for (char ch : text) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

} // namespace

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

std::string base64_encode(std::string_view in); // util.cpp

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
// Request bodies are limited to 3 MiB, as on the real server.
constexpr std::size_t max_body = 3u * 1024 * 1024;
constexpr std::size_t read_limit = 16u * 1024 * 1024;

using ssl_stream = beast::ssl_stream<beast::tcp_stream>;

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

request to_request(const http::request<http::string_body>& req)
{
    request r;
    r.method = std::string(req.method_string());
    std::string_view target = req.target();
    auto q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    r.accept = std::string(req[http::field::accept]);
    r.content_type = std::string(req[http::field::content_type]);
    r.user_agent = std::string(req[http::field::user_agent]);
    r.authorization = std::string(req[http::field::authorization]);
    for (const auto& f : req) {
        if (beast::iequals(f.name_string(), "Impersonate-User"))
            r.impersonate_user = std::string(f.value());
        else if (beast::iequals(f.name_string(), "Impersonate-Group"))
            r.impersonate_groups.emplace_back(f.value());
    }
    r.body = req.body();
    return r;
}

} // namespace

std::string kubeconfig_text(std::string_view url, std::string_view ca_pem, std::string_view token)
{
    std::string ca_b64 = base64_encode(ca_pem);
    return fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: weir
  cluster:
    server: {}
    certificate-authority-data: {}
users:
- name: admin
  user:
    token: {}
contexts:
- name: weir
  context:
    cluster: weir
    user: admin
    namespace: default
current-context: weir
)",
                       url, ca_b64, token);
}

struct server::impl {
    server_options opt;
    net::io_context io{1};
    ssl::context tls{ssl::context::tls_server};
    tcp::acceptor acceptor{io};
    net::signal_set signals{io};
    std::unique_ptr<api> a;
    unsigned short bound = 0;
    std::string host;
    logger log{"apiserver"};
    int lock_fd = -1;

    ~impl()
    {
        if (lock_fd >= 0) ::close(lock_fd);
    }

    net::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(use_nothrow);
            if (ec) {
                if (ec == net::error::operation_aborted) co_return;
                continue;
            }
            sock.set_option(tcp::no_delay(true));
            net::co_spawn(io, session(std::move(sock)), net::detached);
        }
    }

    net::awaitable<void> ticker()
    {
        net::steady_timer t(io);
        for (;;) {
            t.expires_after(5s);
            auto [ec] = co_await t.async_wait(use_nothrow);
            if (ec) co_return;
            a->tick();
        }
    }

    net::awaitable<void> write_response(ssl_stream& stream, unsigned version, bool keep_alive, response r)
    {
        http::response<http::string_body> res{static_cast<http::status>(r.status), version};
        res.set(http::field::content_type, r.content_type);
        res.set(http::field::cache_control, "no-cache, private");
        for (const auto& w : r.warnings)
            res.insert(http::field::warning, warning_header(w));
        res.keep_alive(keep_alive);
        res.body() = std::move(r.body);
        res.prepare_payload();
        stream.next_layer().expires_after(60s);
        co_await http::async_write(stream, res, use_nothrow);
    }

    net::awaitable<void> stream_watch(ssl_stream& stream, unsigned version, std::shared_ptr<watcher> w)
    {
        http::response<http::empty_body> res{http::status::ok, version};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::cache_control, "no-cache, private");
        res.chunked(true);
        http::response_serializer<http::empty_body> sr{res};
        stream.next_layer().expires_never();
        auto [ec, hn] = co_await http::async_write_header(stream, sr, use_nothrow);
        (void)hn;
        net::steady_timer timer(io);
        w->wake = [&timer] { timer.cancel(); };
        std::string chunk;
        while (!ec) {
            chunk.clear();
            while (!w->pending.empty() && chunk.size() < 256 * 1024) {
                chunk += *w->pending.front();
                w->pending_bytes -= w->pending.front()->size();
                w->pending.pop_front();
            }
            if (!chunk.empty()) {
                stream.next_layer().expires_after(60s);
                auto body = http::make_chunk(net::buffer(chunk)); // named: see the note in session()
                std::tie(ec, std::ignore) = co_await net::async_write(stream, body, use_nothrow);
                continue;
            }
            if (w->closed || std::chrono::steady_clock::now() >= w->deadline) break;
            timer.expires_at(w->deadline);
            co_await timer.async_wait(use_nothrow);
        }
        w->wake = nullptr;
        w->closed = true;
        if (!ec) {
            stream.next_layer().expires_after(10s);
            auto last = http::make_chunk_last();
            co_await net::async_write(stream, last, use_nothrow);
        }
    }

    net::awaitable<void> session(tcp::socket sock)
    {
        ssl_stream stream(std::move(sock), tls);
        stream.next_layer().expires_after(30s);
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
        if (ec) co_return;
        beast::flat_buffer buf;
        for (;;) {
            http::request_parser<http::string_body> parser;
            // Bodies up to read_limit are read in full so the client gets its 413 rather than a
            // reset connection; anything larger is cut off.
            parser.body_limit(read_limit);
            parser.header_limit(64 * 1024);
            stream.next_layer().expires_after(opt.request_timeout);
            auto [hec, hn] = co_await http::async_read_header(stream, buf, parser, use_nothrow);
            if (hec || (parser.content_length() && *parser.content_length() > read_limit)) break;
            auto [rec, n] = co_await http::async_read(stream, buf, parser, use_nothrow);
            if (!rec && parser.get().body().size() > max_body) {
                // A named local, not a temporary in the co_await expression: GCC 12 destroys such
                // temporaries twice.
                response too_large{
                    413, "application/json",
                    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 3145728","reason":"RequestEntityTooLarge","code":413})"};
                co_await write_response(stream, 11, false, std::move(too_large));
                break;
            }
            if (rec) break;
            auto& req = parser.get();
            bool keep = req.keep_alive();
            auto out = a->serve(to_request(req));
            if (auto* r = std::get_if<response>(&out)) {
                co_await write_response(stream, req.version(), keep, std::move(*r));
                if (!keep) break;
                continue;
            }
            co_await stream_watch(stream, req.version(), std::get<std::shared_ptr<watcher>>(out));
            break;
        }
        stream.next_layer().expires_after(5s);
        co_await stream.async_shutdown(use_nothrow);
    }
};

server::server() : impl_(std::make_unique<impl>()) {}
server::~server() = default;

result<std::unique_ptr<server>> server::create(server_options options)
{
    std::unique_ptr<server> s(new server());
    auto& im = *s->impl_;
    im.opt = std::move(options);
    std::error_code fec;
    std::filesystem::create_directories(im.opt.data_dir, fec);
    if (fec)
        return terminal_error("cannot create data directory " + im.opt.data_dir.string() + ": " +
                              fec.message());
    // One server per data directory; the kernel drops the lock when the process dies, even by kill -9.
    im.lock_fd = ::open((im.opt.data_dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (im.lock_fd < 0 || ::flock(im.lock_fd, LOCK_EX | LOCK_NB) != 0)
        return terminal_error("data directory " + im.opt.data_dir.string() +
                              " is in use by another weir-apiserver: stop it or use another --data-dir");
    WEIR_TRY_ASSIGN(auto cr, ensure_credentials(im.opt.data_dir));
    WEIR_TRY_ASSIGN(auto addr, parse_listen_address(im.opt.listen));
    boost::system::error_code ec;
    im.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    im.tls.use_certificate_chain_file(cr.server_cert.string(), ec);
    if (!ec) im.tls.use_private_key_file(cr.server_key.string(), ssl::context::pem, ec);
    if (ec)
        return terminal_error("tls: cannot load " + cr.server_cert.string() + ": " + ec.message() +
                              ": delete the certificates in the data directory to regenerate them");
    auto ip = net::ip::make_address(addr.first.empty() ? "0.0.0.0" : addr.first, ec);
    if (ec) return terminal_error("invalid listen address " + im.opt.listen + ": use host:port");
    tcp::endpoint ep(ip, addr.second);
    im.acceptor.open(ep.protocol(), ec);
    if (!ec) im.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) im.acceptor.bind(ep, ec);
    if (!ec) im.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return terminal_error("cannot listen on " + im.opt.listen + ": " + ec.message());
    im.bound = im.acceptor.local_endpoint().port();
    im.host = ip.is_unspecified() ? "127.0.0.1" : ip.to_string();
    if (ip.is_v6()) im.host = "[" + im.host + "]";
    WEIR_TRY_ASSIGN(im.a, api::open({.data_dir = im.opt.data_dir,
                                     .token = cr.token,
                                     .rbac = im.opt.rbac,
                                     .server_url = im.host + ":" + std::to_string(im.bound)}));
    if (!im.opt.kubeconfig.empty()) {
        std::string text = kubeconfig_text(s->url(), read_file(cr.ca_cert), cr.token);
        std::ofstream out(im.opt.kubeconfig);
        out << text;
        if (!out) return terminal_error("cannot write kubeconfig " + im.opt.kubeconfig.string());
    }
    return s;
}

std::string server::url() const
{
    return fmt::format("https://{}:{}", impl_->host, impl_->bound);
}
unsigned short server::port() const
{
    return impl_->bound;
}

void server::run()
{
    auto& im = *impl_;
    if (im.opt.handle_signals) {
        im.signals.add(SIGINT);
        im.signals.add(SIGTERM);
        im.signals.async_wait([&im](const boost::system::error_code& ec, int) {
            if (!ec) im.io.stop();
        });
    }
    net::co_spawn(im.io, im.accept_loop(), net::detached);
    net::co_spawn(im.io, im.ticker(), net::detached);
    im.io.run();
}

void server::stop()
{
    net::post(impl_->io, [this] { impl_->io.stop(); });
}

} // namespace weir::apiserver
