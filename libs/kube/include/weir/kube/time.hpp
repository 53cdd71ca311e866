// Kubernetes timestamps: metav1.Time ("2026-11-22T10:00:00Z", second precision) and
// metav1.MicroTime ("2026-11-22T10:00:00.123456Z", used by Leases and Events).
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace weir::kube {

using sys_time = std::chrono::system_clock::time_point;

std::string format_time(sys_time t);       // RFC 3339, seconds, UTC
std::string format_micro_time(sys_time t); // RFC 3339, microseconds, UTC
// Accepts both forms, 'Z' or a numeric offset.
result<sys_time> parse_time(std::string_view text);

} // namespace weir::kube
