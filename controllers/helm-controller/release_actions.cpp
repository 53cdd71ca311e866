#include "release_actions.hpp"

#include "hooks.hpp"
#include "manifests.hpp"

#include <weir/helm/render.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <cctype>

namespace weir::helm_controller {
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> owner_labels(const release_target& t)
{
    return {{"helm.toolkit.fluxcd.io/name", t.hr_name}, {"helm.toolkit.fluxcd.io/namespace", t.hr_namespace}};
}

error failed(error e, std::string_view reason)
{
    e.reason = std::string(reason);
    e.kind = error_kind::transient;
    return e;
}

} // namespace

release_actions::release_actions(std::shared_ptr<kube::client> client, release_target target,
                                 const api::helm_v2::helm_release_spec& spec, fs::path scratch)
    : client_(std::move(client)), target_(std::move(target)), spec_(spec), scratch_(std::move(scratch)),
      store_(*client_, target_.storage_namespace, target_.name),
      rm_(client_, {.owner_group = "helm.toolkit.fluxcd.io"})
{
}

std::chrono::milliseconds release_actions::timeout(const api::helm_v2::action_options& opts) const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout.value_or(spec_.timeout));
}

result<std::vector<value>> release_actions::objects_of(const helm::release& r)
{
    return parse_manifests({r.manifest});
}

status release_actions::apply(action_outcome& out, std::vector<helm::release_hook>& hooks,
                              const std::string& pre, const std::string& post,
                              const api::helm_v2::action_options& opts, const std::vector<value>& previous)
{
    std::vector<ssa::object_ref> created;
    if (opts.cleanup_on_fail) {
        WEIR_TRY_ASSIGN(created, not_yet_created(out.objects, previous));
    }
    auto run = [&]() -> status {
        hook_options hook_opts{.namespace_ = target_.namespace_, .timeout = timeout(opts)};
        if (!opts.disable_hooks) WEIR_TRY(run_hooks(*client_, hooks, pre, hook_opts));
        WEIR_TRY_ASSIGN(out.changes, rm_.apply_all(out.objects, {.field_manager = "helm-controller",
                                                                 .force = opts.force}));
        // What left the chart goes, as Helm deletes resources an upgrade no longer renders.
        auto stale = ssa::inventory::of(previous).difference(ssa::inventory::of(out.objects));
        if (!stale.empty()) {
            WEIR_TRY_ASSIGN(auto pruned, rm_.delete_all(stale, {.owner_labels = owner_labels(target_)}));
            out.changes.append(pruned);
        }
        if (!opts.disable_wait)
            WEIR_TRY(
                rm_.wait_for(ssa::inventory::of(out.objects).entries(),
                             {.timeout = timeout(opts), .poll_interval = std::chrono::milliseconds(500)}));
        if (!opts.disable_hooks) WEIR_TRY(run_hooks(*client_, hooks, post, hook_opts));
        return ok();
    };
    status s = run();
    if (!s && !created.empty()) {
        // Helm's cleanupOnFail: what this failed action created goes again; the rest stays for
        // the remediation (or the next attempt) to deal with.
        auto cleaned = rm_.delete_all(created, {.owner_labels = owner_labels(target_)});
        if (!cleaned) return s.err().wrap("cleanup after failure also failed: " + cleaned.err().message);
    }
    return s;
}

result<std::vector<ssa::object_ref>> release_actions::not_yet_created(const std::vector<value>& objects,
                                                                      const std::vector<value>& previous)
{
    std::vector<ssa::object_ref> out;
    for (const auto& ref : ssa::inventory::of(objects).difference(ssa::inventory::of(previous))) {
        auto live = client_->get(kube::gvk{ref.group, ref.version, ref.kind}, ref.namespace_, ref.name);
        if (live) continue;
        if (!kube::is_not_found(live.err())) return live.err().wrap("failed to read " + ref.str());
        out.push_back(ref);
    }
    return out;
}

