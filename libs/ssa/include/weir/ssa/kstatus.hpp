// Health of a Kubernetes object by the kstatus rules Flux uses to decide whether an applied object
// is ready: Current, InProgress, Failed, Terminating (NotFound is decided by the caller).
//
//   auto h = ssa::compute_health(deployment);
//   if (h.status == ssa::health::failed) report(h.message);
//
// Pure: reads the object only, so it is unit-testable and cheap to call on every poll.
#pragma once

#include <weir/core/value.hpp>

#include <string>

namespace weir::ssa {

enum class health { current, in_progress, failed, terminating, not_found, unknown };

struct health_result {
    health status = health::unknown;
    std::string message;
};

const char* health_name(health h); // "Current", "InProgress", ...

health_result compute_health(const value& obj);

} // namespace weir::ssa
