#include "kustomization_reconciler.hpp"

#include "health_exprs.hpp"

#include "post_build.hpp"

#include <weir/api/meta.hpp>
#include <weir/artifact/digest.hpp>
#include <weir/artifact/extracted_cache.hpp>
#include <weir/core/duration.hpp>
#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/kustomization/build.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/history.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/remote_cluster.hpp>
#include <weir/ssa/inventory.hpp>

#include <fmt/format.h>

#include <random>
#include <unistd.h>

namespace weir::kustomize_controller {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;
using api::kustomize_v1::kustomization_spec;

namespace {

// The digest of what a build produced, for status.history: equal builds, equal digests.
std::string digest_of(const std::vector<value>& objects)
{
    artifact::sha256_hasher h;
    for (const auto& o : objects)
        h.update(to_json(o));
    return h.final_digest();
}

std::string origin_revision(const api::artifact& art)
{
    auto it = art.metadata.find("org.opencontainers.image.revision");
    return it == art.metadata.end() ? std::string() : it->second;
}

std::string artifact_revision(const value& source)
{
    const value* rev = source.find_path({"status", "artifact", "revision"});
    return rev && rev->is_string() ? rev->as_string() : std::string();
}

const kube::gvk git_repository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const kube::gvk kustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
const kube::gvk oci_repository{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};
const kube::gvk bucket{"source.toolkit.fluxcd.io", "v1", "Bucket"};
constexpr std::string_view by_source_index = "by-source";
constexpr std::string_view by_dependency_index = "by-dependency";

std::string source_key(std::string_view kind, std::string_view ns, std::string_view name)
{
    return fmt::format("{}/{}/{}", kind, ns, name);
}

std::string ns_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "namespace"})->as_string());
}
std::string name_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "name"})->as_string());
}

// Fails with the condition reason the error should be reported under.
error with_reason(error e, std::string_view reason)
{
    if (e.reason.empty() || e.reason == "InvalidYAML" || e.reason == "InvalidJSON")
        e.reason = std::string(reason);
    return e;
}

} // namespace

struct kustomization_reconciler::applied {
    ssa::inventory inventory;
    ssa::change_set changes;
    std::string revision;
    std::string origin_revision; // the artifact's org.opencontainers.image.revision, if any
};

// What one attempt got to, for status.history: the digest of the built objects once built.
struct kustomization_reconciler::attempt {
    std::string digest;
    std::string revision;
};

kustomization_reconciler::kustomization_reconciler(runtime::manager& mgr, reconciler_options options)
    : mgr_(mgr), options_(std::move(options)),
      artifacts_(options_.scratch_dir / fmt::format("weir-artifact-cache-{}", ::getpid()))
{
}

void kustomization_reconciler::bind(runtime::controller& controller)
{
    controller_ = &controller;
    controller.cache().add_indexer(
        std::string(by_source_index), [](const value& ks) -> std::vector<std::string> {
            const value* ref = ks.find_path({"spec", "sourceRef"});
            if (!ref) return {};
            std::string ns(
                ref->get_string("namespace", ks.find_path({"metadata", "namespace"})->as_string()));
            return {source_key(ref->get_string("kind"), ns, ref->get_string("name"))};
        });
    controller.cache().add_indexer(std::string(by_dependency_index), [](const value& ks) {
        std::vector<std::string> deps;
        const value* list = ks.find_path({"spec", "dependsOn"});
        if (!list || !list->is_array()) return deps;
        for (const auto& d : list->as_array())
            deps.push_back(fmt::format(
                "{}/{}", d.get_string("namespace", ks.find_path({"metadata", "namespace"})->as_string()),
                d.get_string("name")));
        return deps;
    });
    // Beyond Flux: a dependency becoming Ready wakes its dependents at once, instead of leaving
    // them to poll every --requeue-dependency.
    controller.watches(kustomization, [this](const value& dep) {
        std::vector<runtime::request> out;
        const value* gen = dep.find_path({"metadata", "generation"});
        if (!cond::is_true(dep, cond::ready) || !gen || cond::observed_generation(dep) != gen->as_int())
            return out;
        for (const auto& ks :
             controller_->cache().by_index(std::string(by_dependency_index), ns_of(dep) + "/" + name_of(dep)))
            if (!cond::is_true(*ks, cond::ready)) out.push_back(runtime::request::of(*ks));
        return out;
    });
    // A new artifact on a source reconciles every Kustomization built from it; other status
    // updates of the source (conditions, lastHandledReconcileAt) do not. OCIRepository and Bucket
    // are watched where their CRDs are served (an informer of an unknown kind would fail).
    controller.watches(git_repository, new_artifact_wakes("GitRepository"));
    if (mgr_.client().mapper().mapping_for(oci_repository))
        controller.watches(oci_repository, new_artifact_wakes("OCIRepository"));
    if (mgr_.client().mapper().mapping_for(bucket)) controller.watches(bucket, new_artifact_wakes("Bucket"));
}

