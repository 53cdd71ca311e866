#include "cli_common.hpp"
#include "cli_manifests.hpp"

#include <weir/ssa/manager.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace weir::cli {

status apply_install(const std::shared_ptr<kube::client>& client, const std::vector<value>& objects,
                     const install_options& options, std::chrono::milliseconds timeout)
{
    say_action("installing components in " + options.namespace_ + " namespace");
    ssa::resource_manager rm(client);
    // As the kustomize-controller's field manager: after bootstrap its Kustomization applies these
    // same objects from Git, and with one owner a field removed in Git is removed from the cluster
    // (a second manager would keep owning, and so keep, the old value).
    auto changes = rm.apply_all(objects, {.field_manager = "kustomize-controller"});
    if (!changes) return changes.err().wrap("install");
    for (const auto& c : changes->entries)
        if (c.act != ssa::action::unchanged) say_success(fmt::format("{} {}", c.subject.str(), ssa::action_name(c.act)));
    say_success("install finished");
    if (is_weir_apiserver(*client)) {
        // weir-apiserver runs no pods: under `weir dev up` the controllers are its processes, whose
        // health endpoints it lists; otherwise there is nothing to wait for.
        auto endpoints = dev_health_endpoints(client->cfg().source);
        if (endpoints.empty()) {
            say_action("weir-apiserver runs no pods: not waiting for Deployments (the controllers are the processes "
                       "`weir dev up` starts)");
            return ok();
        }
        say_waiting("weir-apiserver runs no pods: verifying the controllers `weir dev up` runs");
        for (const auto& [name, address] : endpoints) {
            if (std::find(options.components.begin(), options.components.end(), name) == options.components.end())
                continue;
            WEIR_TRY(poll_until(timeout, name + " to be ready at " + address,
                                [&]() -> result<bool> { return health_ready(address); }));
            say_success(name + ": process ready (" + address + "/readyz)");
        }
        return ok();
    }
    say_waiting("verifying installation");
    std::vector<ssa::object_ref> deployments;
    for (const auto& c : options.components)
        deployments.push_back({"apps", "v1", "Deployment", options.namespace_, c});
    ssa::wait_options wait;
    wait.timeout = timeout;
    WEIR_TRY(rm.wait_for(deployments, wait));
    for (const auto& c : options.components) say_success(c + ": deployment ready");
    return ok();
}

} // namespace weir::cli
