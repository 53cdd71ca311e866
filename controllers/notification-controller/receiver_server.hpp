// The webhook receiver: serves POST /hook/<sha256(token+name+namespace)> (Flux's default port
// 9292), finds the Receiver whose status.webhookPath it is, verifies the request as its type
// requires, and annotates every resource it lists with reconcile.fluxcd.io/requestedAt so those
// objects reconcile at once. Answers: 404 unknown path, 503 suspended or not ready, 401
// unverified, 400 malformed or filtered out, 413 body over the limit, 500 when an annotation
// failed, 200 otherwise. Unverified requests change nothing.
#pragma once

#include "google_id_token.hpp"
#include "http_server.hpp"
#include "secret_cache.hpp"

#include <weir/kube/client.hpp>
#include <weir/runtime/object_store.hpp>

#include <atomic>
#include <memory>

namespace weir::notification {

struct receiver_server_options {
    std::string listen = ":9292";
    std::size_t body_limit = 3 << 20;
    std::string gcr_jwks_url = std::string(google_jwks_url); // where gcr tokens' signing keys are
};

inline constexpr const char* webhook_path_index = "webhook-path";

class receiver_server {
public:
    // `receivers`: the Receiver cache, indexed by webhook_path_index (add_webhook_index).
    receiver_server(receiver_server_options options, kube::client& client, runtime::object_store& receivers,
                    secret_cache& secrets);
    status start() { return server_.start(); }
    void stop() { server_.stop(); }
    unsigned short port() const { return server_.port(); }
    std::uint64_t handled() const { return handled_; }

    server_response handle(const server_request& req);

private:
    status annotate(const value& receiver, const std::string& requested_at);

    kube::client& client_;
    runtime::object_store& receivers_;
    secret_cache& secrets_;
    jwks_cache gcr_keys_;
    http_server server_;
    std::atomic<std::uint64_t> handled_{0};
};

void add_webhook_index(runtime::object_store& receivers);

} // namespace weir::notification
