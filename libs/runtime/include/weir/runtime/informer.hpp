// An informer keeps an object_store in step with the API server for one kind: it lists (in pages),
// then watches from the list's resourceVersion, follows bookmarks, re-watches from the last
// resourceVersion when a stream ends or drops, and relists only when the server answers 410 Gone.
// Errors back off (0.8 s doubling to 30 s, jittered; reset after a healthy watch).
//
//   informer inf(client, {.kind = {"", "v1", "ConfigMap"}, .namespace_ = "default",
//                          .label_selector = "sharding.fluxcd.io/key=shard1"});
//   inf.add_handler({.on_add = [&](const object_ptr& o) { queue.add(key_of(*o)); }});
//   inf.start();
//   inf.wait_for_sync(std::chrono::seconds(30));
//
// Threads: one driver thread per informer runs list/watch; handlers run on that thread or on the
// client's I/O thread, one at a time, and must be quick (enqueue, do not reconcile). Handlers
// must be added before start().
#pragma once

#include <weir/core/log.hpp>
#include <weir/kube/client.hpp>
#include <weir/runtime/label_selector.hpp>
#include <weir/runtime/object_store.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace weir::runtime {

struct informer_options {
    kube::gvk kind;
    std::string namespace_;      // empty: all namespaces
    std::string label_selector;  // sharding; also enforced client-side
    std::string field_selector;
    bool strip_managed_fields = true; // managedFields are large and controllers never read them
    std::int64_t page_size = 500;
    int watch_timeout_seconds = 300;  // jittered up to 2x, like client-go
    std::chrono::milliseconds min_backoff{800};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
};

struct event_handler {
    std::function<void(const object_ptr&)> on_add;
    std::function<void(const object_ptr& old_obj, const object_ptr& new_obj)> on_update;
    std::function<void(const object_ptr&)> on_delete;
};

class informer {
public:
    informer(std::shared_ptr<kube::client> client, informer_options options);
    ~informer();
    informer(const informer&) = delete;
    informer& operator=(const informer&) = delete;

    void add_handler(event_handler handler);
    object_store& store() { return store_; }
    const informer_options& options() const { return options_; }

    // Errors: a bad label selector (terminal).
    status start();
    void stop();
    bool has_synced() const { return synced_; }
    // False when the deadline passed (or stop() ran) before the first list completed.
    bool wait_for_sync(std::chrono::milliseconds timeout);

    // Ends the current watch stream as a network drop would (for tests and diagnostics).
    void drop_watch();
    std::uint64_t list_count() const { return lists_; }
    std::uint64_t watch_count() const { return watches_; }

private:
    void run();
    bool list_once();
    status watch_once();
    void apply(weir::value&& obj, bool deleted);
    object_ptr snapshot(weir::value obj) const;
    void sleep_for(std::chrono::milliseconds d);

    std::shared_ptr<kube::client> client_;
    informer_options options_;
    label_selector selector_;
    object_store store_;
    std::vector<event_handler> handlers_;
    logger log_;
    std::string resource_version_; // only the driver thread and its watch callback touch it
    std::atomic<bool> synced_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> lists_{0}, watches_{0};
    std::mutex mutex_;
    std::condition_variable cv_;
    kube::watch_cancel current_watch_;
    std::thread thread_;
};

} // namespace weir::runtime
