// The Git host of tests: weir::gitserve's smart-HTTP server, with a throwaway CA for https.
#include "git_server.hpp"
#include "tls_certs.hpp"

#include <weir/gitserve/http_server.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace weir::test {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path make_certs()
{
    std::random_device rd;
    fs::path dir = fs::temp_directory_path() / ("weir-tls-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir);
    make_server_certs(dir);
    return dir;
}

} // namespace

struct git_http_server::impl {
    fs::path cert_dir;
    std::string ca_pem;
    bool tls = false;
    std::unique_ptr<gitserve::http_server> server;
};

git_http_server::git_http_server(const fs::path& base, git_http_options options)
    : impl_(std::make_unique<impl>())
{
    gitserve::http_server_options o{.base = base,
                                    .port = options.port,
                                    .username = options.username,
                                    .password = options.password,
                                    .bearer_token = options.bearer_token};
    impl_->tls = options.tls;
    if (options.tls) {
        impl_->cert_dir = make_certs();
        impl_->ca_pem = slurp(impl_->cert_dir / "ca.crt");
        o.tls_cert_file = (impl_->cert_dir / "server.crt").string();
        o.tls_key_file = (impl_->cert_dir / "server.key").string();
    }
    impl_->server = std::make_unique<gitserve::http_server>(std::move(o));
    if (auto s = impl_->server->start(); !s) throw std::runtime_error(s.err().message);
}

git_http_server::~git_http_server()
{
    impl_->server->stop();
    std::error_code ec;
    if (!impl_->cert_dir.empty()) fs::remove_all(impl_->cert_dir, ec);
}

std::uint16_t git_http_server::port() const
{
    return impl_->server->port();
}

std::string git_http_server::url(const std::string& name) const
{
    return impl_->server->url(name + ".git");
}

const std::string& git_http_server::ca_pem() const
{
    return impl_->ca_pem;
}

} // namespace weir::test
