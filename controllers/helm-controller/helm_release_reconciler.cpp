#include "helm_release_reconciler.hpp"

#include "chart_source.hpp"
#include "drift.hpp"
#include "hooks.hpp"
#include "release_actions.hpp"
#include "release_status.hpp"
#include "values.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/core/duration.hpp>
#include <weir/core/json.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/helm/values.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/remote_cluster.hpp>

#include <fmt/format.h>

namespace weir::helm_controller {
namespace cond = runtime::conditions;
using api::helm_v2::helm_release_spec;

namespace {

const kube::gvk helm_release_kind{"helm.toolkit.fluxcd.io", "v2", "HelmRelease"};
constexpr std::string_view by_reference_index = "by-reference";

std::string ns_of(const value& obj)
{
    return std::string(kube::namespace_of(obj));
}
std::string name_of(const value& obj)
{
    return std::string(kube::name_of(obj));
}

std::int64_t status_int(const value& obj, std::string_view key)
{
    const value* v = obj.find_path({"status", key});
    return v && v->is_int() ? v->as_int() : 0;
}

std::string status_string(const value& obj, std::string_view key)
{
    const value* v = obj.find_path({"status", key});
    return v && v->is_string() ? v->as_string() : "";
}

std::string annotation(const value& obj, std::string_view key)
{
    const value* v = obj.find_path({"metadata", "annotations", key});
    return v && v->is_string() ? v->as_string() : "";
}

// Flux's forceAt/resetAt rule: the annotation is a request only when it equals requestedAt (the
// CLI writes both) and was not handled before; returns the token to record, or empty.
std::string pending_request(const value& obj, std::string_view key, std::string_view handled)
{
    std::string token = annotation(obj, key);
    if (token.empty() || token != annotation(obj, "reconcile.fluxcd.io/requestedAt") ||
        token == status_string(obj, handled))
        return "";
    return token;
}

void clear_failures(value& updated)
{
    value& st = updated["status"];
    for (auto key : {"failures", "installFailures", "upgradeFailures"})
        st.as_object().erase(key);
    cond::remove(updated, "Stalled");
}

} // namespace

std::string chart_revision(const helm::chart& c, const chart_artifact& art)
{
    if (c.metadata.version.find('+') != std::string::npos) return c.metadata.version;
    auto at = art.revision.find("@sha256:");
    std::string hex =
        at != std::string::npos ? art.revision.substr(at + 8) : art.digest.substr(art.digest.find(':') + 1);
    return c.metadata.version + "+" + hex.substr(0, 12);
}

release_target target_of(const value& hr, const helm_release_spec& spec)
{
    return {.hr_name = name_of(hr),
            .hr_namespace = ns_of(hr),
            .name = release_name_for(hr, spec),
            .namespace_ = spec.target_namespace.empty() ? ns_of(hr) : spec.target_namespace,
            .storage_namespace = spec.storage_namespace.empty() ? ns_of(hr) : spec.storage_namespace};
}

helm_release_reconciler::helm_release_reconciler(runtime::manager& mgr, reconciler_options options)
    : mgr_(mgr), options_(std::move(options))
{
}

void helm_release_reconciler::bind(runtime::controller& controller)
{
    controller_ = &controller;
    // Every object a release reads: its chart source, its values ConfigMaps/Secrets, its dependencies.
    controller.cache().add_indexer(std::string(by_reference_index), [](const value& hr) {
        std::vector<std::string> keys;
        auto spec = helm_release_spec::from(hr);
        if (!spec) return keys;
        keys.push_back(source_of(hr, *spec).key());
        for (const auto& v : spec->values_from)
            keys.push_back(fmt::format("{}/{}/{}", v.kind, ns_of(hr), v.name));
        for (const auto& d : spec->depends_on)
            keys.push_back(fmt::format("HelmRelease/{}/{}", d.namespace_, d.name));
        return keys;
    });
    auto wake = [this](std::string kind, auto changed) {
        return [this, kind, changed](const value& obj) {
            std::vector<runtime::request> out;
            std::string key = fmt::format("{}/{}/{}", kind, ns_of(obj), name_of(obj));
            std::string mark = changed(obj);
            {
                std::lock_guard lock(seen_mutex_);
                auto& seen = seen_[key];
                if (seen == mark) return out;
                seen = mark;
            }
            for (const auto& hr : controller_->cache().by_index(std::string(by_reference_index), key))
                out.push_back(runtime::request::of(*hr));
            return out;
        };
    };
    auto revision = [](const value& o) {
        return std::string(o.find_path({"status", "artifact"})
                               ? o.find_path({"status", "artifact"})->get_string("revision")
                               : "");
    };
    auto content = [](const value& o) {
        return to_json(o.find("data") ? *o.find("data") : value{}) +
               to_json(o.find("binaryData") ? *o.find("binaryData") : value{}) +
               to_json(o.find("stringData") ? *o.find("stringData") : value{});
    };
    auto readiness = [](const value& o) {
        return std::string(cond::is_true(o, cond::ready) ? "ready" : "") +
               std::to_string(cond::observed_generation(o));
    };
    controller.watches(helm_chart_kind, wake("HelmChart", revision));
    // OCIRepository is watched only where its CRD is installed: an informer of a kind the server
    // does not serve would never sync and hold the manager back.
    if (mgr_.client().mapper().mapping_for(oci_repository_kind))
        controller.watches(oci_repository_kind, wake("OCIRepository", revision));
    // valuesFrom ConfigMaps and Secrets are watched without a label, but Helm's release records
    // (owner=helm, the bulk of a cluster's Secrets) are kept out of the cache.
    std::string scope = mgr_.options().watch_all_namespaces ? "" : mgr_.runtime_namespace();
    for (const char* kind : {"ConfigMap", "Secret"}) {
        auto map = wake(kind, content);
        auto enqueue = [this, map](const kube::object_ptr& o) {
            for (const auto& r : map(*o))
                controller_->enqueue(r);
        };
        auto inf = std::make_unique<runtime::informer>(
            mgr_.client_ptr(), runtime::informer_options{.kind = {"", "v1", kind},
                                                         .namespace_ = scope,
                                                         .label_selector = "owner!=helm"});
        inf->add_handler(
            {.on_add = enqueue,
             .on_update = [enqueue](const kube::object_ptr&, const kube::object_ptr& now) { enqueue(now); },
             .on_delete = enqueue});
        values_informers_.push_back(std::move(inf));
    }
    controller.watches(helm_release_kind, wake("HelmRelease", readiness));
}

status helm_release_reconciler::start()
{
    for (auto& inf : values_informers_)
        WEIR_TRY(inf->start());
    return ok();
}

result<runtime::action> helm_release_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, helm_release_spec::from(obj));
    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    // resetAt: the failure counters start again, so exhausted retries get a fresh attempt.
    if (auto reset = pending_request(obj, "reconcile.fluxcd.io/resetAt", "lastHandledResetAt");
        !reset.empty()) {
        clear_failures(updated);
        updated["status"]["lastHandledResetAt"] = reset;
    }
    // forceAt: one install or upgrade although nothing changed.
    std::string force = pending_request(obj, "reconcile.fluxcd.io/forceAt", "lastHandledForceAt");
    if (!force.empty()) updated["status"]["lastHandledForceAt"] = force;

    WEIR_TRY_ASSIGN(auto waiting_on, dependencies_not_ready(spec));
    if (waiting_on) {
        cond::mark_failed(updated, "DependencyNotReady", *waiting_on);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::requeue(options_.requeue_dependency);
    }
    auto result = release(obj, spec, updated, !force.empty());
    if (!result) {
        error e = result.err();
        std::string reason = e.reason.empty() ? "ReconciliationFailed" : e.reason;
        if (reason == "AccessDenied")
            cond::mark_stalled(updated, reason, e.message); // only a spec change can help
        else
            cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        if (!e.terminal()) mgr_.events().warning(obj, reason, e.message);
    }
    return result;
}

