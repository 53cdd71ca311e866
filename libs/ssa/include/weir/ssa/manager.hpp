// Server-side apply of a set of objects the way Flux's kustomize-controller does it: staged (CRDs,
// Namespaces and ClusterRoles first, then *Class kinds, then the rest), dry-run first so unchanged
// objects are not written, per-object opt-outs by annotation, recreation of objects whose immutable
// fields changed when allowed; then pruning of what left the inventory and health checks.
//
//   ssa::resource_manager rm(client, {.owner_group = "kustomize.toolkit.fluxcd.io"});
//   WEIR_TRY_ASSIGN(auto changes, rm.apply_all(objects, {.field_manager = "kustomize-controller"}));
//   WEIR_TRY_ASSIGN(auto pruned, rm.delete_all(stale, {.owner_labels = labels}));
//   WEIR_TRY(rm.wait_for(refs, {.timeout = 5min}));
//
// Blocking calls on the caller's thread (the kube client's threading rules apply).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/ssa/apply_cache.hpp>
#include <weir/ssa/inventory.hpp>
#include <weir/ssa/kstatus.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace weir::kube {
class client;
}

namespace weir::ssa {

enum class action { created, configured, unchanged, deleted, skipped };
const char* action_name(action a);

struct change {
    object_ref subject;
    action act = action::unchanged;
};

struct change_set {
    std::vector<change> entries;
    // One "<Kind/ns/name> <action>" line per entry, unchanged ones left out (Flux's event text).
    std::string str() const;
    bool changed() const;
    void append(const change_set& other);
};

struct manager_options {
    // The group whose annotations steer apply and prune: <group>/ssa, <group>/force, <group>/prune,
    // <group>/reconcile.
    std::string owner_group = "kustomize.toolkit.fluxcd.io";
};

struct apply_options {
    std::string field_manager = "kustomize-controller";
    // Recreate objects whose immutable fields changed (spec.force); the <group>/force: Enabled
    // annotation does the same for one object.
    bool force = false;
    // How long stage one (CRDs, Namespaces) may take to become established before the rest is applied.
    std::chrono::milliseconds stage_timeout{std::chrono::seconds(60)};
    // Remembers what earlier applies left, to skip reading unchanged objects (apply_cache.hpp).
    // `cache_scope` names the cluster (and identity) applied to, so entries never mix clusters.
    apply_cache* cache = nullptr;
    std::string cache_scope;
};

struct prune_options {
    // Only objects carrying all of these labels are deleted (the owner labels stamped at apply).
    std::map<std::string, std::string> owner_labels;
    std::string propagation_policy = "Background";
    apply_cache* cache = nullptr; // entries of deleted objects are dropped
    std::string cache_scope;
};

struct wait_options {
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds poll_interval{std::chrono::seconds(2)};
    // Checked between polls; returning true ends the wait early with a transient "canceled" error.
    std::function<bool()> cancelled;
    // When set and it returns a result, that result replaces the kstatus rules for the object
    // (the kustomize-controller's spec.healthCheckExprs).
    std::function<std::optional<health_result>(const value& obj)> health_of;
};

class resource_manager {
public:
    resource_manager(std::shared_ptr<kube::client> client, manager_options options = {});

    result<change_set> apply_all(const std::vector<value>& objects, const apply_options& options);
    result<change> apply_one(const value& obj, const apply_options& options);
    result<change_set> delete_all(const std::vector<object_ref>& refs, const prune_options& options);
    // Waits until every object is Current; fails fast when one is Failed.
    status wait_for(const std::vector<object_ref>& refs, const wait_options& options);

private:
    std::string annotation(const value& obj, std::string_view key) const;
    result<bool> recreate(const value& obj, const object_ref& ref);
    std::shared_ptr<kube::client> client_;
    manager_options options_;
};

// Which apply stage a kind belongs to: 0 (CRDs, Namespaces, ClusterRoles), 1 (*Class kinds), 2.
int apply_stage(std::string_view kind);

} // namespace weir::ssa
