// Drift detection for a release's objects, by server-side apply dry-run as Flux does it: an object
// drifted when applying the release's version would change it (or it is gone). Paths of
// spec.driftDetection.ignore rules (JSON pointers, for objects their target selects) and objects
// labelled or annotated helm.toolkit.fluxcd.io/driftDetection: disabled are left out.
#pragma once

#include <weir/api/helm_v2.hpp>
#include <weir/kube/client.hpp>
#include <weir/ssa/inventory.hpp>

#include <string>
#include <vector>

namespace weir::helm_controller {

struct drift_report {
    std::vector<value> drifted;            // the release's version of each drifted or missing object
    std::vector<std::string> descriptions; // "ConfigMap/ns/name changed" / "... removed"
    bool any() const { return !drifted.empty(); }
    std::string str() const;
};

result<drift_report> detect_drift(kube::client& client, const std::vector<value>& objects,
                                  const std::vector<api::helm_v2::drift_ignore_rule>& ignore);

// Removes the value at a JSON pointer ("/spec/replicas", "/data/a~1b") if present.
void remove_pointer(value& obj, std::string_view pointer);

} // namespace weir::helm_controller
