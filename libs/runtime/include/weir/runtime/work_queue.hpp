// The queue between event handlers and reconcile workers, with the guarantees controllers rely on:
//   - a key queued several times before a worker takes it is reconciled once (dedup);
//   - a key is never handed to two workers at once: re-added while in flight, it waits for done();
//   - failures back off per key (exponential, capped, jittered) until forget();
//   - add_after() schedules a requeue (RequeueAfter, spec.interval).
//
//   work_queue q({.name = "gitrepository"});
//   q.add("flux-system/podinfo");
//   while (auto key = q.get()) { ... on error: q.add_rate_limited(*key); else q.forget(*key); q.done(*key); }
//
// Thread-safe. get() blocks until a key is ready or shutdown() (then it returns nullopt).
#pragma once

#include <weir/core/metrics.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace weir::runtime {

// Per-key exponential backoff: min_delay * 2^failures, capped at max_delay, then up to `jitter`
// (a fraction) added at random so that keys failing together do not retry together.
// Flux's defaults: --min-retry-delay=750ms, --max-retry-delay=15m.
struct backoff_options {
    std::chrono::milliseconds min_delay{750};
    std::chrono::milliseconds max_delay{std::chrono::minutes(15)};
    double jitter = 0.1;
};

class item_backoff {
public:
    explicit item_backoff(backoff_options options = {}, unsigned seed = std::random_device{}());
    // The delay before the next retry of `key`; counts one more failure.
    std::chrono::milliseconds next(const std::string& key);
    void forget(const std::string& key);
    int failures(const std::string& key) const;

private:
    backoff_options options_;
    std::unordered_map<std::string, int> failures_;
    std::minstd_rand rng_;
};

struct work_queue_options {
    std::string name = "queue"; // metrics label
    backoff_options backoff;
    registry* metrics = nullptr; // workqueue_* metrics; default_registry() when null
};

class work_queue {
public:
    using clock = std::chrono::steady_clock;
    explicit work_queue(work_queue_options options = {});

    void add(const std::string& key);
    void add_after(const std::string& key, std::chrono::milliseconds delay);
    void add_rate_limited(const std::string& key);
    void forget(const std::string& key);
    int retries(const std::string& key) const;

    // Blocks for the next ready key; nullopt after shutdown().
    std::optional<std::string> get();
    // Marks a key from get() finished; a re-add that came in meanwhile is queued now.
    void done(const std::string& key);
    // Wakes every get(); keys still queued are dropped.
    void shutdown();
    bool shutting_down() const;

    std::size_t len() const;       // ready keys
    std::size_t waiting() const;   // keys scheduled for later

private:
    void add_locked(const std::string& key);
    void promote_due_locked(clock::time_point now);
    void update_depth_locked();

    work_queue_options options_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    std::unordered_set<std::string> dirty_;      // queued, not yet taken
    std::unordered_set<std::string> processing_; // taken, not yet done
    std::multimap<clock::time_point, std::string> delayed_;
    std::unordered_map<std::string, clock::time_point> delayed_at_; // earliest per key
    item_backoff backoff_;
    bool shutdown_ = false;
    gauge* depth_ = nullptr;
    counter* adds_ = nullptr;
    counter* retries_ = nullptr;
};

} // namespace weir::runtime