result<runtime::action> helm_release_reconciler::release(const value& obj, const helm_release_spec& spec,
                                                         value& updated, bool forced)
{
    WEIR_TRY(check_access(obj, spec));
    auto target = target_of(obj, spec);
    value& st = updated["status"];
    st["storageNamespace"] = target.storage_namespace;
    auto src = source_of(obj, spec);
    if (spec.chart) {
        WEIR_TRY(reconcile_helm_chart(mgr_.client(), obj, spec));
        st["helmChart"] = src.namespace_ + "/" + src.name;
    } else if (!status_string(obj, "helmChart").empty()) { // moved to chartRef: the owned HelmChart goes
        auto key = kube::object_key::parse(status_string(obj, "helmChart"));
        auto removed = mgr_.client().remove(helm_chart_kind, key.namespace_, key.name);
        if (!removed && !kube::is_not_found(removed.err())) return removed.err();
        st.as_object().erase("helmChart");
    }
    WEIR_TRY_ASSIGN(auto art, ready_artifact(mgr_.client(), src));
    WEIR_TRY_ASSIGN(auto values, compose_values(mgr_.client(), ns_of(obj), spec));
    WEIR_TRY_ASSIGN(auto client, client_for(obj, spec));
    std::string revision = art.revision;
    temp_dir work(options_.scratch_dir, fmt::format("weir-hr-{}-{}", ns_of(obj), name_of(obj)));
    // A HelmChart's revision is its chart version, so a release in sync needs no download; other
    // sources are read to learn the version (OCI: "+<digest[0:12]>" appended, as Flux tracks it).
    std::optional<helm::chart> chart;
    if (src.kind.kind != "HelmChart") {
        WEIR_TRY_ASSIGN(chart, load_chart_artifact(art, work.path()));
        revision = chart_revision(*chart, art);
        chart->metadata.version = revision;
    }

    release_actions actions(client, target, spec, work.path() / "render");
    WEIR_TRY(forget_moved_release(obj, spec, target, client));
    WEIR_TRY_ASSIGN(auto history, actions.store().history());
    WEIR_TRY_ASSIGN(auto recovered, actions.recover_pending(history));
    if (recovered)
        mgr_.events().warning(
            obj, "PendingReleaseRecovered",
            fmt::format("release {} was left pending by an interrupted operation; marked failed",
                        *recovered));
    std::optional<helm::release> deployed;
    for (auto it = history.rbegin(); !deployed && it != history.rend(); ++it)
        if (it->info.status == helm::status_deployed) deployed = *it;
    // upgrade.preserveValues (Helm's --reuse-values): the deployed release's values under the new ones.
    if (spec.upgrade.preserve_values && deployed) values = helm::merge_maps(deployed->config, values);
    std::string digest = config_digest(values);

    // Beyond Flux: a new chart version, new values or a new generation is a fresh attempt, even
    // after the retries of the last one ran out.
    if (status_string(obj, "lastAttemptedRevision") != revision ||
        status_string(obj, "lastAttemptedConfigDigest") != digest ||
        status_int(obj, "lastAttemptedGeneration") != kube::generation_of(obj))
        clear_failures(updated);
    st["lastAttemptedRevision"] = revision;
    st["lastAttemptedConfigDigest"] = digest;
    st["lastAttemptedValuesChecksum"] = values_checksum(values);
    st["lastAttemptedGeneration"] = kube::generation_of(obj);
    st["lastAttemptedRevisionDigest"] = art.digest;

    std::string renderers = spec.post_renderers.is_null() ? "" : config_digest(spec.post_renderers);
    const value* common = obj.find_path({"spec", "commonMetadata"});
    std::string metadata = common && !common->is_null() ? config_digest(*common) : "";
    bool current = !history.empty() && history.back().info.status == helm::status_deployed;
    if (!forced && current && chart_version_of(*deployed) == revision &&
        config_digest(deployed->config) == digest &&
        status_string(obj, "observedPostRenderersDigest") == renderers &&
        status_string(obj, "observedCommonMetadataDigest") == metadata) {
        WEIR_TRY(in_sync(obj, spec, updated, actions));
        return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec.interval));
    }
    if (!chart) {
        WEIR_TRY_ASSIGN(chart, load_chart_artifact(art, work.path()));
    }
    return act(obj, spec, updated, actions,
               {.chart = *chart,
                .values = values,
                .digest = digest,
                .renderers = renderers,
                .common_metadata = metadata,
                .deployed = deployed,
                .latest = history.empty() ? std::nullopt : std::optional<helm::release>(history.back())});
}

