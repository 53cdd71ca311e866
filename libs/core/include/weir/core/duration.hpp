// Go-style durations as Kubernetes and Flux write them: "1m30s", "10m", "1h", "300ms", "1.5h".
//
//   WEIR_TRY_ASSIGN(auto d, parse_duration(spec.interval));   // std::chrono::nanoseconds
//   format_duration(std::chrono::seconds(90)) == "1m30s"
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace weir {

// Units ns, us (or µs), ms, s, m, h; decimal fractions; an optional sign. "0" alone is zero.
result<std::chrono::nanoseconds> parse_duration(std::string_view text);
// Go's time.Duration.String(): "1h0m0s", "1m30s", "300ms", "0s".
std::string format_duration(std::chrono::nanoseconds d);

} // namespace weir