runtime::map_fn kustomization_reconciler::new_artifact_wakes(std::string kind)
{
    return [this, kind](const value& src) {
        std::vector<runtime::request> out;
        const value* rev = src.find_path({"status", "artifact", "revision"});
        const value* digest = src.find_path({"status", "artifact", "digest"});
        // The digest too: a source's includes can change its content under the same revision.
        std::string revision = (rev && rev->is_string() ? rev->as_string() : "") + " " +
                               (digest && digest->is_string() ? digest->as_string() : "");
        std::string key = source_key(kind, ns_of(src), name_of(src));
        {
            std::lock_guard lock(seen_mutex_);
            auto& seen = seen_revisions_[key];
            if (seen == revision) return out;
            seen = revision;
        }
        for (const auto& ks : controller_->cache().by_index(std::string(by_source_index), key))
            out.push_back(runtime::request::of(*ks));
        return out;
    };
}

result<runtime::action> kustomization_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, kustomization_spec::from(obj));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);

    WEIR_TRY_ASSIGN(auto waiting_on, dependencies_not_ready(obj, spec));
    if (waiting_on) {
        std::string msg = fmt::format(
            "{}; retrying in {}s", *waiting_on,
            std::chrono::duration_cast<std::chrono::seconds>(options_.requeue_dependency).count());
        cond::mark_failed(updated, "DependencyNotReady", msg);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::requeue(options_.requeue_dependency);
    }

    auto source = source_of(obj, spec);
    if (!source) {
        cond::mark_failed(updated, "ArtifactFailed", source.err().message);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::requeue(std::chrono::seconds(30));
    }

    auto started = std::chrono::steady_clock::now();
    attempt tried;
    auto result = build_and_apply(obj, spec, *source, updated, tried);
    auto record = [&](const std::string& reason) {
        if (tried.digest.empty()) return;
        runtime::record_history(updated,
                                {.digest = tried.digest,
                                 .status = reason,
                                 .duration = std::chrono::steady_clock::now() - started,
                                 .metadata = {{"revision", tried.revision}}},
                                std::chrono::system_clock::now());
    };
    if (!result) {
        error e = result.err();
        std::string reason = e.reason.empty() ? "ReconciliationFailed" : e.reason;
        cond::mark_failed(updated, reason, e.message);
        if (cond::get(updated, "Reconciling"))
            cond::set(updated, "Reconciling", "True", "ProgressingWithRetry", e.message);
        cond::set_observed_generation(updated);
        record(reason);
        WEIR_TRY(write_status(obj, updated));
        // A terminal error goes back to the runtime, which marks the object Stalled and records the
        // event; a transient one is retried with backoff.
        if (!e.terminal()) mgr_.events().warning(obj, reason, e.message);
        return e;
    }
    updated["status"]["inventory"] = result->inventory.to_value();
    updated["status"]["lastAppliedRevision"] = result->revision;
    if (!result->origin_revision.empty())
        updated["status"]["lastAppliedOriginRevision"] = result->origin_revision;
    std::string message = fmt::format("Applied revision: {}", result->revision);
    cond::mark_ready(updated, "ReconciliationSucceeded", message);
    cond::set_observed_generation(updated);
    record("ReconciliationSucceeded");
    WEIR_TRY(write_status(obj, updated));
    if (result->changes.changed())
        mgr_.events().event(obj, runtime::event_type::normal, "ReconciliationSucceeded",
                            result->changes.str(),
                            {{"kustomize.toolkit.fluxcd.io/revision", result->revision}});
    return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec.interval));
}

result<std::optional<std::string>>
kustomization_reconciler::dependencies_not_ready(const value& obj, const kustomization_spec& spec)
{
    for (const auto& dep : spec.depends_on) {
        kube::object_ptr found;
        value fetched;
        if (dep.kind == "Kustomization") {
            found = controller_->cache().get(dep.namespace_ + "/" + dep.name);
            // The cache may trail the event that woke us (dependency became Ready): confirm live.
            if (!found || !cond::is_true(*found, cond::ready)) {
                auto live = mgr_.client().get(kustomization, dep.namespace_, dep.name);
                if (live) found = std::make_shared<const value>(std::move(*live));
            }
        } else {
            auto api_version =
                dep.api_version.empty() ? std::string("helm.toolkit.fluxcd.io/v2") : dep.api_version;
            auto got = mgr_.client().get(kube::gvk::from_api_version(api_version, dep.kind), dep.namespace_,
                                         dep.name);
            if (got) found = std::make_shared<const value>(std::move(*got));
        }
        std::string label = fmt::format("dependency '{}/{}'", dep.namespace_, dep.name);
        if (!found) return std::optional<std::string>(label + " not found");
        const value& d = *found;
        const value* gen = d.find_path({"metadata", "generation"});
        if (!cond::is_true(d, cond::ready) || !gen || cond::observed_generation(d) != gen->as_int())
            return std::optional<std::string>(label + " is not ready");
        // Same source: the dependency must have applied the revision we are about to apply.
        const value* my_src = obj.find_path({"spec", "sourceRef"});
        const value* dep_src = d.find_path({"spec", "sourceRef"});
        if (my_src && dep_src && *my_src == *dep_src) {
            auto src = source_of(obj, spec);
            if (src) {
                const value* rev = src->find_path({"status", "artifact", "revision"});
                const value* applied = d.find_path({"status", "lastAppliedRevision"});
                if (rev && (!applied || !(*applied == *rev)))
                    return std::optional<std::string>(label +
                                                      " is not ready at the source's latest revision");
            }
        }
    }
    return std::optional<std::string>{};
}