// --no-cross-namespace-refs: the chart's source must be in the HelmRelease's namespace.
status helm_release_reconciler::check_access(const value& obj, const helm_release_spec& spec) const
{
    if (!options_.no_cross_namespace_refs) return ok();
    const auto& ref = spec.chart ? spec.chart->source_ref : *spec.chart_ref;
    if (ref.namespace_ == ns_of(obj)) return ok();
    return terminal_error(fmt::format("cannot access {} '{}/{}': cross-namespace references are disabled "
                                      "(--no-cross-namespace-refs); move the source to namespace '{}'",
                                      ref.kind, ref.namespace_, ref.name, ns_of(obj)),
                          "AccessDenied");
}

// Install (no deployed release) or upgrade, unless the retries of this attempt ran out.
result<runtime::action> helm_release_reconciler::act(const value& obj, const helm_release_spec& spec,
                                                     value& updated, release_actions& actions,
                                                     const attempt& a)
{
    value& st = updated["status"];
    bool upgrade = a.deployed.has_value();
    const auto& remediation = upgrade ? spec.upgrade.remediate : spec.install.remediate;
    auto failures = status_int(updated, upgrade ? "upgradeFailures" : "installFailures");
    if (remediation.retries_exhausted(static_cast<int>(failures))) {
        std::string msg =
            fmt::format("Failed to {} after {} attempt(s)", upgrade ? "upgrade" : "install", failures);
        if (!cond::is_true(updated, cond::stalled)) // keep the message that says what failed
            cond::mark_stalled(updated, "RetriesExceeded", msg);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::await_change();
    }
    int latest_version = a.latest ? a.latest->version : 0;
    int version = upgrade ? latest_version + 1 : 1;
    std::optional<helm::release> replaced;
    if (!upgrade && a.latest) {     // only failed or uninstalled records left
        if (spec.install.replace) { // Helm's --replace: the name is taken over, the records stay
            replaced = a.latest;
            version = latest_version + 1;
        } else { // start over
            WEIR_TRY(actions.uninstall());
            if (spec.uninstall.keep_history) version = latest_version + 1;
        }
    }
    // upgrade.preserveValues: Helm's --reuse-values renders with the deployed release's coalesced
    // values as the chart's defaults.
    const helm::chart* chart = &a.chart;
    std::optional<helm::chart> reused;
    if (upgrade && spec.upgrade.preserve_values) {
        WEIR_TRY_ASSIGN(auto old, helm::chart_from_json(a.deployed->chart));
        reused = a.chart;
        WEIR_TRY_ASSIGN(reused->values, helm::coalesce_values(old, a.deployed->config));
        chart = &*reused;
    }
    std::string action = upgrade ? "upgrade" : "install";
    cond::mark_reconciling(
        updated, "Progressing",
        fmt::format("Running '{}' action with timeout of {}", action, format_duration(spec.timeout)));
    WEIR_TRY(write_status(obj, updated));
    auto start = std::chrono::steady_clock::now();
    auto out = actions.install_or_upgrade(*chart, a.values, version, a.deployed, replaced);
    st["lastAttemptedReleaseAction"] = action;
    st["lastAttemptedReleaseActionDuration"] = format_duration(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
    if (!out) return remediate(obj, spec, updated, actions, out.err(), upgrade);

    const auto& rel = out->rel;
    std::string reason = upgrade ? "UpgradeSucceeded" : "InstallSucceeded";
    std::string msg = fmt::format("Helm {} succeeded for release {} with chart {}@{}", action,
                                  release_label(rel), chart_name_of(rel), chart_version_of(rel));
    for (auto key : {"failures", "installFailures", "upgradeFailures"})
        st.as_object().erase(key);
    st["lastReleaseRevision"] = rel.version;
    st["inventory"] = ssa::inventory::of(out->objects).to_value();
    if (a.renderers.empty())
        st.as_object().erase("observedPostRenderersDigest");
    else
        st["observedPostRenderersDigest"] = a.renderers;
    if (a.common_metadata.empty())
        st.as_object().erase("observedCommonMetadataDigest");
    else
        st["observedCommonMetadataDigest"] = a.common_metadata;
    record_snapshot(st, snapshot_of(rel, a.digest));
    cond::set(updated, "Released", "True", reason, msg);
    cond::remove(updated, "Remediated");
    if (spec.test_enable) {
        auto hooks = rel.hooks;
        auto tested = run_hooks(actions.client(), hooks, "test", {.namespace_ = rel.namespace_});
        cond::set(updated, "TestSuccess", tested ? "True" : "False", tested ? "TestSucceeded" : "TestFailed",
                  tested ? fmt::format("Helm test succeeded for release {}", release_label(rel))
                         : tested.err().message);
        if (!tested && !spec.test_ignore_failures)
            return remediate(obj, spec, updated, actions, tested.err(), upgrade);
    }
    cond::mark_ready(updated, reason, msg);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    std::map<std::string, std::string> meta{{"helm.toolkit.fluxcd.io/revision", chart_version_of(rel)}};
    if (const value* app = rel.chart.find_path({"metadata", "appVersion"}); app && app->is_string())
        meta["helm.toolkit.fluxcd.io/app-version"] = app->as_string();
    mgr_.events().event(obj, runtime::event_type::normal, reason, msg, meta);
    return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec.interval));
}

