#include "image_policy_reconciler.hpp"

#include "kinds.hpp"
#include "registry_access.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/oci/tag_policy.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/object_store.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

namespace weir::image {
namespace cond = runtime::conditions;
using api::image_v1::image_policy_spec;
using api::image_v1::image_ref;

namespace {

oci::tag_policy to_tag_policy(const image_policy_spec& s)
{
    oci::tag_policy p;
    p.kind = s.kind == api::image_v1::policy_kind::semver         ? oci::tag_order::semver
             : s.kind == api::image_v1::policy_kind::alphabetical ? oci::tag_order::alphabetical
                                                                  : oci::tag_order::numerical;
    p.semver_range = s.semver_range;
    p.ascending = s.ascending;
    p.filter_pattern = s.filter_pattern;
    p.filter_extract = s.filter_extract;
    return p;
}

std::string ns_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "namespace"})->as_string());
}

bool labels_match(const value& match_labels, const value* labels)
{
    for (const auto& [k, v] : match_labels.as_object()) {
        const value* have = labels ? labels->find(k) : nullptr;
        if (!have || !have->is_string() || !v.is_string() || have->as_string() != v.as_string()) return false;
    }
    return true;
}

} // namespace

// Flux's ACL: another namespace may use the repository when one of
// spec.accessFrom.namespaceSelectors[].matchLabels matches that namespace's labels (an empty
// matchLabels matches every namespace).
result<bool> image_policy_reconciler::access_allowed(const value& repo, const std::string& ns)
{
    const value* selectors = repo.find_path({"spec", "accessFrom", "namespaceSelectors"});
    if (!selectors || !selectors->is_array()) return false;
    auto namespace_obj = mgr_.client().get({"", "v1", "Namespace"}, "", ns);
    if (!namespace_obj) return namespace_obj.err().wrap("namespace " + ns);
    const value* labels = namespace_obj->find_path({"metadata", "labels"});
    for (const auto& sel : selectors->as_array()) {
        const value* ml = sel.find("matchLabels");
        if (!ml || !ml->is_object() || labels_match(*ml, labels)) return true;
    }
    return false;
}

std::vector<runtime::request> image_policy_reconciler::policies_for(const value& repository)
{
    std::vector<runtime::request> out;
    std::string repo_ns = ns_of(repository);
    std::string repo_name(repository.find_path({"metadata", "name"})->as_string());
    for (const auto& p : controller_->cache().list()) {
        const value* ref = p->find_path({"spec", "imageRepositoryRef"});
        if (!ref) continue;
        std::string ns(ref->get_string("namespace", ns_of(*p)));
        if (ns == repo_ns && ref->get_string("name") == repo_name) out.push_back(runtime::request::of(*p));
    }
    return out;
}