result<action_outcome> release_actions::install_or_upgrade(const helm::chart& chart, const value& values,
                                                           int version,
                                                           const std::optional<helm::release>& previous,
                                                           const std::optional<helm::release>& replaced)
{
    bool upgrade = previous.has_value();
    const auto& opts = upgrade ? spec_.upgrade : spec_.install;
    std::string_view failure = upgrade ? "UpgradeFailed" : "InstallFailed";
    helm::render_options ropts;
    ropts.release = {.name = target_.name,
                     .namespace_ = target_.namespace_,
                     .revision = version,
                     .is_install = !upgrade,
                     .is_upgrade = upgrade};
    ropts.skip_schema_validation = opts.disable_schema_validation;
    auto rendered = helm::render_chart(chart, values, ropts);
    if (!rendered) return failed(rendered.err().wrap("failed to render chart"), failure);

    action_outcome out;
    helm::release& rel = out.rel;
    rel.name = target_.name;
    rel.namespace_ = target_.namespace_;
    rel.version = version;
    rel.chart = helm::chart_to_json(chart);
    rel.config = rendered->config;
    rel.apply_method = "ssa";
    std::string now = helm::go_time_now();
    rel.info = {.first_deployed = upgrade ? previous->info.first_deployed : now,
                .last_deployed = now,
                .deleted = "",
                .description = upgrade ? "Preparing upgrade" : "Initial install underway",
                .status = std::string(upgrade ? helm::status_pending_upgrade : helm::status_pending_install),
                .notes = rendered->notes};
    for (const auto& h : rendered->hooks)
        rel.hooks.push_back(helm::to_release_hook(h));
    if (replaced && replaced->info.status != helm::status_failed) { // as Helm's replaceRelease
        helm::release last = *replaced;
        last.info.status = std::string(helm::status_superseded);
        last.info.description = "superseded by new release";
        WEIR_TRY(store_.update(last));
    }
    WEIR_TRY(store_.create(rel));

    auto run = [&]() -> status {
        if (!upgrade && opts.create_namespace) {
            value ns = object{{"apiVersion", "v1"},
                              {"kind", "Namespace"},
                              {"metadata", object{{"name", target_.namespace_}}}};
            auto created = client_->apply(ns, {.field_manager = "helm-controller"});
            if (!created) return created.err().wrap("failed to create namespace " + target_.namespace_);
        }
        std::vector<std::string> texts;
        std::string crd_policy = opts.crds.empty() ? (upgrade ? "Skip" : "Create") : opts.crds;
        if (crd_policy != "Skip")
            for (const auto& m : rendered->crds)
                texts.push_back(m.content);
        for (const auto& m : rendered->manifests)
            texts.push_back(m.content);
        WEIR_TRY_ASSIGN(out.objects, parse_manifests(texts));
        WEIR_TRY(post_render(*client_, out.objects,
                             {.name = target_.hr_name,
                              .namespace_ = target_.hr_namespace,
                              .release_name = target_.name,
                              .release_namespace = target_.namespace_,
                              .post_renderers = &spec_.post_renderers,
                              .common_labels = &spec_.common_labels,
                              .common_annotations = &spec_.common_annotations,
                              .scratch = scratch_}));
        rel.manifest = manifest_text(out.objects);
        std::vector<value> before;
        if (previous || replaced) {
            WEIR_TRY_ASSIGN(before, objects_of(previous ? *previous : *replaced));
        }
        return apply(out, rel.hooks, upgrade ? "pre-upgrade" : "pre-install",
                     upgrade ? "post-upgrade" : "post-install", opts, before);
    };
    status s = run();
    rel.info.last_deployed = helm::go_time_now();
    rel.info.status = std::string(s ? helm::status_deployed : helm::status_failed);
    rel.info.description = s ? (upgrade ? "Upgrade complete" : "Install complete")
                             : fmt::format("{} \"{}\" failed: {}", upgrade ? "Upgrade" : "Release",
                                           target_.name, s.err().message);
    WEIR_TRY(store_.update(rel));
    if (!s) return failed(s.err(), failure);
    if (upgrade) {
        WEIR_TRY_ASSIGN(auto all, store_.history());
        for (auto& r : all) // the description stays ("Install complete"), as `helm history` shows it
            if (r.version != version && r.info.status == helm::status_deployed) {
                r.info.status = std::string(helm::status_superseded);
                WEIR_TRY(store_.update(r));
            }
    }
    WEIR_TRY(store_.prune(spec_.max_history));
    return out;
}