result<value> kustomization_reconciler::source_of(const value& obj, const kustomization_spec& spec)
{
    const auto& ref = spec.source_ref;
    if (options_.no_cross_namespace_refs && ref.namespace_ != ns_of(obj))
        return terminal_error(fmt::format("cannot access {} '{}/{}': cross-namespace references are disabled",
                                          ref.kind, ref.namespace_, ref.name),
                              "AccessDenied");
    kube::object_ptr src;
    if (ref.kind == "GitRepository") {
        src = mgr_.informer_for(git_repository).store().get(ref.namespace_ + "/" + ref.name);
    } else {
        std::string api_version =
            ref.api_version.empty() ? std::string("source.toolkit.fluxcd.io/v1") : ref.api_version;
        auto got =
            mgr_.client().get(kube::gvk::from_api_version(api_version, ref.kind), ref.namespace_, ref.name);
        if (got) src = std::make_shared<const value>(std::move(*got));
    }
    if (!src)
        return transient_error(fmt::format("Source '{}/{}/{}' not found", ref.kind, ref.namespace_, ref.name),
                               "ArtifactFailed");
    if (!src->find_path({"status", "artifact"}))
        return transient_error(fmt::format("Source '{}/{}/{}' is not ready, artifact not found", ref.kind,
                                           ref.namespace_, ref.name),
                               "ArtifactFailed");
    return *src;
}

// Which cluster and identity applies go to, so that remembered apply results never mix them.
std::string kustomization_reconciler::cache_scope(const value& obj, const kustomization_spec& spec) const
{
    std::string sa =
        spec.service_account_name.empty() ? options_.default_service_account : spec.service_account_name;
    std::string cluster = spec.kube_config
                              ? fmt::format("kubeconfig {}/{}", ns_of(obj), spec.kube_config->secret_name)
                              : "local";
    return sa.empty() ? cluster : fmt::format("{} as {}/{}", cluster, ns_of(obj), sa);
}

// The cluster to apply to: spec.kubeConfig's remote cluster or this one, as spec.serviceAccountName
// (or --default-service-account) when set.
result<std::shared_ptr<kube::client>> kustomization_reconciler::client_for(const value& obj,
                                                                           const kustomization_spec& spec)
{
    std::optional<runtime::kube_config_secret> remote;
    if (spec.kube_config) remote = runtime::kube_config_secret{spec.kube_config->secret_name, spec.kube_config->key};
    return runtime::client_for_object(mgr_.client_ptr(), ns_of(obj), remote,
                                      spec.service_account_name.empty() ? options_.default_service_account
                                                                        : spec.service_account_name);
}