// A change of releaseName, targetNamespace or storageNamespace makes a new release; the old one
// is uninstalled first, as Flux does.
status helm_release_reconciler::forget_moved_release(const value& obj, const helm_release_spec& spec,
                                                     const release_target& target,
                                                     const std::shared_ptr<kube::client>& client)
{
    const value* h = obj.find_path({"status", "history"});
    if (!h || !h->is_array() || h->as_array().empty()) return ok();
    const value& last = h->as_array().front();
    std::string old_storage = status_string(obj, "storageNamespace");
    release_target old = target;
    old.name = std::string(last.get_string("name"));
    old.namespace_ = std::string(last.get_string("namespace"));
    if (!old_storage.empty()) old.storage_namespace = old_storage;
    if (old.name == target.name && old.namespace_ == target.namespace_ &&
        old.storage_namespace == target.storage_namespace)
        return ok();
    temp_dir work(options_.scratch_dir, fmt::format("weir-hr-{}-{}-old", ns_of(obj), name_of(obj)));
    release_actions previous(client, old, spec, work.path());
    WEIR_TRY(previous.uninstall());
    mgr_.events().normal(
        obj, "UninstallSucceeded",
        fmt::format("Helm uninstall succeeded for release {}/{} before installing it as {}/{}",
                    old.namespace_, old.name, target.namespace_, target.name));
    return ok();
}