result<action_outcome> release_actions::rollback(const helm::release& target, int version,
                                                 const std::optional<helm::release>& replaced)
{
    action_outcome out;
    helm::release& rel = out.rel;
    rel = target;
    rel.version = version;
    rel.info.status = std::string(helm::status_pending_rollback);
    rel.info.description = fmt::format("Rollback to {}", target.version);
    rel.info.last_deployed = helm::go_time_now();
    rel.info.deleted = "";
    WEIR_TRY(store_.create(rel));
    auto run = [&]() -> status {
        WEIR_TRY_ASSIGN(out.objects, objects_of(target));
        std::vector<value> before;
        if (replaced) {
            WEIR_TRY_ASSIGN(before, objects_of(*replaced));
        }
        return apply(out, rel.hooks, "pre-rollback", "post-rollback", spec_.rollback, before);
    };
    status s = run();
    rel.info.status = std::string(s ? helm::status_deployed : helm::status_failed);
    if (!s) rel.info.description = fmt::format("Rollback \"{}\" failed: {}", target_.name, s.err().message);
    WEIR_TRY(store_.update(rel));
    if (!s) return failed(s.err(), "RollbackFailed");
    WEIR_TRY_ASSIGN(auto all, store_.history());
    for (auto& r : all) // as Helm's rollback: earlier deployed records are superseded, failed ones stay
        if (r.version != version && r.info.status == helm::status_deployed) {
            r.info.status = std::string(helm::status_superseded);
            WEIR_TRY(store_.update(r));
        }
    WEIR_TRY(store_.prune(spec_.max_history));
    return out;
}

result<std::optional<std::string>> release_actions::recover_pending(std::vector<helm::release>& history)
{
    helm::release* latest = history.empty() ? nullptr : &history.back();
    if (!latest || !latest->info.status.starts_with("pending-")) return std::optional<std::string>{};
    std::string was = latest->info.status;
    latest->info.status = std::string(helm::status_failed);
    latest->info.description = fmt::format("Release recovered from {} left by an interrupted operation", was);
    WEIR_TRY(store_.update(*latest));
    return std::optional<std::string>{
        fmt::format("{}/{}.v{} ({})", latest->namespace_, latest->name, latest->version, was)};
}

status release_actions::uninstall()
{
    WEIR_TRY_ASSIGN(auto all, store_.history());
    if (all.empty()) return ok();
    helm::release current = all.back();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->info.status == helm::status_deployed) {
            current = *it;
            break;
        }
    auto run = [&]() -> status {
        hook_options hook_opts{.namespace_ = target_.namespace_, .timeout = timeout(spec_.uninstall)};
        if (!spec_.uninstall.disable_hooks)
            WEIR_TRY(run_hooks(*client_, current.hooks, "pre-delete", hook_opts));
        WEIR_TRY_ASSIGN(auto objects, objects_of(current));
        std::string policy = spec_.uninstall.deletion_propagation;
        policy[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(policy[0])));
        WEIR_TRY(rm_.delete_all(ssa::inventory::of(objects).entries(),
                                {.owner_labels = {}, .propagation_policy = policy}));
        if (!spec_.uninstall.disable_hooks)
            WEIR_TRY(run_hooks(*client_, current.hooks, "post-delete", hook_opts));
        return ok();
    };
    if (auto s = run(); !s)
        return failed(s.err().wrap("failed to uninstall release " + target_.name), "UninstallFailed");
    if (!spec_.uninstall.keep_history) return store_.remove_all();
    current.info.status = std::string(helm::status_uninstalled);
    current.info.deleted = helm::go_time_now();
    current.info.description = "Uninstallation complete";
    return store_.update(current);
}

} // namespace weir::helm_controller
