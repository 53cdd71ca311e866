// The Helm actions on the cluster, each leaving a release record as Helm would: install and
// upgrade (render, post-render, hooks, server-side apply, prune of what left the chart, wait),
// rollback to an earlier revision, and uninstall. A failed action marks its record `failed` with
// the error as description and returns the error (reason InstallFailed / UpgradeFailed /
// RollbackFailed / UninstallFailed).
#pragma once

#include "release_store.hpp"

#include <weir/api/helm_v2.hpp>
#include <weir/helm/chart.hpp>
#include <weir/ssa/manager.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace weir::helm_controller {

struct release_target {
    std::string hr_name, hr_namespace;
    std::string name;              // release name
    std::string namespace_;        // release (target) namespace
    std::string storage_namespace; // where the records live
};

struct action_outcome {
    helm::release rel;
    ssa::change_set changes;
    std::vector<value> objects; // what was applied (manifests and CRDs; no hooks)
};

class release_actions {
public:
    release_actions(std::shared_ptr<kube::client> client, release_target target,
                    const api::helm_v2::helm_release_spec& spec, std::filesystem::path scratch);

    release_store& store() { return store_; }
    // The cluster (and identity) the release lives in: local or spec.kubeConfig's, impersonated.
    kube::client& client() { return *client_; }
    const std::shared_ptr<kube::client>& client_ptr() const { return client_; }
    // Installs (no `previous`) or upgrades from `previous` (the current deployed record) as revision
    // `version`. `replaced` is the newest record an install with spec.install.replace takes the name
    // of (Helm's --replace): it is superseded unless failed, and what it applied is pruned.
    result<action_outcome> install_or_upgrade(const helm::chart& chart, const value& values, int version,
                                              const std::optional<helm::release>& previous,
                                              const std::optional<helm::release>& replaced = std::nullopt);
    // Makes `target`'s manifest live again as revision `version`; `failed` is the record it replaces.
    result<action_outcome> rollback(const helm::release& target, int version,
                                    const std::optional<helm::release>& failed);
    status uninstall();
    // Beyond Flux: the newest record left pending-* by a crash is marked failed (Helm would refuse
    // every later action with "another operation is in progress"). `history` (oldest first) is
    // updated in place. Returns the recovered release's label.
    result<std::optional<std::string>> recover_pending(std::vector<helm::release>& history);
    // The objects of a stored release (its manifest, post-rendered when it was applied).
    static result<std::vector<value>> objects_of(const helm::release& r);

private:
    status apply(action_outcome& out, std::vector<helm::release_hook>& hooks, const std::string& pre,
                 const std::string& post, const api::helm_v2::action_options& opts,
                 const std::vector<value>& previous);
    // cleanupOnFail: the objects of `objects` absent from `previous` and from the cluster, which a
    // failed action is to delete again.
    result<std::vector<ssa::object_ref>> not_yet_created(const std::vector<value>& objects,
                                                         const std::vector<value>& previous);
    std::chrono::milliseconds timeout(const api::helm_v2::action_options& opts) const;

    std::shared_ptr<kube::client> client_;
    release_target target_;
    const api::helm_v2::helm_release_spec& spec_;
    std::filesystem::path scratch_;
    release_store store_;
    ssa::resource_manager rm_;
};

} // namespace weir::helm_controller
