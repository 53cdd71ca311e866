// HelmRelease: get the chart from its source, compose the values, and bring the Helm release in
// line with them (install, upgrade, remediation by rollback or uninstall, drift correction), with
// Flux's status and events. Beyond Flux: a record left pending by a crash is recovered, and a new
// chart version, values or generation starts a fresh attempt after retries ran out.
#pragma once

#include <weir/api/helm_v2.hpp>
#include <weir/helm/release.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

#include <filesystem>
#include <map>
#include <mutex>

namespace weir::helm_controller {

struct reconciler_options {
    std::filesystem::path scratch_dir = std::filesystem::temp_directory_path();
    std::chrono::milliseconds requeue_dependency{std::chrono::seconds(30)}; // --requeue-dependency
    bool no_cross_namespace_refs = false;                                   // --no-cross-namespace-refs
    std::string default_service_account;                                    // --default-service-account
};

class release_actions;
struct release_target;

class helm_release_reconciler {
public:
    helm_release_reconciler(runtime::manager& mgr, reconciler_options options);

    // Indexes releases by chart source, values references and dependencies, and watches them.
    void bind(runtime::controller& controller);
    // Starts the informers of valuesFrom ConfigMaps and Secrets (call before the manager runs).
    status start();
    result<runtime::action> reconcile(const runtime::request& req);

private:
    result<runtime::action> finalize(const value& obj);
    result<std::optional<std::string>> dependencies_not_ready(const api::helm_v2::helm_release_spec& spec);
    result<runtime::action> release(const value& obj, const api::helm_v2::helm_release_spec& spec,
                                    value& updated, bool forced);
    status check_access(const value& obj, const api::helm_v2::helm_release_spec& spec) const;
    struct attempt {
        const helm::chart& chart;
        const value& values;
        std::string digest, renderers, common_metadata;
        std::optional<helm::release> deployed;
        std::optional<helm::release> latest;
    };
    result<runtime::action> act(const value& obj, const api::helm_v2::helm_release_spec& spec, value& updated,
                                release_actions& actions, const attempt& a);
    status forget_moved_release(const value& obj, const api::helm_v2::helm_release_spec& spec,
                                const release_target& target, const std::shared_ptr<kube::client>& client);
    result<runtime::action> remediate(const value& obj, const api::helm_v2::helm_release_spec& spec,
                                      value& updated, release_actions& actions, const error& failure,
                                      bool upgrade);
    status in_sync(const value& obj, const api::helm_v2::helm_release_spec& spec, value& updated,
                   release_actions& actions);
    result<std::shared_ptr<kube::client>> client_for(const value& obj,
                                                     const api::helm_v2::helm_release_spec& spec);
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    reconciler_options options_;
    runtime::controller* controller_ = nullptr;
    std::mutex seen_mutex_;
    std::map<std::string, std::string> seen_; // watched object key -> last revision / resourceVersion
    std::vector<std::unique_ptr<runtime::informer>> values_informers_;
    logger log_{"helmrelease"};
};

} // namespace weir::helm_controller
