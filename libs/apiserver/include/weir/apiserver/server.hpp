// weir::apiserver::server: weir-apiserver's HTTPS front (Boost.Beast over OpenSSL) on one
// io_context thread. It owns the api, the TLS material of the data directory and the kubeconfig
// it writes for kubectl.
//
//   WEIR_TRY_ASSIGN(auto srv, server::create({.data_dir = "/var/lib/weir", .listen = "127.0.0.1:0",
//                                             .kubeconfig = "/tmp/kubeconfig"}));
//   fmt::print("listening on {}\n", srv->url());
//   srv->run();                  // until stop() or SIGINT/SIGTERM
//
// Connections are served by coroutines: a slow client or a thousand watches block no one.
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace weir::apiserver {

struct server_options {
    std::filesystem::path data_dir;
    std::string listen = "127.0.0.1:0";
    std::filesystem::path kubeconfig; // written when not empty
    bool rbac = false;
    bool handle_signals = true;
    // The most a connection may take to send one request (headers and body) or stay idle between
    // requests; slow or idle clients are then cut off.
    std::chrono::seconds request_timeout{300};
};

class server {
public:
    static result<std::unique_ptr<server>> create(server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::string url() const;
    unsigned short port() const;
    // Serves on the calling thread until stop() (from any thread) or a signal.
    void run();
    void stop();

private:
    server();
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The kubeconfig text for a server: its URL, CA and bearer token.
std::string kubeconfig_text(std::string_view url, std::string_view ca_pem, std::string_view token);

} // namespace weir::apiserver
