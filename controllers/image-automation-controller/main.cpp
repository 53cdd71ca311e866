// image-automation-controller: wiring only. One binary owns the three image.toolkit.fluxcd.io
// kinds (Flux splits them over image-reflector-controller and image-automation-controller), so
// policies read the scanned tags from memory instead of a shared database.
#include "image_policy_reconciler.hpp"
#include "image_repository_reconciler.hpp"
#include "image_update_automation_reconciler.hpp"
#include "kinds.hpp"

#include <weir/runtime/manager.hpp>
#include <weir/runtime/options.hpp>
#include <weir/runtime/predicates.hpp>

#include <cstdlib>

using namespace weir;

namespace {

struct image_flags {
    std::string storage_path = "/data";
    bool no_cross_namespace_refs = false;
};

result<image_flags> parse_image_flags(const std::vector<std::string>& rest)
{
    image_flags f;
    if (const char* env = std::getenv("STORAGE_PATH")) f.storage_path = env;
    runtime::flag_set own;
    own.string("storage-path", f.storage_path, "Where the scanned tags and Git work trees are kept.")
        .boolean(
            "no-cross-namespace-refs", f.no_cross_namespace_refs,
            "When set to true, references between custom resources are allowed only if the reference and the "
            "referee are in the same namespace.");
    WEIR_TRY(own.parse(rest));
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> rest;
    auto opts =
        runtime::parse_flags(argc, argv, {.name = "image-automation-controller", .concurrent = 4}, &rest);
    if (!opts) return runtime::exit_with(opts.err());
    auto flags = parse_image_flags(rest);
    if (!flags) return runtime::exit_with(flags.err());
    auto store = image::tag_store::open(flags->storage_path);
    if (!store) return runtime::exit_with(store.err());
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());

    image::image_repository_reconciler repos(**mgr, **store);
    image::image_policy_reconciler policies(**mgr, **store, flags->no_cross_namespace_refs);
    image::image_update_automation_reconciler automations(
        **mgr, std::filesystem::path(flags->storage_path) / "work", flags->no_cross_namespace_refs);

    // Flux's predicate for its kinds: a spec change or a reconcile request, not a finalizer write.
    auto& repo_ctl =
        (*mgr)->add_controller({.name = "imagerepository",
                                .kind = image::image_repository_kind,
                                .reconcile = [&](const runtime::request& r) { return repos.reconcile(r); },
                                .predicate = runtime::generation_or_request_changed});
    auto& policy_ctl =
        (*mgr)->add_controller({.name = "imagepolicy",
                                .kind = image::image_policy_kind,
                                .reconcile = [&](const runtime::request& r) { return policies.reconcile(r); },
                                .predicate = runtime::generation_or_request_changed});
    auto& auto_ctl = (*mgr)->add_controller(
        {.name = "imageupdateautomation",
         .kind = image::image_update_automation_kind,
         .reconcile = [&](const runtime::request& r) { return automations.reconcile(r); },
         .predicate = runtime::generation_or_request_changed});
    repos.bind(repo_ctl);
    policies.bind(policy_ctl, repo_ctl);
    automations.bind(auto_ctl, policy_ctl);
    policy_ctl.watches(image::image_repository_kind,
                       [&](const value& repo) { return policies.policies_for(repo); });
    auto_ctl.watches(image::image_policy_kind,
                     [&](const value& p) { return automations.automations_for(p); });
    // A changed GitRepository (URL, credentials, branch) is taken up at once, as in Flux.
    auto_ctl.watches(image::git_repository_kind,
                     [&](const value& r) { return automations.automations_for_source(r); });

    auto result = (*mgr)->run();
    return result ? 0 : runtime::exit_with(result.err());
}
