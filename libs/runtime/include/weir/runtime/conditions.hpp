// Status conditions the way Flux writes them (fluxcd/pkg runtime/conditions facts): a list under
// status.conditions of {type, status "True"/"False"/"Unknown", observedGeneration,
// lastTransitionTime, reason, message}, with the kstatus types Ready, Reconciling and Stalled.
// lastTransitionTime changes only when `status` changes; reason/message/observedGeneration update
// in place.
//
//   conditions::mark_reconciling(obj, "Progressing", "fetching revision main@sha1:abc");
//   conditions::mark_ready(obj, "Succeeded", "stored artifact for revision main@sha1:abc");
//   conditions::set_observed_generation(obj);
//
// All functions edit `obj` (a whole object; status is created when absent) and take `now` so
// tests control time. Not thread-safe: edit your own copy.
#pragma once

#include <weir/core/value.hpp>
#include <weir/kube/time.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weir::runtime::conditions {

inline constexpr std::string_view ready = "Ready";
inline constexpr std::string_view reconciling = "Reconciling";
inline constexpr std::string_view stalled = "Stalled";

struct condition {
    std::string type;
    std::string status; // "True", "False", "Unknown"
    std::string reason;
    std::string message;
    std::int64_t observed_generation = 0;
    std::string last_transition_time;
};

std::optional<condition> get(const weir::value& obj, std::string_view type);
bool is_true(const weir::value& obj, std::string_view type);
bool is_false(const weir::value& obj, std::string_view type);
// Sets (or adds) a condition; observedGeneration is the object's metadata.generation.
// Returns true when anything changed.
bool set(weir::value& obj, std::string_view type, std::string_view status, std::string_view reason,
         std::string_view message, kube::sys_time now = std::chrono::system_clock::now());
bool remove(weir::value& obj, std::string_view type);

// Ready=True; removes Reconciling and Stalled.
bool mark_ready(weir::value& obj, std::string_view reason, std::string_view message,
                kube::sys_time now = std::chrono::system_clock::now());
// Reconciling=True, Ready=Unknown (reason copied), Stalled removed.
bool mark_reconciling(weir::value& obj, std::string_view reason, std::string_view message,
                      kube::sys_time now = std::chrono::system_clock::now());
// Stalled=True and Ready=False with the same reason; Reconciling removed.
bool mark_stalled(weir::value& obj, std::string_view reason, std::string_view message,
                  kube::sys_time now = std::chrono::system_clock::now());
// Ready=False (a failure that will be retried); Stalled removed, Reconciling kept.
bool mark_failed(weir::value& obj, std::string_view reason, std::string_view message,
                 kube::sys_time now = std::chrono::system_clock::now());

// status.observedGeneration = metadata.generation.
void set_observed_generation(weir::value& obj);
std::int64_t observed_generation(const weir::value& obj);

} // namespace weir::runtime::conditions
