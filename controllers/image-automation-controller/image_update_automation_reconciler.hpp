// ImageUpdateAutomation: clone the GitRepository's repository at the checkout branch (or the push
// branch when it exists already), rewrite the setter markers under spec.update.path with the
// selected ImagePolicies' latest refs, commit with the rendered message and push. Never forces:
// when the branch moved meanwhile, the run starts over from the new head (up to 3 attempts, then
// a transient error retried with backoff). No commit when nothing changed; no clone at all when
// neither the policies nor the branch head changed since the last run.
#pragma once

#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

#include <filesystem>

namespace weir::image {

class image_update_automation_reconciler {
public:
    image_update_automation_reconciler(runtime::manager& mgr, std::filesystem::path work_dir)
        : mgr_(mgr), work_dir_(std::move(work_dir))
    {
    }
    void bind(runtime::controller& c, runtime::controller& policies)
    {
        controller_ = &c;
        policies_ = &policies;
    }
    result<runtime::action> reconcile(const runtime::request& req);
    // Every automation in the policy's namespace (for the watch).
    std::vector<runtime::request> automations_for(const value& policy);
    // The automations whose sourceRef names this GitRepository (for the watch).
    std::vector<runtime::request> automations_for_source(const value& git_repository);

private:
    struct run_result;
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    std::filesystem::path work_dir_;
    runtime::controller* controller_ = nullptr;
    runtime::controller* policies_ = nullptr;
    logger log_{"imageupdateautomation"};
};

} // namespace weir::image
