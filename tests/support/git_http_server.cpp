// git http-backend as CGI behind a small Beast server (test support).
#include "git_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/core/detail/base64.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace weir::test {
namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs git-http-backend with the CGI environment; returns its raw output (headers + body).
std::string run_cgi(const std::vector<std::string>& env, const std::string& body)
{
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        std::vector<char*> envp;
        for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        char prog[] = "/usr/lib/git-core/git-http-backend";
        char* argv[] = {prog, nullptr};
        ::execve(prog, argv, envp.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
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
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) output.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    writer.join();
    int status = 0;
    ::waitpid(pid, &status, 0);
    return output;
}

} // namespace

struct git_http_server::impl {
    fs::path base;
    git_http_options opts;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    ssl::context tls_ctx{ssl::context::tls_server};
    std::string ca_pem;
    fs::path cert_dir;
    std::thread accept_thread;
    std::mutex mu;
    std::vector<std::thread> workers;
    std::vector<std::shared_ptr<tcp::socket>> sockets;
    bool stopping = false;
    std::uint16_t port = 0;

    bool authorized(const http::request<http::string_body>& req) const
    {
        if (opts.username.empty() && opts.bearer_token.empty()) return true;
        std::string h(req[http::field::authorization]);
        if (!opts.bearer_token.empty() && h == "Bearer " + opts.bearer_token) return true;
        if (!opts.username.empty() && h.starts_with("Basic ")) {
            std::string creds = opts.username + ":" + opts.password;
            std::string enc(beast::detail::base64::encoded_size(creds.size()), '\0');
            enc.resize(beast::detail::base64::encode(enc.data(), creds.data(), creds.size()));
            return h.substr(6) == enc;
        }
        return false;
    }

    http::response<http::string_body> handle(const http::request<http::string_body>& req)
    {
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        if (!authorized(req)) {
            res.result(http::status::unauthorized);
            res.set(http::field::www_authenticate, "Basic realm=\"git\"");
            res.keep_alive(false); // like git's own servers: the client reconnects with credentials
            res.prepare_payload();
            return res;
        }
        std::string target(req.target());
        auto q = target.find('?');
        std::vector<std::string> env = {
            "GIT_PROJECT_ROOT=" + base.string(), "GIT_HTTP_EXPORT_ALL=1",
            "PATH_INFO=" + target.substr(0, q), "QUERY_STRING=" + (q == std::string::npos ? "" : target.substr(q + 1)),
            "REQUEST_METHOD=" + std::string(req.method_string()),
            "CONTENT_TYPE=" + std::string(req[http::field::content_type]),
            "CONTENT_LENGTH=" + std::to_string(req.body().size()), "REMOTE_USER=weir", "REMOTE_ADDR=127.0.0.1",
            "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true",
            "PATH=/usr/bin:/bin"};
        if (auto ce = req[http::field::content_encoding]; !ce.empty()) env.push_back("HTTP_CONTENT_ENCODING=" + std::string(ce));
        if (auto gp = req["Git-Protocol"]; !gp.empty()) env.push_back("GIT_PROTOCOL=" + std::string(gp));
        auto out = run_cgi(env, req.body());
        auto sep = out.find("\r\n\r\n");
        std::size_t skip = 4;
        if (sep == std::string::npos) {
            sep = out.find("\n\n");
            skip = 2;
        }
        if (sep == std::string::npos) {
            res.result(http::status::internal_server_error);
            res.prepare_payload();
            return res;
        }
        std::istringstream headers(out.substr(0, sep));
        for (std::string line; std::getline(headers, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            auto name = line.substr(0, colon);
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "Status") res.result(static_cast<unsigned>(std::atoi(value.c_str())));
            else res.set(name, value);
        }
        res.body() = out.substr(sep + skip);
        res.prepare_payload();
        return res;
    }

    template <class Stream>
    void serve(Stream& stream)
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

    void connection(std::shared_ptr<tcp::socket> sock)
    {
        if (!opts.tls) {
            serve(*sock);
        } else {
            ssl::stream<tcp::socket&> tls(*sock, tls_ctx);
            beast::error_code ec;
            tls.handshake(ssl::stream_base::server, ec);
            if (!ec) serve(tls);
        }
        beast::error_code ec;
        sock->shutdown(tcp::socket::shutdown_both, ec);
    }

    void make_certs()
    {
        std::random_device rd;
        cert_dir = fs::temp_directory_path() / ("weir-tls-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(cert_dir);
        auto p = [&](const char* f) { return (cert_dir / f).string(); };
        run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj", "/CN=weir test CA"});
        run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1"});
        std::ofstream(cert_dir / "ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
        run({"openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
             "-CAcreateserial", "-out", p("server.crt"), "-days", "2", "-extfile", p("ext.cnf")});
        ca_pem = slurp(cert_dir / "ca.crt");
        tls_ctx.use_certificate_chain_file(p("server.crt"));
        tls_ctx.use_private_key_file(p("server.key"), ssl::context::pem);
    }
};

git_http_server::git_http_server(const fs::path& base, git_http_options options) : impl_(std::make_unique<impl>())
{
    impl_->base = base;
    impl_->opts = std::move(options);
    if (impl_->opts.tls) impl_->make_certs();
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), impl_->opts.port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept_thread = std::thread([this] {
        for (;;) {
            auto sock = std::make_shared<tcp::socket>(impl_->ioc);
            beast::error_code ec;
            impl_->acceptor.accept(*sock, ec);
            std::lock_guard g(impl_->mu);
            if (ec || impl_->stopping) return;
            impl_->sockets.push_back(sock);
            impl_->workers.emplace_back([this, sock] { impl_->connection(sock); });
        }
    });
}

git_http_server::~git_http_server()
{
    {
        std::lock_guard g(impl_->mu);
        impl_->stopping = true;
        beast::error_code ec;
        impl_->acceptor.cancel(ec);
        impl_->acceptor.close(ec);
        for (auto& s : impl_->sockets) s->shutdown(tcp::socket::shutdown_both, ec);
    }
    // accept() may not notice close(); a connection wakes it.
    try {
        net::io_context ioc;
        tcp::socket s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), port()});
    } catch (...) {
    }
    impl_->accept_thread.join();
    for (auto& t : impl_->workers) t.join();
    std::error_code ec;
    if (!impl_->cert_dir.empty()) fs::remove_all(impl_->cert_dir, ec);
}

std::uint16_t git_http_server::port() const { return impl_->port; }

std::string git_http_server::url(const std::string& name) const
{
    return std::string(impl_->opts.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + "/" + name + ".git";
}

const std::string& git_http_server::ca_pem() const { return impl_->ca_pem; }

} // namespace weir::test
