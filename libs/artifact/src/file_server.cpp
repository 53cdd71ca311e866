#include <weir/artifact/file_server.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace weir::artifact {
namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes the path of a request target and checks every component; empty on rejection.
std::string safe_relative_path(std::string_view target)
{
    target = target.substr(0, target.find('?'));
    std::string path;
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] == '%' && i + 2 < target.size() + 0 && hex_value(target[i + 1]) >= 0 &&
            hex_value(target[i + 2]) >= 0) {
            path += static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
            i += 2;
        } else {
            path += target[i];
        }
    }
    if (path.empty() || path.front() != '/') return {};
    std::string out;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        auto c = std::string_view(path).substr(start, end - start);
        if (c.empty() || c.front() == '.' || c.find('\0') != std::string_view::npos ||
            c.find('\\') != std::string_view::npos)
            return {};
        out += (out.empty() ? "" : "/") + std::string(c);
        start = end + 1;
    }
    return out;
}

struct byte_range {
    std::uint64_t first = 0, last = 0;
};

// Parses "bytes=a-b", "bytes=a-", "bytes=-n". 0: no usable single range, 1: ok, -1: unsatisfiable.
int parse_range(std::string_view h, std::uint64_t size, byte_range& r)
{
    constexpr std::string_view unit = "bytes=";
    if (h.substr(0, unit.size()) != unit || h.find(',') != std::string_view::npos) return 0;
    h.remove_prefix(unit.size());
    auto dash = h.find('-');
    if (dash == std::string_view::npos) return 0;
    auto num = [](std::string_view s, std::uint64_t& v) {
        if (s.empty()) return false;
        v = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return true;
    };
    std::uint64_t a = 0, b = 0;
    bool has_a = num(h.substr(0, dash), a), has_b = num(h.substr(dash + 1), b);
    if (!has_a && !has_b) return 0;
    if (!has_a) { // suffix
        if (b == 0 || size == 0) return -1;
        r.first = b >= size ? 0 : size - b;
        r.last = size - 1;
        return 1;
    }
    if (a >= size) return -1;
    r.first = a;
    r.last = has_b ? std::min(b, size - 1) : size - 1;
    return r.last >= r.first ? 1 : 0;
}

} // namespace

struct file_server::impl {
    fs::path root;
    file_server_options opts;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
    std::uint16_t port = 0;

