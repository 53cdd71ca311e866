#include <weir/runtime/work_queue.hpp>

#include <algorithm>
#include <cmath>

namespace weir::runtime {

item_backoff::item_backoff(backoff_options options, unsigned seed) : options_(options), rng_(seed) {}

std::chrono::milliseconds item_backoff::next(const std::string& key)
{
    int n = failures_[key]++;
    double base = static_cast<double>(options_.min_delay.count()) * std::pow(2.0, std::min(n, 40));
    base = std::min(base, static_cast<double>(options_.max_delay.count()));
    if (options_.jitter > 0) base += base * options_.jitter * std::uniform_real_distribution<double>(0, 1)(rng_);
    return std::chrono::milliseconds(static_cast<long long>(base));
}

void item_backoff::forget(const std::string& key) { failures_.erase(key); }

int item_backoff::failures(const std::string& key) const
{
    auto it = failures_.find(key);
    return it == failures_.end() ? 0 : it->second;
}

work_queue::work_queue(work_queue_options options) : options_(std::move(options)), backoff_(options_.backoff)
{
    registry& reg = options_.metrics ? *options_.metrics : default_registry();
    depth_ = &reg.gauge("workqueue_depth", "Current depth of the work queue.", {"name"}).with({options_.name});
    adds_ = &reg.counter("workqueue_adds_total", "Total number of adds handled by the work queue.", {"name"}).with({options_.name});
    retries_ = &reg.counter("workqueue_retries_total", "Total number of retries handled by the work queue.", {"name"})
                    .with({options_.name});
}

void work_queue::add_locked(const std::string& key)
{
    if (shutdown_ || dirty_.contains(key)) return;
    adds_->inc();
    dirty_.insert(key);
    if (processing_.contains(key)) return; // done() queues it
    queue_.push_back(key);
    update_depth_locked();
    cv_.notify_one();
}

void work_queue::add(const std::string& key)
{
    std::lock_guard lock(mutex_);
    add_locked(key);
}

void work_queue::add_after(const std::string& key, std::chrono::milliseconds delay)
{
    if (delay.count() <= 0) return add(key);
    std::lock_guard lock(mutex_);
    if (shutdown_) return;
    auto at = clock::now() + delay;
    auto it = delayed_at_.find(key);
    if (it != delayed_at_.end()) {
        if (it->second <= at) return; // an earlier requeue is already scheduled
        for (auto d = delayed_.lower_bound(it->second); d != delayed_.end() && d->first == it->second; ++d)
            if (d->second == key) {
                delayed_.erase(d);
                break;
            }
    }
    delayed_at_[key] = at;
    delayed_.emplace(at, key);
    cv_.notify_one(); // a sleeping worker may need to wake earlier
}

void work_queue::add_rate_limited(const std::string& key)
{
    std::chrono::milliseconds delay;
    {
        std::lock_guard lock(mutex_);
        delay = backoff_.next(key);
        retries_->inc();
    }
    add_after(key, delay);
}

void work_queue::forget(const std::string& key)
{
    std::lock_guard lock(mutex_);
    backoff_.forget(key);
}

int work_queue::retries(const std::string& key) const
{
    std::lock_guard lock(mutex_);
    return backoff_.failures(key);
}

void work_queue::promote_due_locked(clock::time_point now)
{
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
        std::string key = std::move(delayed_.begin()->second);
        delayed_.erase(delayed_.begin());
        delayed_at_.erase(key);
        add_locked(key);
    }
}

std::optional<std::string> work_queue::get()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        if (shutdown_) return std::nullopt;
        promote_due_locked(clock::now());
        if (!queue_.empty()) break;
        if (delayed_.empty()) {
            cv_.wait(lock);
        } else {
            // A copy: while we wait, another thread may erase the node the deadline lives in.
            auto next = delayed_.begin()->first;
            cv_.wait_until(lock, next);
        }
    }
    std::string key = std::move(queue_.front());
    queue_.pop_front();
    dirty_.erase(key);
    processing_.insert(key);
    update_depth_locked();
    return key;
}

void work_queue::done(const std::string& key)
{
    std::lock_guard lock(mutex_);
    processing_.erase(key);
    if (dirty_.contains(key) && !shutdown_) {
        queue_.push_back(key);
        update_depth_locked();
        cv_.notify_one();
    }
}

void work_queue::shutdown()
{
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    cv_.notify_all();
}

bool work_queue::shutting_down() const
{
    std::lock_guard lock(mutex_);
    return shutdown_;
}

std::size_t work_queue::len() const
{
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t work_queue::waiting() const
{
    std::lock_guard lock(mutex_);
    return delayed_.size();
}

void work_queue::update_depth_locked() { depth_->set(static_cast<double>(queue_.size())); }

} // namespace weir::runtime
