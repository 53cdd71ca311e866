// status.history as Flux keeps it for Kustomizations (meta.History): the last few distinct
// outcomes of reconciling, newest first, so `kubectl get -o yaml` shows what was applied when and
// how often, without an external store.
//
//   runtime::record_history(updated, {.digest = digest_of_build, .status = "ReconciliationSucceeded",
//                                     .duration = took, .metadata = {{"revision", rev}}}, now);
//
// A snapshot is one (digest, status) pair: repeating it moves it to the front and bumps its count
// and times instead of adding an entry. At most `max_snapshots` are kept.
#pragma once

#include <weir/core/value.hpp>
#include <weir/kube/time.hpp>

#include <chrono>
#include <map>
#include <string>

namespace weir::runtime {

struct snapshot {
    std::string digest; // "sha256:<hex>" of what was reconciled (the built objects)
    std::string status; // the Ready reason, e.g. ReconciliationSucceeded or BuildFailed
    std::chrono::nanoseconds duration{};
    std::map<std::string, std::string> metadata; // e.g. revision
};

// Updates obj.status.history with this outcome.
void record_history(value& obj, const snapshot& s, kube::sys_time now, std::size_t max_snapshots = 5);

} // namespace weir::runtime
