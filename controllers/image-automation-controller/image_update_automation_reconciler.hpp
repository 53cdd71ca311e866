// ImageUpdateAutomation: clone the GitRepository's repository at the checkout ref (a branch, tag,
// semver range, name or commit; the push branch instead when it exists already), rewrite the setter markers
// under spec.update.path with the selected ImagePolicies' latest refs, commit with the rendered message and
// push. Never forces: when the branch moved meanwhile, the run starts over from the new head (up to 3
// attempts, then a transient error retried with backoff). No commit when nothing changed; no clone at all
// when neither the policies nor the branch head changed since the last run.
#pragma once

#include "signing.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/git/mirror.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/label_selector.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/setters/setters.hpp>

#include <filesystem>
#include <map>
#include <optional>

namespace weir::image {

class image_update_automation_reconciler {
public:
    image_update_automation_reconciler(runtime::manager& mgr, std::filesystem::path work_dir,
                                       bool no_cross_namespace_refs = false)
        : mgr_(mgr), work_dir_(std::move(work_dir)), no_cross_namespace_refs_(no_cross_namespace_refs)
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
    struct source_info;
    struct base_ref;
    struct run_result;
    result<source_info> resolve_source(const runtime::request& req,
                                       const api::image_v1::image_update_automation_spec& spec);
    result<std::optional<signing_key>> signer_for(const runtime::request& req,
                                                  const api::image_v1::image_update_automation_spec& spec);
    void collect_policies(const std::string& ns, const runtime::label_selector& selector,
                          setters::policy_map& policies, std::map<std::string, value>& observed);
    static result<base_ref> resolve_base(const source_info& src, const std::vector<git::remote_ref>& refs);
    static bool pushes_branch(const api::image_v1::image_update_automation_spec& spec,
                              const source_info& src);
    result<run_result> update_and_push(const runtime::request& req,
                                       const api::image_v1::image_update_automation_spec& spec,
                                       const source_info& src, base_ref base,
                                       const setters::policy_map& policies,
                                       const std::optional<signing_key>& signer);
    static std::string ready_message(const value& obj,
                                     const api::image_v1::image_update_automation_spec& spec,
                                     const source_info& src, const std::string& pushed);
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    std::filesystem::path work_dir_;
    bool no_cross_namespace_refs_;
    runtime::controller* controller_ = nullptr;
    runtime::controller* policies_ = nullptr;
    logger log_{"imageupdateautomation"};
};

} // namespace weir::image
