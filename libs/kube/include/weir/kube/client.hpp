// A dynamic Kubernetes client over weir::value: every verb of the API for any kind, resolved
// through discovery (rest_mapper), with rate limiting, retries and deadlines built in.
//
//   WEIR_TRY_ASSIGN(auto cfg, kube::load_config({.kubeconfig = path}));
//   WEIR_TRY_ASSIGN(auto c, kube::client::create(cfg, {.qps = 50, .burst = 300}));
//   const kube::gvk cm{"", "v1", "ConfigMap"};
//   WEIR_TRY_ASSIGN(auto obj, c->get(cm, "default", "app"));
//   WEIR_TRY_ASSIGN(auto list, c->list(cm, {.namespace_ = "default", .label_selector = "app=web"}));
//   WEIR_TRY(c->apply(manifest, {.field_manager = "kustomize-controller", .force = true}));
//
// Threads: all calls block the calling thread until the reply or the deadline (client_options::
// timeout); they may be made from any number of threads at once, but never from the client's own
// I/O thread (which runs watch callbacks). Errors follow weir/kube/errors.hpp.
#pragma once

#include <weir/core/metrics.hpp>
#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/config.hpp>
#include <weir/kube/types.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weir::kube {

namespace detail {
class transport;
struct cancel_state;
} // namespace detail
class rest_mapper;

struct client_options {
    double qps = 50;   // --kube-api-qps
    int burst = 300;   // --kube-api-burst
    std::chrono::milliseconds timeout{std::chrono::seconds(30)}; // per request
    int max_retries = 3;                                          // on 429, 5xx and refused connections
    std::string user_agent = "weir";
    registry* metrics = nullptr; // rest_client_* metrics; default_registry() when null
};

struct list_options {
    std::string namespace_; // empty: all namespaces (or a cluster-scoped kind)
    std::string label_selector;
    std::string field_selector;
    std::int64_t limit = 0;  // page size; 0: no paging
    std::string continue_token;
    std::string resource_version;
};

struct object_list {
    std::vector<weir::value> items;
    std::string resource_version;
    std::string continue_token; // non-empty when more pages remain
};

struct write_options {
    bool dry_run = false;
    std::string field_manager;
};

enum class patch_type { json, merge, strategic_merge, apply };

struct patch_options {
    std::string subresource; // "status", or empty
    bool dry_run = false;
    std::string field_manager;
    bool force = false; // server-side apply only
};

struct apply_options {
    std::string field_manager; // required by the API server
    bool force = false;
    bool dry_run = false;
    std::string subresource;
};

struct delete_options {
    std::string propagation_policy; // "Foreground", "Background", "Orphan" or empty
    bool dry_run = false;
    std::string precondition_resource_version;
    std::optional<std::int64_t> grace_period_seconds;
};

struct watch_options {
    std::string namespace_;
    std::string label_selector;
    std::string field_selector;
    std::string resource_version; // resume point; empty: start with the current state
    bool allow_bookmarks = true;
    int timeout_seconds = 300;    // server ends the stream after this; the caller re-watches
    std::chrono::seconds idle_timeout{std::chrono::seconds(0)}; // 0: timeout_seconds + 30 s
};

enum class watch_event_type { added, modified, deleted, bookmark, error };

struct watch_event {
    watch_event_type type;
    weir::value object; // the object, or for `error` the Status
};

// Stops a running watch from another thread.
class watch_cancel {
public:
    watch_cancel();
    void cancel() const;
    bool cancelled() const;

private:
    friend class client;
    std::shared_ptr<detail::cancel_state> state_;
};

class client {
public:
    static result<std::shared_ptr<client>> create(config cfg, client_options options = {});
    ~client();

    // A client that impersonates `user` (and groups) on every request, sharing this one's
    // connections, limits and discovery. For a ServiceAccount:
    // "system:serviceaccount:<namespace>:<name>".
    std::shared_ptr<client> impersonate(std::string user, std::vector<std::string> groups = {}) const;

    result<weir::value> get(const gvk& kind, std::string_view namespace_, std::string_view name,
                            std::string_view subresource = {});
    // One page (options.limit > 0) or everything the server returns at once.
    result<object_list> list(const gvk& kind, const list_options& options = {});
    // Follows continue tokens until the last page.
    result<object_list> list_all(const gvk& kind, list_options options = {});
    result<weir::value> create(const weir::value& obj, const write_options& options = {});
    // PUT with the object's resourceVersion: 409 Conflict when it is stale.
    result<weir::value> update(const weir::value& obj, const write_options& options = {});
    result<weir::value> update_status(const weir::value& obj, const write_options& options = {});
    result<weir::value> patch(const gvk& kind, std::string_view namespace_, std::string_view name, patch_type type,
                              std::string body, const patch_options& options = {});
    // Server-side apply of a whole object (apiVersion, kind, metadata.name[/namespace] set).
    result<weir::value> apply(const weir::value& obj, const apply_options& options);
    status remove(const gvk& kind, std::string_view namespace_, std::string_view name,
                  const delete_options& options = {});
    // Blocks while the watch runs; `on_event` runs on the client's I/O thread and must be quick
    // (return false to stop). Returns ok when the server closed the stream or `cancel` fired; an
    // error otherwise. An ERROR event ends the watch with its Status as the error (410 Gone: the
    // resourceVersion is too old, relist).
    status watch(const gvk& kind, const watch_options& options, const std::function<bool(watch_event&&)>& on_event,
                 const watch_cancel& cancel = {});

    // Raw request against a path ("/version", "/apis"), for discovery and tests.
    result<weir::value> get_path(std::string_view path);

    rest_mapper& mapper() { return *mapper_; }
    const config& cfg() const;
    // The namespace of the configuration's context ("default" when unset).
    const std::string& default_namespace() const;

    // Paths for a kind, for callers that build their own requests.
    result<std::string> path_for(const gvk& kind, std::string_view namespace_, std::string_view name = {},
                                 std::string_view subresource = {});

private:
    client(std::shared_ptr<detail::transport> t, std::shared_ptr<rest_mapper> m);
    result<weir::value> send(std::string method, std::string path, std::string body, std::string content_type,
                             std::string what);
    std::shared_ptr<detail::transport> transport_;
    std::shared_ptr<rest_mapper> mapper_;
    std::vector<std::pair<std::string, std::string>> headers_; // impersonation
};

// Typed access to the api/ structs: any T with `static result<T> from(const weir::value& obj)`
// (git_repository_spec, kustomization_spec, ...).
//
//   WEIR_TRY_ASSIGN(auto spec, kube::get_as<api::git_repository_spec>(c, kinds::git_repository, ns, name));
template <class T>
result<T> get_as(client& c, const gvk& kind, std::string_view namespace_, std::string_view name)
{
    WEIR_TRY_ASSIGN(auto obj, c.get(kind, namespace_, name));
    return T::from(obj);
}

} // namespace weir::kube
