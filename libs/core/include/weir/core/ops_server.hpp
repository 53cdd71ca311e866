// The small HTTP server every weir binary runs for operators: /metrics (Prometheus text),
// /healthz (liveness) and /readyz (readiness). One thread of its own; it never blocks callers.
//
//   ops_server ops({.listen = "127.0.0.1:8080"});
//   WEIR_TRY(ops.start());
//   ops.set_ready(true);      // after caches have synced
//   ... ops.stop();           // also done by the destructor
#pragma once

#include <weir/core/metrics.hpp>
#include <weir/core/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace weir {

struct ops_server_options {
    std::string listen = "127.0.0.1:0"; // host:port; port 0 picks a free one
    registry* metrics = nullptr;        // default_registry() when null
    // The most a client may take to send one request (each read also times out after 2 s).
    std::chrono::milliseconds request_timeout{std::chrono::seconds(5)};
};

class ops_server {
public:
    explicit ops_server(ops_server_options options);
    ~ops_server();
    ops_server(const ops_server&) = delete;
    ops_server& operator=(const ops_server&) = delete;

    status start();
    void stop();
    void set_ready(bool ready);
    // Extra readiness check evaluated on each /readyz request.
    void set_readiness_check(std::function<bool()> check);
    // Serves `path` (exact, query ignored) with `handler` too, for small endpoints a binary needs
    // next to the standard ones (call before start). The handler gets the method and the body
    // (at most 64 KiB) and returns the status code and a plain-text body.
    using handler =
        std::function<std::pair<int, std::string>(std::string_view method, std::string_view body)>;
    void add_handler(std::string path, handler h);
    // The port actually bound (after start).
    unsigned short port() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Splits "host:port", ":port" or "[v6]:port"; a missing host means 0.0.0.0.
result<std::pair<std::string, unsigned short>> parse_listen_address(std::string_view text);

} // namespace weir
