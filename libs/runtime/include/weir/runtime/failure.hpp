// How a reconciler reports that it failed, the same way in every controller:
//
//   if (!fetched) return runtime::report_failure(mgr_, obj, updated, fetched.err(), "FetchFailed");
//
// Ready=False with the error's reason (or `default_reason`), Stalled=True as well when the error is
// terminal (only a change to the object can help), observedGeneration, a warning event. The error
// comes back so the controller retries it with backoff (transient) or waits for a change (terminal).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string_view>

namespace weir::runtime {

class manager;

error report_failure(manager& mgr, const weir::value& original, weir::value& updated, error e,
                     std::string_view default_reason);

} // namespace weir::runtime