result<kustomization_reconciler::applied>
kustomization_reconciler::build_and_apply(const value& obj, const kustomization_spec& spec,
                                          const value& source, value& updated, attempt& tried)
{
    WEIR_TRY_ASSIGN(auto art, api::artifact::from(*source.find_path({"status", "artifact"})));
    updated["status"]["lastAttemptedRevision"] = art.revision;
    tried.revision = art.revision;
    // The extraction is shared with every Kustomization on this revision; the build only reads it.
    auto tree = artifacts_.acquire(art.url, art.digest);
    if (!tree) return with_reason(tree.err().wrap("failed to download artifact"), "ArtifactFailed");

    WEIR_TRY_ASSIGN(auto vars, resolve_variables(mgr_.client(), ns_of(obj), spec));
    WEIR_TRY_ASSIGN(auto keys, resolve_decryption_keys(mgr_.client(), ns_of(obj), spec));
    auto objects = kustomization::build({.root = **tree,
                                         .spec = spec,
                                         .name = name_of(obj),
                                         .namespace_ = ns_of(obj),
                                         .post_build = post_build_step(spec, std::move(vars), keys),
                                         .secret_source_filter = secret_source_step(keys)});
    if (!objects) {
        // Users know the paths of their repository, not our scratch directory.
        error e = with_reason(objects.err(), "BuildFailed");
        std::string prefix = (*tree)->string() + "/";
        for (std::size_t pos; (pos = e.message.find(prefix)) != std::string::npos;)
            e.message.erase(pos, prefix.size());
        return e;
    }

    tried.digest = digest_of(*objects);
    WEIR_TRY_ASSIGN(auto client, client_for(obj, spec));
    ssa::resource_manager rm(client);
    std::string scope = cache_scope(obj, spec);
    auto changes = rm.apply_all(*objects, {.field_manager = "kustomize-controller",
                                           .force = spec.force,
                                           .cache = &apply_cache_,
                                           .cache_scope = scope});
    if (!changes) return with_reason(changes.err(), "ReconciliationFailed");

    applied out{ssa::inventory::of(*objects), std::move(*changes), art.revision, origin_revision(art)};
    if (spec.prune) {
        WEIR_TRY_ASSIGN(auto old_inv, ssa::inventory::from_status(obj.find_path({"status", "inventory"})));
        auto labels = kustomization::owner_labels(name_of(obj), ns_of(obj));
        auto pruned = rm.delete_all(
            old_inv.difference(out.inventory),
            {.owner_labels = {labels.begin(), labels.end()}, .cache = &apply_cache_, .cache_scope = scope});
        if (!pruned) return with_reason(pruned.err(), "PruneFailed");
        out.changes.append(*pruned);
    }

    std::vector<ssa::object_ref> to_check;
    if (spec.wait) to_check = out.inventory.entries();
    for (const auto& hc : spec.health_checks) {
        kube::gvk g = kube::gvk::from_api_version(hc.api_version.empty() ? "v1" : hc.api_version, hc.kind);
        to_check.push_back({g.group, g.version, hc.kind, hc.namespace_, hc.name});
    }
    if (!to_check.empty()) {
        WEIR_TRY_ASSIGN(auto exprs, health_exprs::compile(spec.health_check_exprs));
        // Say what is going on while the wait lasts, as Flux does: what was applied is live already.
        cond::mark_reconciling(updated, "Progressing",
                               fmt::format("Running health checks for revision {} with a timeout of {}",
                                           art.revision, format_duration(spec.timeout)));
        updated["status"]["inventory"] = out.inventory.to_value();
        WEIR_TRY(write_status(obj, updated));
        // A new source revision ends the wait early: the next reconcile applies it instead of
        // waiting out the timeout on objects that are about to change.
        auto superseded = [&] {
            auto now = source_of(obj, spec);
            return now && artifact_revision(*now) != art.revision;
        };
        auto healthy = rm.wait_for(
            to_check, {.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout),
                       .poll_interval = options_.health_poll_interval,
                       .cancelled = superseded,
                       .health_of = [&](const value& o) { return exprs.judge(o); }});
        if (!healthy) {
            cond::set(updated, "Healthy", "False", "HealthCheckFailed", healthy.err().message);
            updated["status"]["inventory"] = out.inventory.to_value();
            return with_reason(healthy.err().wrap(fmt::format(
                                   "health check failed after {}s",
                                   std::chrono::duration_cast<std::chrono::seconds>(spec.timeout).count())),
                               "HealthCheckFailed");
        }
        cond::set(updated, "Healthy", "True", "Succeeded", "Health check passed");
    }
    return out;
}

status kustomization_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated,
                                   {.field_manager = "gotk-kustomize-controller"});
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

result<runtime::action> kustomization_reconciler::finalize(const value& obj)
{
    auto spec = kustomization_spec::from(obj);
    bool suspended = spec && spec->suspend;
    bool delete_objects =
        spec && !suspended &&
        ((spec->deletion_policy == "MirrorPrune" && spec->prune) || spec->deletion_policy == "Delete" ||
         spec->deletion_policy == "WaitForTermination");
    if (delete_objects) {
        WEIR_TRY_ASSIGN(auto inv, ssa::inventory::from_status(obj.find_path({"status", "inventory"})));
        auto labels = kustomization::owner_labels(name_of(obj), ns_of(obj));
        auto client = client_for(obj, *spec);
        if (client) {
            ssa::resource_manager rm(*client);
            WEIR_TRY(rm.delete_all(inv.entries(), {.owner_labels = {labels.begin(), labels.end()}}));
        } else if (spec->kube_config) {
            // The remote cluster is unreachable for good (its kubeconfig is gone or broken): keeping
            // the finalizer would block deletion forever, so say what was left behind.
            mgr_.events().warning(obj, "PruneFailed",
                                  "objects on the remote cluster were not deleted: " + client.err().message);
        } else {
            return client.err();
        }
    }
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::kustomize_controller
