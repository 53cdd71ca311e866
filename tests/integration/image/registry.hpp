// Debian's docker-registry on a free loopback port for tests: plain http, with htpasswd (bcrypt)
// basic auth, and/or with TLS from a CA made here with openssl. Images are pushed through the
// registry API itself (blob uploads and a manifest PUT) with weir's OCI client.
//
//   test::registry reg({.username = "bot", .password = "pw"});
//   auto digest = reg.push_image("team/app", "1.0.0");
//   oci::registry_client c(reg.host(), reg.client_options());
#pragma once

#include "support/git_server.hpp"

#include <weir/oci/client.hpp>

#include <filesystem>
#include <string>

namespace weir::test {

struct registry_options {
    std::string username, password; // htpasswd auth when set
    bool tls = false;
};

class registry {
public:
    explicit registry(registry_options options = {});
    ~registry();
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    const std::string& ca_pem() const { return ca_pem_; }
    // Options that reach this registry with the right credentials and trust.
    oci::client_options client_options() const;
    // A one-layer image whose layer content names the tag; returns the manifest digest.
    std::string push_image(const std::string& repository, const std::string& tag);
    // Several tags at once, each its own image.
    void push_tags(const std::string& repository, const std::vector<std::string>& tags);
    void stop() { proc_.stop(); }
    // The registry's filesystem storage (benchmarks make tags there directly).
    std::filesystem::path data_dir() const { return dir_ / "data"; }

private:
    registry_options options_;
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    std::string ca_pem_;
    peer_process proc_;
};

} // namespace weir::test