// A failed install or upgrade: count it, remediate (uninstall after a failed install, rollback or
// uninstall after a failed upgrade) while retries remain or when the last failure is to be
// remediated, and stall once retries are exhausted.
result<runtime::action> helm_release_reconciler::remediate(const value& obj, const helm_release_spec& spec,
                                                           value& updated, release_actions& actions,
                                                           const error& failure, bool upgrade)
{
    value& st = updated["status"];
    std::string counter = upgrade ? "upgradeFailures" : "installFailures";
    auto failures = status_int(updated, counter) + 1;
    st[counter] = failures;
    st["failures"] = status_int(updated, "failures") + 1;
    std::string reason = upgrade ? "UpgradeFailed" : "InstallFailed";
    cond::set(updated, "Released", "False", reason, failure.message);
    mgr_.events().warning(obj, reason, failure.message);

    const auto& remediation = upgrade ? spec.upgrade.remediate : spec.install.remediate;
    bool exhausted = remediation.retries_exhausted(static_cast<int>(failures));
    // Only a release that failed in the cluster is remediated: a chart that did not render left
    // the cluster and the records as they were.
    WEIR_TRY_ASSIGN(auto history, actions.store().history());
    bool released = !history.empty() && history.back().info.status == helm::status_failed;
    if (released) record_snapshot(st, snapshot_of(history.back(), config_digest(history.back().config)));
    if (released && (!exhausted || remediation.must_remediate_last_failure(upgrade))) {
        std::optional<helm::release> target, failed;
        if (!history.empty()) failed = history.back();
        for (auto it = history.rbegin(); it != history.rend(); ++it)
            if (it->info.status == helm::status_superseded || it->info.status == helm::status_deployed) {
                target = *it;
                break;
            }
        bool rollback = upgrade && remediation.strategy == "rollback" && target;
        status done = ok();
        std::string msg;
        if (rollback) {
            auto rolled = actions.rollback(*target, history.back().version + 1, failed);
            done = rolled ? ok() : status(rolled.err());
            if (rolled) record_snapshot(st, snapshot_of(rolled->rel, config_digest(rolled->rel.config)));
            msg = rolled
                      ? fmt::format("Helm rollback to previous release {} with chart {}@{} succeeded",
                                    release_label(*target), chart_name_of(*target), chart_version_of(*target))
                      : rolled.err().message;
        } else {
            done = actions.uninstall();
            msg = done ? fmt::format("Helm uninstall succeeded for release {}",
                                     failed ? release_label(*failed) : "")
                       : done.err().message;
        }
        std::string kind = rollback ? "Rollback" : "Uninstall";
        cond::set(updated, "Remediated", done ? "True" : "False", kind + (done ? "Succeeded" : "Failed"),
                  msg);
        if (done)
            mgr_.events().event(obj, runtime::event_type::normal, kind + "Succeeded", msg);
        else
            mgr_.events().warning(obj, kind + "Failed", msg);
    }
    if (exhausted) {
        std::string msg = fmt::format("Failed to {} after {} attempt(s): {}", upgrade ? "upgrade" : "install",
                                      failures, failure.message);
        cond::mark_stalled(updated, "RetriesExceeded", msg);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::await_change();
    }
    error e = failure;
    e.reason = reason;
    e.kind = error_kind::transient; // retried with backoff
    return e;
}