    http::message_generator respond(const http::request<http::empty_body>& req)
    {
        auto plain = [&](http::status s, std::string body) {
            http::response<http::string_body> res{s, req.version()};
            res.set(http::field::content_type, "text/plain");
            res.keep_alive(req.keep_alive());
            res.body() = std::move(body);
            res.prepare_payload();
            if (req.method() == http::verb::head) res.body().clear();
            return http::message_generator(std::move(res));
        };
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            auto m = plain(http::status::method_not_allowed, "method not allowed\n");
            return m;
        }
        auto rel = safe_relative_path(req.target());
        struct stat st;
        fs::path file = root / rel;
        if (rel.empty() || ::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            return plain(http::status::not_found, "not found\n");
        char etag[96];
        std::snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(st.st_ino),
                      static_cast<unsigned long long>(st.st_size),
                      static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                          static_cast<unsigned long long>(st.st_mtim.tv_nsec));
        auto common = [&](auto& res) {
            res.set(http::field::etag, etag);
            res.set(http::field::accept_ranges, "bytes");
            res.set(http::field::content_type, rel.ends_with(".tar.gz") || rel.ends_with(".tgz")
                                                   ? "application/gzip"
                                                   : "application/octet-stream");
            res.keep_alive(req.keep_alive());
        };
        auto inm = req[http::field::if_none_match];
        if (!inm.empty() && (inm == etag || inm == "*")) {
            http::response<http::empty_body> res{http::status::not_modified, req.version()};
            common(res);
            return http::message_generator(std::move(res));
        }
        auto size = static_cast<std::uint64_t>(st.st_size);
        byte_range r;
        int rk = req[http::field::range].empty() ? 0 : parse_range(req[http::field::range], size, r);
        auto if_range = req[http::field::if_range];
        if (rk != 0 && !if_range.empty() && if_range != etag) rk = 0;
        if (rk < 0) {
            http::response<http::empty_body> res{http::status::range_not_satisfiable, req.version()};
            common(res);
            res.set(http::field::content_range, "bytes */" + std::to_string(size));
            res.content_length(0); // or the client would read until the connection closes
            return http::message_generator(std::move(res));
        }
        if (rk > 0) return ranged(req, file, r, size, common);
        beast::error_code ec;
        http::file_body::value_type body;
        body.open(file.c_str(), beast::file_mode::scan, ec);
        if (ec) return plain(http::status::not_found, "not found\n");
        if (req.method() == http::verb::head) {
            http::response<http::empty_body> res{http::status::ok, req.version()};
            common(res);
            res.content_length(size);
            return http::message_generator(std::move(res));
        }
        http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                            std::make_tuple(http::status::ok, req.version())};
        common(res);
        res.prepare_payload();
        return http::message_generator(std::move(res));
    }

    template <class Common>
    http::message_generator ranged(const http::request<http::empty_body>& req, const fs::path& file,
                                   byte_range r, std::uint64_t size, Common& common)
    {
        http::response<http::string_body> res{http::status::partial_content, req.version()};
        common(res);
        res.set(http::field::content_range, "bytes " + std::to_string(r.first) + "-" +
                                                std::to_string(r.last) + "/" + std::to_string(size));
        std::string body(r.last - r.first + 1, '\0');
        int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : ::pread(fd, body.data(), body.size(), static_cast<off_t>(r.first));
        if (fd >= 0) ::close(fd);
        body.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
        res.content_length(body.size());
        if (req.method() != http::verb::head) res.body() = std::move(body);
        return http::message_generator(std::move(res));
    }

    net::awaitable<void> session(tcp::socket sock)
    {
        beast::tcp_stream stream(std::move(sock));
        beast::flat_buffer buf;
        for (;;) {
            stream.expires_after(opts.read_timeout);
            http::request_parser<http::empty_body> parser;
            parser.header_limit(16 * 1024);
            auto [ec, n] = co_await http::async_read(stream, buf, parser, net::as_tuple(net::use_awaitable));
            if (ec) break;
            auto req = parser.release();
            bool keep = req.keep_alive();
            auto msg = respond(req);
            stream.expires_after(std::chrono::minutes(10));
            auto [wec, wn] =
                co_await beast::async_write(stream, std::move(msg), net::as_tuple(net::use_awaitable));
            if (wec || !keep) break;
        }
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    net::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
            if (ec) {
                if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
                continue;
            }
            net::co_spawn(ioc, session(std::move(sock)), net::detached);
        }
    }
};

file_server::file_server(fs::path root, file_server_options options) : impl_(std::make_unique<impl>())
{
    impl_->root = std::move(root);
    impl_->opts = std::move(options);
}

file_server::~file_server()
{
    stop();
}

status file_server::start()
{
    boost::system::error_code ec;
    auto addr = net::ip::make_address(impl_->opts.address, ec);
    if (ec) return terminal_error("invalid storage address '" + impl_->opts.address + "'", "InvalidAddress");
    tcp::endpoint ep(addr, impl_->opts.port);
    auto& acc = impl_->acceptor;
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return transient_error("cannot listen on " + impl_->opts.address + ":" +
                                   std::to_string(impl_->opts.port) + ": " + ec.message(),
                               "ListenFailed");
    impl_->port = acc.local_endpoint().port();
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    for (int i = 0; i < std::max(1, impl_->opts.threads); ++i)
        impl_->threads.emplace_back([this] { impl_->ioc.run(); });
    return ok();
}

void file_server::stop()
{
    if (!impl_ || impl_->threads.empty()) return;
    net::post(impl_->ioc, [this] {
        boost::system::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->ioc.stop();
    for (auto& t : impl_->threads)
        t.join();
    impl_->threads.clear();
}

std::uint16_t file_server::port() const
{
    return impl_->port;
}

} // namespace weir::artifact
