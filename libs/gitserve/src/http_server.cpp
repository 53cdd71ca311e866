#include <weir/gitserve/http_server.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace weir::gitserve {
namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Runs git-http-backend with the CGI environment; returns its raw output (headers + body).
std::string run_cgi(const std::vector<std::string>& env, const std::string& body)
{
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return {};
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        return {};
    }
    std::vector<char*> envp;
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        char prog[] = "/usr/lib/git-core/git-http-backend";
        char* argv[] = {prog, nullptr};
        ::execve(prog, argv, envp.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    // Written from a thread: a large push would otherwise fill both pipes and deadlock.
    std::thread writer([&] {
        std::size_t done = 0;
        while (done < body.size()) {
            ssize_t n = ::write(in[1], body.data() + done, body.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::close(in[1]);
    });
    std::string output;
    char buf[65536];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
        output.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    writer.join();
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
    return output;
}

std::string base64(const std::string& text)
{
    std::string enc(beast::detail::base64::encoded_size(text.size()), '\0');
    enc.resize(beast::detail::base64::encode(enc.data(), text.data(), text.size()));
    return enc;
}

// Copies the CGI output's headers ("Status: 404 ...", "Content-Type: ...") and body onto `res`.
void cgi_to_response(const std::string& out, http::response<http::string_body>& res)
{
    std::size_t sep = out.find("\r\n\r\n"), skip = 4;
    if (sep == std::string::npos) {
        sep = out.find("\n\n");
        skip = 2;
    }
    if (sep == std::string::npos) {
        res.result(http::status::internal_server_error);
        return;
    }
    std::istringstream headers(out.substr(0, sep));
    for (std::string line; std::getline(headers, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        if (name == "Status")
            res.result(static_cast<unsigned>(std::atoi(value.c_str())));
        else
            res.set(name, value);
    }
    res.body() = out.substr(sep + skip);
}

} // namespace

struct http_server::impl {
    http_server_options opts;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    ssl::context tls_ctx{ssl::context::tls_server};
    std::thread accept_thread;
    std::mutex mu;
    std::vector<std::thread> workers;
    std::vector<std::shared_ptr<tcp::socket>> sockets;
    bool stopping = false;
    std::uint16_t port = 0;

    bool tls() const { return !opts.tls_cert_file.empty(); }

    bool authorized(const http::request<http::string_body>& req) const
    {
        if (opts.username.empty() && opts.bearer_token.empty()) return true;
        std::string h(req[http::field::authorization]);
        if (!opts.bearer_token.empty() && h == "Bearer " + opts.bearer_token) return true;
        return !opts.username.empty() && h == "Basic " + base64(opts.username + ":" + opts.password);
    }

    std::vector<std::string> cgi_environment(const http::request<http::string_body>& req) const
    {
        std::string target(req.target());
        auto q = target.find('?');
        std::vector<std::string> env = {"GIT_PROJECT_ROOT=" + opts.base.string(),
                                        "GIT_HTTP_EXPORT_ALL=1",
                                        "PATH_INFO=" + target.substr(0, q),
                                        "QUERY_STRING=" +
                                            (q == std::string::npos ? "" : target.substr(q + 1)),
                                        "REQUEST_METHOD=" + std::string(req.method_string()),
                                        "CONTENT_TYPE=" + std::string(req[http::field::content_type]),
                                        "CONTENT_LENGTH=" + std::to_string(req.body().size()),
                                        "REMOTE_USER=weir",
                                        "REMOTE_ADDR=127.0.0.1",
                                        "PATH=/usr/bin:/bin"};
        // http-backend refuses pushes from anonymous users unless told otherwise.
        auto config = opts.git_config;
        config.emplace("http.receivepack", "true");
        env.push_back(fmt::format("GIT_CONFIG_COUNT={}", config.size()));
        std::size_t i = 0;
        for (const auto& [key, value] : config) {
            env.push_back(fmt::format("GIT_CONFIG_KEY_{}={}", i, key));
            env.push_back(fmt::format("GIT_CONFIG_VALUE_{}={}", i++, value));
        }
        if (auto ce = req[http::field::content_encoding]; !ce.empty())
            env.push_back("HTTP_CONTENT_ENCODING=" + std::string(ce));
        if (auto gp = req["Git-Protocol"]; !gp.empty()) env.push_back("GIT_PROTOCOL=" + std::string(gp));
        return env;
    }

    http::response<http::string_body> handle(const http::request<http::string_body>& req)
    {
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        if (!authorized(req)) {
            res.result(http::status::unauthorized);
            res.set(http::field::www_authenticate, "Basic realm=\"git\"");
            res.keep_alive(false); // like git's own servers: the client reconnects with credentials
        } else {
            cgi_to_response(run_cgi(cgi_environment(req), req.body()), res);
        }
        res.prepare_payload();
        return res;
    }

    template <class Stream> void serve(Stream& stream)
    {
        beast::flat_buffer buf;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(1ull << 30);
            beast::error_code ec;
            http::read(stream, buf, parser, ec);
            if (ec) return;
            auto req = parser.release();
            auto res = handle(req);
            http::write(stream, res, ec);
            if (ec || !req.keep_alive()) return;
        }
    }

    void connection(const std::shared_ptr<tcp::socket>& sock)
    {
        if (!tls()) {
            serve(*sock);
        } else {
            ssl::stream<tcp::socket&> stream(*sock, tls_ctx);
            beast::error_code ec;
            stream.handshake(ssl::stream_base::server, ec);
            if (!ec) serve(stream);
        }
        beast::error_code ec;
        sock->shutdown(tcp::socket::shutdown_both, ec);
    }

    void accept_loop()
    {
        for (;;) {
            auto sock = std::make_shared<tcp::socket>(ioc);
            beast::error_code ec;
            acceptor.accept(*sock, ec);
            std::lock_guard g(mu);
            if (ec || stopping) return;
            sockets.push_back(sock);
            workers.emplace_back([this, sock] { connection(sock); });
        }
    }
};

http_server::http_server(http_server_options options) : impl_(std::make_unique<impl>())
{
    impl_->opts = std::move(options);
}

http_server::~http_server()
{
    stop();
}

status http_server::start()
{
    if (!fs::exists("/usr/lib/git-core/git-http-backend"))
        return terminal_error(
            "git http-backend is not installed (/usr/lib/git-core/git-http-backend): install git");
    beast::error_code ec;
    if (impl_->tls()) {
        impl_->tls_ctx.use_certificate_chain_file(impl_->opts.tls_cert_file, ec);
        if (!ec) impl_->tls_ctx.use_private_key_file(impl_->opts.tls_key_file, ssl::context::pem, ec);
        if (ec) return terminal_error("git http server: cannot load the TLS certificate: " + ec.message());
    }
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), impl_->opts.port);
    impl_->acceptor.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(ep, ec);
    if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return transient_error(fmt::format("git http server: cannot listen on 127.0.0.1:{}: {}",
                                           impl_->opts.port, ec.message()));
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
    return ok();
}

void http_server::stop()
{
    if (!impl_->accept_thread.joinable()) return;
    {
        std::lock_guard g(impl_->mu);
        impl_->stopping = true;
        beast::error_code ec;
        impl_->acceptor.cancel(ec);
        impl_->acceptor.close(ec);
        for (auto& s : impl_->sockets)
            s->shutdown(tcp::socket::shutdown_both, ec);
    }
    // A blocked accept() may not notice close(): a connection wakes it.
    {
        net::io_context ioc;
        tcp::socket s(ioc);
        beast::error_code ec;
        s.connect({net::ip::make_address("127.0.0.1"), impl_->port}, ec);
    }
    impl_->accept_thread.join();
    for (auto& t : impl_->workers)
        t.join();
    impl_->workers.clear();
    impl_->sockets.clear();
}

std::uint16_t http_server::port() const
{
    return impl_->port;
}

std::string http_server::url(const std::string& path) const
{
    return fmt::format("{}://127.0.0.1:{}/{}", impl_->tls() ? "https" : "http", impl_->port, path);
}

} // namespace weir::gitserve
