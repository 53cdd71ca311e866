#include "intake.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace weir::notification {

intake::intake(intake_options options, sink downstream)
    : options_(options), downstream_(std::move(downstream))
{
}

std::string intake::dedup_key(const eventsink::flux_event& ev)
{
    const auto& io = ev.involved_object;
    std::string key = fmt::format("event/name={}/namespace={}/kind={}/message={}", io.name, io.namespace_,
                                  io.kind, ev.message);
    for (const char* k : {"originRevision", "revision", "token"})
        if (std::string v = ev.meta(k); !v.empty()) key += fmt::format("/{}={}", k, v);
    return key;
}

void intake::clean_metadata(eventsink::flux_event& ev)
{
    std::string prefix = ev.group() + "/";
    for (auto it = ev.metadata.begin(); it != ev.metadata.end();) {
        bool keep = (it->first.starts_with(prefix) && it->first != prefix + "checksum" &&
                     it->first != prefix + "digest") ||
                    it->first.starts_with(eventsink::event_group_prefix);
        it = keep ? std::next(it) : ev.metadata.erase(it);
    }
}

void intake::sweep(std::chrono::steady_clock::time_point now)
{
    std::erase_if(seen_, [&](const auto& kv) { return kv.second <= now; });
    std::erase_if(buckets_, [&](const auto& kv) {
        double refill = std::chrono::duration<double>(now - kv.second.last).count() * options_.object_rate;
        return kv.second.tokens + refill >= options_.object_burst;
    });
    next_sweep_ = now + std::chrono::seconds(10);
}

intake_result intake::submit(eventsink::flux_event ev)
{
    auto now = std::chrono::steady_clock::now();
    std::size_t h = std::hash<std::string>{}(dedup_key(ev));
    const auto& io = ev.involved_object;
    std::string object_key = io.kind + "/" + io.namespace_ + "/" + io.name;
    {
        std::lock_guard lock(mutex_);
        if (now >= next_sweep_ || seen_.size() > options_.max_tracked) sweep(now);
        auto it = seen_.find(h);
        if (it != seen_.end() && it->second > now) {
            ++stats_.duplicates;
            return intake_result::duplicate;
        }
        auto [b, fresh] = buckets_.try_emplace(object_key, bucket{options_.object_burst, now});
        if (!fresh) {
            double refill =
                std::chrono::duration<double>(now - b->second.last).count() * options_.object_rate;
            b->second.tokens = std::min(options_.object_burst, b->second.tokens + refill);
            b->second.last = now;
        }
        if (b->second.tokens < 1) {
            ++stats_.rate_limited;
            return intake_result::rate_limited;
        }
        b->second.tokens -= 1;
        seen_[h] = now + options_.dedup_window;
        ++stats_.accepted;
    }
    clean_metadata(ev);
    downstream_(std::move(ev));
    return intake_result::accepted;
}

intake_stats intake::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

} // namespace weir::notification
