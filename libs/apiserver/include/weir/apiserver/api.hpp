// weir::apiserver::api: the Kubernetes API of weir-apiserver, independent of the transport.
// The HTTPS server (server.hpp) turns each HTTP request into an api::request and writes back the
// response, or, for watches, streams what the returned watcher collects. Unit tests call it
// directly.
//
//   WEIR_TRY_ASSIGN(auto a, api::open({.data_dir = dir, .token = "secret"}));
//   auto out = a->handle({.method = "GET", .path = "/api/v1/namespaces",
//                         .authorization = "Bearer secret"});
//
// Single-threaded: one thread (the server's io thread) calls everything here.
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace weir::apiserver {

struct request {
    std::string method;       // GET, POST, PUT, PATCH, DELETE
    std::string path;         // without the query
    std::string query;        // raw, without '?'
    std::string accept;
    std::string content_type;
    std::string user_agent;
    std::string authorization;
    std::string impersonate_user;
    std::vector<std::string> impersonate_groups;
    std::string body;
};

struct response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    // Sent as `Warning: 299 - "<text>"` headers (unknown fields under fieldValidation=Warn).
    std::vector<std::string> warnings = {};
};

// A watch in flight. The api appends complete JSON lines to `pending` and calls `wake`; the
// transport writes them out. When the consumer falls too far behind, the api closes the watch
// (closed = true) rather than buffer without bound; clients then re-watch from their last version.
struct watcher {
    std::deque<std::shared_ptr<const std::string>> pending;
    std::size_t pending_bytes = 0;
    bool closed = false;
    std::chrono::steady_clock::time_point deadline;
    std::function<void()> wake;

    // Filter and framing, set by the api.
    std::string prefix, name, ns_field;
    std::string api_version, kind;
    bool bookmarks = false;
    std::function<bool(const std::vector<std::pair<std::string, std::string>>&)> labels_match;
    std::function<bool(const std::string& ns, const std::string& name)> fields_match;
    // Rewrites each object's JSON before it is sent (Table watches of kubectl get -w).
    std::function<std::string(const std::string&)> transform;
};

struct api_options {
    std::filesystem::path data_dir;
    std::string token;                // the admin bearer token
    bool rbac = false;                // --authorization=rbac
    std::size_t max_pending_bytes = 16u << 20; // per watcher
    std::string server_url;           // advertised in /api
};

class api {
public:
    static result<std::unique_ptr<api>> open(api_options options);
    ~api();
    api(const api&) = delete;
    api& operator=(const api&) = delete;

    // Handles one request; a watch request returns the watcher to stream (already registered).
    std::variant<response, std::shared_ptr<watcher>> serve(const request& req);
    // Convenience for non-watch callers (tests).
    response handle(const request& req);
    // Periodic housekeeping: bookmarks to watchers that asked, expired watchers dropped.
    void tick();
    std::int64_t revision() const;

    struct impl; // private to libs/apiserver/src

private:
    api();
    std::unique_ptr<impl> impl_;
};

} // namespace weir::apiserver
