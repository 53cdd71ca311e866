// The controller loop. A reconciler is a plain function from a request (namespace/name of the
// primary object) to an action, or an error:
//
//   result<action> reconcile(const request& req) {
//       object_ptr obj = cache.get(req.key());
//       if (!obj) return action::await_change();           // deleted: clean up, done
//       ...
//       return action::requeue(interval);                   // spec.interval
//   }
//
//   auto& c = mgr.add_controller({.name = "gitrepository", .kind = git_repository_kind, .reconcile = reconcile});
//   c.watches(secret_kind, [&](const weir::value& secret) { return repos_using(secret); });
//
// Policy, in one place: ok -> forget the key's failures, requeue after `requeue_after` if set;
// transient error -> retry with per-key backoff; terminal error -> no retry until the object
// changes, Stalled=True written to its status (when it has one) and a Warning event. Objects with
// spec.suspend=true are skipped. Updates that only touch status are ignored (predicates.hpp).
// The work queue guarantees one reconcile per key at a time; `concurrent` workers run keys in
// parallel.
#pragma once

#include <weir/core/log.hpp>
#include <weir/core/result.hpp>
#include <weir/core/metrics.hpp>
#include <weir/kube/types.hpp>
#include <weir/runtime/work_queue.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace weir::runtime {

class manager;
class informer;
class object_store;

struct request {
    std::string namespace_;
    std::string name;
    std::string key() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
    static request of(const weir::value& obj);
    static request from_key(std::string_view key);
    bool operator==(const request&) const = default;
};

struct action {
    std::optional<std::chrono::milliseconds> requeue_after;
    static action requeue(std::chrono::milliseconds d) { return {d}; }
    static action await_change() { return {}; }
};

using reconcile_fn = std::function<result<action>(const request&)>;
using update_predicate = std::function<bool(const weir::value& old_obj, const weir::value& new_obj)>;
using map_fn = std::function<std::vector<request>(const weir::value& obj)>;

struct controller_spec {
    std::string name;  // "gitrepository"; metrics and log label
    kube::gvk kind;    // the primary kind
    reconcile_fn reconcile;
    int concurrent = 0; // 0: the manager's --concurrent
    update_predicate predicate; // default: spec_or_metadata_changed
    bool skip_suspended = true;
    bool stall_on_terminal_error = true;
};

class controller {
public:
    controller(manager& mgr, controller_spec spec);
    ~controller();
    controller(const controller&) = delete;
    controller& operator=(const controller&) = delete;

    // Events of `kind` enqueue the primaries `map` returns (shared informer, not sharded).
    void watches(const kube::gvk& kind, map_fn map);
    // Events of `kind` enqueue the primary named by its controller ownerReference.
    void owns(const kube::gvk& kind);

    void enqueue(const request& req) { queue_.add(req.key()); }
    object_store& cache();
    work_queue& queue() { return queue_; }
    const controller_spec& spec() const { return spec_; }
    std::uint64_t reconcile_count() const { return reconciles_; }

    // Called by the manager.
    void start(int workers);
    void shutdown(); // stop taking keys
    // Waits for in-flight reconciles; false when the deadline passed first.
    bool wait_idle(std::chrono::milliseconds deadline);

private:
    void worker();
    void handle(const std::string& key);
    void on_error(const request& req, const weir::error& e);
    void record_ready_metric(const weir::value* obj, const request& req);

    manager& mgr_;
    controller_spec spec_;
    informer& primary_;
    work_queue queue_;
    logger log_;
    std::vector<std::thread> workers_;
    std::atomic<int> active_workers_{0};
    std::atomic<std::uint64_t> reconciles_{0};
    std::mutex idle_mutex_;
    std::condition_variable idle_cv_;
    family<histogram>* duration_;
    family<gauge>* condition_;
    family<counter>* total_;
};

} // namespace weir::runtime