// The release is what the spec asks for: look for drift, and report Ready.
status helm_release_reconciler::in_sync(const value& obj, const helm_release_spec& spec, value& updated,
                                        release_actions& actions)
{
    WEIR_TRY_ASSIGN(auto deployed, actions.store().last_deployed());
    const auto& rel = *deployed;
    if (spec.drift_mode != "disabled") {
        WEIR_TRY_ASSIGN(auto objects, release_actions::objects_of(rel));
        WEIR_TRY_ASSIGN(auto report, detect_drift(actions.client(), objects, spec.drift_ignore));
        if (report.any()) {
            std::string msg =
                fmt::format("Cluster state of release {} has drifted from the desired state: {}",
                            release_label(rel), report.str());
            mgr_.events().warning(obj, "DriftDetected", msg);
            if (spec.drift_mode == "enabled") {
                ssa::resource_manager rm(actions.client_ptr(), {.owner_group = "helm.toolkit.fluxcd.io"});
                auto fixed =
                    rm.apply_all(report.drifted, {.field_manager = "helm-controller", .force = true});
                if (!fixed) return fixed.err().wrap("failed to correct drift");
                mgr_.events().event(obj, runtime::event_type::normal, "DriftCorrected",
                                    fmt::format("Cluster state of release {} has been corrected:\n{}",
                                                release_label(rel), fixed->str()));
                cond::set(updated, "Drifted", "False", "NoDriftDetected", "drift corrected: " + report.str());
            } else {
                cond::set(updated, "Drifted", "True", "DriftDetected", msg);
            }
        } else {
            cond::set(updated, "Drifted", "False", "NoDriftDetected",
                      fmt::format("No drift detected for release {}", release_label(rel)));
        }
    }
    value& st = updated["status"];
    record_snapshot(st, snapshot_of(rel, config_digest(rel.config)));
    std::string msg = fmt::format("Helm {} succeeded for release {} with chart {}@{}",
                                  rel.version == 1 ? "install" : "upgrade", release_label(rel),
                                  chart_name_of(rel), chart_version_of(rel));
    if (!cond::is_true(updated, "Released"))
        cond::set(updated, "Released", "True", rel.version == 1 ? "InstallSucceeded" : "UpgradeSucceeded",
                  msg);
    auto released = cond::get(updated, "Released");
    cond::mark_ready(updated, released->reason, released->message);
    cond::set_observed_generation(updated);
    return write_status(obj, updated);
}

