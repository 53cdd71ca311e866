#include "registry.hpp"

#include "support/tls_certs.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace weir::test {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

registry::registry(registry_options options) : options_(std::move(options))
{
    static int counter = 0;
    dir_ = fs::temp_directory_path() / ("weir-registry-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_ / "data");
    port_ = free_port();
    std::ostringstream cfg;
    cfg << "version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\n"
        << "storage: {filesystem: {rootdirectory: " << (dir_ / "data").string() << "}, delete: {enabled: true}}\n"
        << "http:\n  addr: 127.0.0.1:" << port_ << "\n  secret: weir-test\n";
    if (options_.tls) {
        make_server_certs(dir_);
        ca_pem_ = slurp(dir_ / "ca.crt");
        cfg << "  tls: {certificate: " << (dir_ / "server.crt").string() << ", key: " << (dir_ / "server.key").string()
            << "}\n";
    }
    if (!options_.username.empty()) {
        std::string line = run({"htpasswd", "-Bbn", options_.username, options_.password});
        std::ofstream(dir_ / "htpasswd") << line.substr(0, line.find('\n')) << "\n";
        cfg << "auth: {htpasswd: {realm: weir-test, path: " << (dir_ / "htpasswd").string() << "}}\n";
    }
    std::ofstream(dir_ / "config.yml") << cfg.str();
    proc_ = peer_process({"/usr/bin/docker-registry", "serve", (dir_ / "config.yml").string()});
    wait_for_port(port_);
}

registry::~registry()
{
    proc_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

oci::client_options registry::client_options() const
{
    oci::client_options o;
    o.insecure = !options_.tls;
    o.ca_pem = ca_pem_;
    if (!options_.username.empty()) o.credentials = oci::basic_credentials{options_.username, options_.password};
    return o;
}

std::string registry::push_image(const std::string& repository, const std::string& tag)
{
    oci::registry_client c(host(), client_options());
    std::string config = R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}})";
    std::string layer = "layer of " + tag;
    auto cd = c.put_blob(repository, config);
    auto ld = c.put_blob(repository, layer);
    if (!cd || !ld) throw std::runtime_error("blob upload failed: " + (cd ? ld.err().message : cd.err().message));
    std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                           R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                           *cd + R"(","size":)" + std::to_string(config.size()) +
                           R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" + *ld +
                           R"(","size":)" + std::to_string(layer.size()) + "}]}";
    auto md = c.put_manifest(repository, tag, oci::media_oci_manifest, manifest);
    if (!md) throw std::runtime_error("manifest upload failed: " + md.err().message);
    return *md;
}

void registry::push_tags(const std::string& repository, const std::vector<std::string>& tags)
{
    for (const auto& t : tags) push_image(repository, t);
}

} // namespace weir::test
