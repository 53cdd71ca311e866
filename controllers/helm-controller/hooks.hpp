// Helm hooks run by the cluster: for one event (pre-install, post-upgrade, pre-delete, ...) each
// hook of that event, by weight then name, is applied and, for Jobs and Pods, waited for until it
// completes or fails. Delete policies as Helm has them: before-hook-creation (the default) deletes
// a previous copy first, hook-succeeded / hook-failed delete it after. last_run is recorded in the
// hook, as Helm stores it in the release.
#pragma once

#include <weir/core/result.hpp>
#include <weir/helm/release.hpp>
#include <weir/kube/client.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace weir::helm_controller {

struct hook_options {
    std::string namespace_; // for hooks without one
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds poll_interval{std::chrono::milliseconds(250)};
    std::string field_manager = "helm-controller";
};

// Runs the hooks of `event`; the first failing hook ends the run with an error naming it.
status run_hooks(kube::client& client, std::vector<helm::release_hook>& hooks, std::string_view event,
                 const hook_options& options);

} // namespace weir::helm_controller