result<std::optional<std::string>>
helm_release_reconciler::dependencies_not_ready(const helm_release_spec& spec)
{
    for (const auto& dep : spec.depends_on) {
        kube::object_ptr found = controller_->cache().get(dep.namespace_ + "/" + dep.name);
        if (!found || !cond::is_true(*found, cond::ready)) { // the cache may trail the event that woke us
            auto live = mgr_.client().get(helm_release_kind, dep.namespace_, dep.name);
            if (live) found = std::make_shared<const value>(std::move(*live));
        }
        std::string label = fmt::format("dependency '{}/{}'", dep.namespace_, dep.name);
        if (!found) return std::optional<std::string>(label + " not found");
        if (!cond::is_true(*found, cond::ready) ||
            cond::observed_generation(*found) != kube::generation_of(*found))
            return std::optional<std::string>(label + " is not ready");
    }
    return std::optional<std::string>{};
}

// The cluster the release lives in (spec.kubeConfig's or this one), as spec.serviceAccountName (or
// --default-service-account) when set: everything the release does, records included, goes there.
result<std::shared_ptr<kube::client>> helm_release_reconciler::client_for(const value& obj,
                                                                          const helm_release_spec& spec)
{
    std::optional<runtime::kube_config_secret> remote;
    if (spec.kube_config) remote = runtime::kube_config_secret{spec.kube_config->secret_name, spec.kube_config->key};
    return runtime::client_for_object(mgr_.client_ptr(), ns_of(obj), remote,
                                      spec.service_account_name.empty() ? options_.default_service_account
                                                                        : spec.service_account_name);
}

status helm_release_reconciler::write_status(const value& original, value& updated)
{
    auto r =
        runtime::patch_status(mgr_.client(), original, updated, {.field_manager = "gotk-helm-controller"});
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

result<runtime::action> helm_release_reconciler::finalize(const value& obj)
{
    auto spec = helm_release_spec::from(obj);
    auto client = spec ? client_for(obj, *spec) : result<std::shared_ptr<kube::client>>(spec.err());
    if (spec && !spec->suspend && !client && spec->kube_config) {
        // The remote cluster is out of reach for good (its kubeconfig is gone or broken): keeping
        // the finalizer would block deletion forever, so say what was left behind.
        mgr_.events().warning(obj, "UninstallFailed",
                              "the release on the remote cluster was not uninstalled: " +
                                  client.err().message);
    } else if (spec && !spec->suspend) {
        if (!client) return client.err();
        temp_dir work(options_.scratch_dir, fmt::format("weir-hr-{}-{}", ns_of(obj), name_of(obj)));
        release_actions actions(*client, target_of(obj, *spec), *spec, work.path());
        WEIR_TRY_ASSIGN(auto history, actions.store().history());
        status removed = ok();
        if (!history.empty()) {
            removed = actions.uninstall();
        } else if (auto inv = ssa::inventory::from_status(obj.find_path({"status", "inventory"}));
                   inv && !inv->empty()) {
            // The records were deleted by hand: the inventory still names what was applied, and
            // only what carries this release's labels goes.
            ssa::resource_manager rm(*client, {.owner_group = "helm.toolkit.fluxcd.io"});
            auto deleted = rm.delete_all(
                inv->entries(), {.owner_labels = {{"helm.toolkit.fluxcd.io/name", name_of(obj)},
                                                  {"helm.toolkit.fluxcd.io/namespace", ns_of(obj)}}});
            if (!deleted) removed = deleted.err();
        }
        if (!removed) {
            mgr_.events().warning(obj, "UninstallFailed", removed.err().message);
            return removed.err();
        }
    }
    if (spec && spec->chart) WEIR_TRY(delete_helm_chart(mgr_.client(), obj));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::helm_controller
