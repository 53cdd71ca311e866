// Git's own smart-HTTP server program (git http-backend, as CGI) behind a small Beast server, so
// that every Git client weir meets (libgit2, the git CLI) talks to a real Git implementation on
// loopback: `weir dev up` serves the fleet repository with it, tests use it as their Git host.
//
//   gitserve::http_server git({.base = "/srv/repos"});
//   WEIR_TRY(git.start());
//   git.url("fleet");   // "http://127.0.0.1:<port>/fleet"
//
// Every repository under `base` is served (GIT_HTTP_EXPORT_ALL) and accepts pushes. One thread per
// connection; stop() (or the destructor) closes them all.
#pragma once

#include <weir/core/result.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace weir::gitserve {

struct http_server_options {
    std::filesystem::path base;
    std::uint16_t port = 0;                  // 0: a free port
    std::string username, password;          // basic auth required when set
    std::string bearer_token;                // bearer auth accepted when set
    std::string tls_cert_file, tls_key_file; // https when set (PEM files)
    // Git configuration for the backend (e.g. receive.denyCurrentBranch=updateInstead so a push to
    // a checked-out branch updates a clean working tree).
    std::map<std::string, std::string> git_config;
};

class http_server {
public:
    explicit http_server(http_server_options options);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    status start();
    void stop();
    std::uint16_t port() const;
    // The URL of the repository at <base>/<path>.
    std::string url(const std::string& path) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::gitserve
