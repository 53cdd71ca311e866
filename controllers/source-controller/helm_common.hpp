// Small pieces the HelmRepository and HelmChart reconcilers share.
#pragma once

#include <weir/api/meta.hpp>
#include <weir/artifact/storage.hpp>
#include <weir/kube/time.hpp>
#include <weir/kube/types.hpp>

#include <chrono>
#include <random>
#include <string>

namespace weir::source::helm_detail {

inline std::string ns_of(const value& obj)
{
    return std::string(kube::namespace_of(obj));
}
inline std::string name_of(const value& obj)
{
    return std::string(kube::name_of(obj));
}

inline artifact::object_ref storage_ref(std::string kind, const value& obj)
{
    return {std::move(kind), ns_of(obj), name_of(obj)};
}

// spec.interval with --interval-jitter-percentage (5%) applied, as Flux spreads requeues.
inline std::chrono::milliseconds jittered(std::chrono::nanoseconds interval, double percent = 5)
{
    static thread_local std::mt19937 rng{std::random_device{}()};
    double spread = percent / 100.0;
    std::uniform_real_distribution<double> dist(1.0 - spread, 1.0 + spread);
    return std::chrono::milliseconds(
        static_cast<long long>(std::chrono::duration<double, std::milli>(interval).count() * dist(rng)));
}

inline api::artifact to_api_artifact(const artifact::stored_artifact& s, std::string revision)
{
    api::artifact a;
    a.path = s.path;
    a.url = s.url;
    a.revision = std::move(revision);
    a.digest = s.digest;
    a.size = static_cast<std::int64_t>(s.size);
    a.last_update_time = kube::format_time(std::chrono::system_clock::now());
    return a;
}

inline std::optional<api::artifact> current_artifact(const value& obj)
{
    if (const value* a = obj.find_path({"status", "artifact"}))
        if (auto parsed = api::artifact::from(*a)) return *parsed;
    return std::nullopt;
}

} // namespace weir::source::helm_detail