result<runtime::action> image_policy_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) {
        if (runtime::has_finalizer(obj, api::flux_finalizer))
            WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
        return runtime::action::await_change();
    }
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, image_policy_spec::from(obj));
    WEIR_TRY_ASSIGN(auto selector, oci::tag_selector::compile(to_tag_policy(spec)));
    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    // Not ready yet, for a reason outside this object: report and wait for the repository's
    // next change (the watch brings us back), no retry loop.
    auto not_ready = [&](std::string reason, std::string message) -> result<runtime::action> {
        cond::mark_failed(updated, reason, message);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        return runtime::action::await_change();
    };

    std::string repo_ns =
        spec.image_repository_ref.namespace_.empty() ? req.namespace_ : spec.image_repository_ref.namespace_;
    std::string repo_key = repo_ns + "/" + spec.image_repository_ref.name;
    if (repo_ns != req.namespace_ && no_cross_namespace_refs_)
        return terminal_error(
            fmt::format("cannot access ImageRepository '{}': cross-namespace references are disabled "
                        "(--no-cross-namespace-refs); use an ImageRepository in namespace '{}'",
                        repo_key, req.namespace_),
            "AccessDenied");
    kube::object_ptr repo = repositories_->cache().get(repo_key);
    if (!repo)
        return not_ready("DependencyNotReady",
                         fmt::format("referenced ImageRepository '{}' not found", repo_key));
    if (repo_ns != req.namespace_) {
        WEIR_TRY_ASSIGN(bool allowed, access_allowed(*repo, req.namespace_));
        if (!allowed) {
            // Retried: the namespace's labels or the repository's accessFrom may change.
            error e =
                transient_error(fmt::format("access denied: ImageRepository '{}' does not grant access to "
                                            "namespace '{}' (spec.accessFrom.namespaceSelectors)",
                                            repo_key, req.namespace_),
                                "AccessDenied");
            cond::mark_failed(updated, e.reason, e.message);
            cond::set_observed_generation(updated);
            WEIR_TRY(write_status(obj, updated));
            return e;
        }
    }
    tag_list tags = tags_.get(repo_key);
    // Stored tags are used even while the repository's latest scan fails, as Flux does: a registry
    // outage must not take selections away.
    if (!tags)
        return not_ready("DependencyNotReady",
                         fmt::format("ImageRepository '{}' has not been scanned yet", repo_key));
    std::string image(repo->find_path({"spec", "image"})->as_string());

    WEIR_TRY_ASSIGN(auto chosen, selector.select(*tags));
    if (!chosen)
        return not_ready(
            "ReconciliationFailed",
            fmt::format("no tag of '{}' matches the policy ({} tags scanned)", image, tags->size()));

    auto previous = image_ref::from(obj.find_path({"status", "latestRef"}));
    image_ref latest{image, *chosen, ""};
    if (spec.digest_reflection_policy != "Never") {
        bool reuse = spec.digest_reflection_policy == "IfNotPresent" && previous && previous->name == image &&
                     previous->tag == latest.tag && !previous->digest.empty();
        if (reuse) {
            latest.digest = previous->digest;
        } else {
            WEIR_TRY_ASSIGN(auto repo_spec, api::image_v1::image_repository_spec::from(*repo));
            auto target = connect_registry(mgr_.client(), repo_ns, repo_spec);
            if (!target) return target.err();
            auto digest = target->client->manifest_digest(target->image.repository, latest.tag);
            if (!digest) {
                error e = digest.err().wrap(
                    fmt::format("failed to reflect the digest of {}:{}", image, latest.tag));
                e.kind = error_kind::transient;
                cond::mark_failed(updated, "ReconciliationFailed", e.message);
                WEIR_TRY(write_status(obj, updated));
                return e;
            }
            latest.digest = *digest;
        }
    }

    value& st = updated["status"];
    st["latestRef"] = latest.to_value();
    // v1beta2's string form, kept for clients that still read it.
    st["latestImage"] = latest.name + ":" + latest.tag + (latest.digest.empty() ? "" : "@" + latest.digest);
    bool changed = !previous || !(*previous == latest);
    if (changed && previous) st["observedPreviousRef"] = previous->to_value();
    // Flux's wording: "... resolved to <tag>[ with digest <d>][ (previously <name>:<tag>[@<d>])]".
    const value* prev_v = st.find("observedPreviousRef");
    auto prev = image_ref::from(prev_v);
    std::string message = fmt::format("Latest image tag for {} resolved to {}", image, latest.tag);
    if (!latest.digest.empty()) message += " with digest " + latest.digest;
    if (prev && !(*prev == latest))
        message += fmt::format(" (previously {}:{}{})", prev->name, prev->tag,
                               prev->digest.empty() ? "" : "@" + prev->digest);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    if (changed) mgr_.events().normal(obj, "Succeeded", message);
    if (spec.digest_reflection_policy == "Always" && spec.interval)
        return runtime::action::requeue(to_ms(*spec.interval));
    return runtime::action::await_change();
}

status image_policy_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated);
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

} // namespace weir::image
