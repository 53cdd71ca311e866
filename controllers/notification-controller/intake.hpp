// Event intake: what every received event (gRPC stream or JSON POST) goes through before the
// alerts see it. Flux's rules: an event identical to one seen within the rate-limit interval
// (same object, message, revision and token) is a duplicate and is folded into the first (HTTP
// 429, the sender must not retry); metadata is kept only under the object's API group, without
// the checksum and digest keys. weir adds a per-object token bucket so one object in a crash loop
// cannot flood the providers.
#pragma once

#include <weir/eventsink/event.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace weir::notification {

enum class intake_result { accepted, duplicate, rate_limited };

struct intake_options {
    std::chrono::milliseconds dedup_window{std::chrono::minutes(5)}; // --rate-limit-interval
    double object_rate = 10;   // events per second per object, sustained
    double object_burst = 100; // events per object at once
    std::size_t max_tracked = 100'000;
};

struct intake_stats {
    std::uint64_t accepted = 0, duplicates = 0, rate_limited = 0;
};

class intake {
public:
    using sink = std::function<void(eventsink::flux_event)>;
    intake(intake_options options, sink downstream);

    intake_result submit(eventsink::flux_event ev);
    intake_stats stats() const;

    // The key Flux rate-limits on, as text (hashed when stored).
    static std::string dedup_key(const eventsink::flux_event& ev);
    // Keeps "<group>/..." keys except checksum and digest.
    static void clean_metadata(eventsink::flux_event& ev);

private:
    struct bucket {
        double tokens;
        std::chrono::steady_clock::time_point last;
    };
    void sweep(std::chrono::steady_clock::time_point now);

    intake_options options_;
    sink downstream_;
    mutable std::mutex mutex_;
    std::unordered_map<std::size_t, std::chrono::steady_clock::time_point> seen_; // key hash -> expiry
    std::unordered_map<std::string, bucket> buckets_;
    std::chrono::steady_clock::time_point next_sweep_{};
    intake_stats stats_;
};

} // namespace weir::notification
