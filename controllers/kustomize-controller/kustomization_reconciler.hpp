// Kustomization: fetch the source's artifact, build the path with kustomize, apply the result with
// staged server-side apply, prune what left the build, wait for health, and report in Flux's status
// shape. A failed fetch, build or apply never prunes.
#pragma once

#include <weir/api/kustomize_v1.hpp>
#include <weir/artifact/extracted_cache.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/ssa/manager.hpp>

#include <filesystem>
#include <map>
#include <mutex>

namespace weir::kustomize_controller {

struct reconciler_options {
    std::filesystem::path scratch_dir = std::filesystem::temp_directory_path();
    std::chrono::milliseconds requeue_dependency{std::chrono::seconds(30)}; // --requeue-dependency
    bool no_cross_namespace_refs = false;                                   // --no-cross-namespace-refs
    std::string default_service_account;                                    // --default-service-account
    std::chrono::milliseconds health_poll_interval{std::chrono::seconds(2)};
};

class kustomization_reconciler {
public:
    kustomization_reconciler(runtime::manager& mgr, reconciler_options options);

    // Registers the source watch and index on the controller (before the manager runs).
    void bind(runtime::controller& controller);
    result<runtime::action> reconcile(const runtime::request& req);

private:
    struct applied;
    struct attempt;
    result<runtime::action> finalize(const value& obj);
    // Wakes the Kustomizations built from a source of `kind` when its artifact changes.
    runtime::map_fn new_artifact_wakes(std::string kind);
    result<std::optional<std::string>>
    dependencies_not_ready(const value& obj, const api::kustomize_v1::kustomization_spec& spec);
    result<value> source_of(const value& obj, const api::kustomize_v1::kustomization_spec& spec);
    result<applied> build_and_apply(const value& obj, const api::kustomize_v1::kustomization_spec& spec,
                                    const value& source, value& updated, attempt& tried);
    result<std::shared_ptr<kube::client>> client_for(const value& obj,
                                                     const api::kustomize_v1::kustomization_spec& spec);
    std::string cache_scope(const value& obj, const api::kustomize_v1::kustomization_spec& spec) const;
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    reconciler_options options_;
    runtime::controller* controller_ = nullptr;
    artifact::extracted_cache artifacts_; // one extraction per source revision, shared by builds
    ssa::apply_cache apply_cache_;        // what earlier applies left, to skip reading unchanged objects
    std::mutex seen_mutex_;
    std::map<std::string, std::string> seen_revisions_; // source key -> last artifact revision
    logger log_{"kustomization"};
};

} // namespace weir::kustomize_controller
