#include "git_repository_reconciler.hpp"

#include "git_repository_verify.hpp"
#include "secret_auth.hpp"
#include "tree_assembly.hpp"

#include <weir/api/meta.hpp>
#include <weir/api/secret.hpp>
#include <weir/api/source_v1.hpp>
#include <weir/artifact/ignore.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/time.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

#include <random>

namespace weir::source {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;
using api::source_v1::git_repository_spec;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

artifact::object_ref storage_ref(const value& obj)
{
    return {"gitrepository", std::string(obj.find_path({"metadata", "namespace"})->as_string()),
            std::string(obj.find_path({"metadata", "name"})->as_string())};
}

git::reference to_git_ref(const api::source_v1::git_reference& r)
{
    return {.branch = r.branch, .tag = r.tag, .semver = r.semver, .name = r.name, .commit = r.commit};
}

std::chrono::milliseconds jittered(std::chrono::nanoseconds interval, double percent)
{
    static thread_local std::mt19937 rng{std::random_device{}()};
    double spread = percent / 100.0;
    std::uniform_real_distribution<double> dist(1.0 - spread, 1.0 + spread);
    return std::chrono::milliseconds(
        static_cast<long long>(std::chrono::duration<double, std::milli>(interval).count() * dist(rng)));
}

} // namespace

struct git_repository_reconciler::outcome {
    api::artifact stored;
    bool new_artifact = false;
    std::vector<api::artifact> included;
};

namespace {

const kube::gvk git_repository_kind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
constexpr std::string_view by_include_index = "by-include";

std::string key_of(std::string_view ns, std::string_view name)
{
    return fmt::format("{}/{}", ns, name);
}

value string_list(const std::vector<std::string>& items)
{
    array list;
    for (const auto& i : items)
        list.push_back(i);
    return list;
}

bool same_sparse_checkout(const value& obj, const std::vector<std::string>& dirs)
{
    const value* observed = obj.find_path({"status", "observedSparseCheckout"});
    if (!observed || !observed->is_array()) return dirs.empty();
    return *observed == string_list(dirs);
}

} // namespace

void git_repository_reconciler::bind(runtime::controller& controller)
{
    controller_ = &controller;
    controller.cache().add_indexer(std::string(by_include_index), [](const value& repo) {
        std::vector<std::string> keys;
        const value* list = repo.find_path({"spec", "include"});
        if (!list || !list->is_array()) return keys;
        for (const auto& inc : list->as_array())
            keys.push_back(key_of(repo.find_path({"metadata", "namespace"})->as_string(),
                                  inc.find_path({"repository", "name"})
                                      ? inc.find_path({"repository", "name"})->as_string()
                                      : ""));
        return keys;
    });
    // Included repositories are read from the informer whose events wake the includers (not the
    // sharded primary cache, which may not have seen the new artifact yet, nor hold other shards).
    all_repositories_ = &mgr_.informer_for(git_repository_kind).store();
    controller.watches(git_repository_kind, [this](const value& included) {
        std::vector<runtime::request> out;
        auto key = key_of(included.find_path({"metadata", "namespace"})->as_string(),
                          included.find_path({"metadata", "name"})->as_string());
        for (const auto& includer : controller_->cache().by_index(std::string(by_include_index), key))
            out.push_back(runtime::request::of(*includer));
        return out;
    });
}

git_repository_reconciler::git_repository_reconciler(runtime::manager& mgr, artifact::storage& storage,
                                                     git::mirror_cache& mirrors,
                                                     git_repository_options options)
    : mgr_(mgr), storage_(storage), mirrors_(mirrors), options_(options)
{
}

result<runtime::action> git_repository_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, git_repository_spec::from(obj));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);

    auto stored = fetch_and_store(obj, updated);
    if (!stored && is_verification_failure(stored.err())) return verification_failed(obj, updated, stored.err());
    if (!stored) {
        // Whatever the remote said (no such repository, bad credentials, unknown host key) can be
        // fixed outside this object, by pushing the repository or editing its Secret, so fetch
        // failures are retried with backoff rather than stalled, as Flux does.
        error e = stored.err();
        e.kind = error_kind::transient;
        std::string reason = e.reason.empty() ? "GitOperationFailed" : e.reason;
        cond::set(updated, "FetchFailed", "True", reason, e.message);
        cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        mgr_.events().warning(obj, reason, e.message);
        return e;
    }
    std::string message = fmt::format("stored artifact for revision '{}'", stored->stored.revision);
    updated["status"]["artifact"] = stored->stored.to_value();
    if (!stored->included.empty())
        updated["status"]["includedArtifacts"] = included_artifacts_value(stored->included);
    else if (value* st = updated.find("status"))
        st->as_object().erase("includedArtifacts");
    if (!spec.sparse_checkout.empty())
        updated["status"]["observedSparseCheckout"] = string_list(spec.sparse_checkout);
    else if (value* st = updated.find("status"))
        st->as_object().erase("observedSparseCheckout");
    if (spec.ignore)
        updated["status"]["observedIgnore"] = *spec.ignore;
    else if (value* st = updated.find("status"))
        st->as_object().erase("observedIgnore");
    cond::remove(updated, "FetchFailed");
    cond::set(updated, "ArtifactInStorage", "True", "Succeeded", message);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    if (stored->new_artifact)
        mgr_.events().event(obj, runtime::event_type::normal, "NewArtifact", message,
                            {{"source.toolkit.fluxcd.io/revision", stored->stored.revision},
                             {"source.toolkit.fluxcd.io/digest", stored->stored.digest}});
    return runtime::action::requeue(jittered(spec.interval, options_.interval_jitter_percentage));
}

result<git_repository_reconciler::outcome> git_repository_reconciler::fetch_and_store(const value& obj,
                                                                                      value& updated)
{
    WEIR_TRY_ASSIGN(auto spec, git_repository_spec::from(obj));
    std::string ns(obj.find_path({"metadata", "namespace"})->as_string());
    git::auth_options auth;
    if (spec.secret_ref) {
        auto secret = mgr_.client().get(secret_kind, ns, spec.secret_ref->name);
        if (!secret)
            return transient_error(fmt::format("failed to get secret '{}/{}': {}", ns, spec.secret_ref->name,
                                               secret.err().message),
                                   "AuthenticationFailed");
        WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
        auth = git_auth_from(data);
    }
    if (const value* proxy = obj.find_path({"spec", "proxySecretRef", "name"}); proxy && proxy->is_string())
        WEIR_TRY(apply_proxy_secret(mgr_.client(), ns, std::string(proxy->as_string()), auth));
    WEIR_TRY_ASSIGN(auto included, resolve_includes(*all_repositories_, ns, spec.include));

    // Without a stored artifact, or when the ignore rules changed, the tree must be rebuilt even if
    // the remote has not moved.
    std::optional<api::artifact> current;
    if (const value* a = obj.find_path({"status", "artifact"}))
        if (auto parsed = api::artifact::from(*a)) current = *parsed;
    auto ref = storage_ref(obj);
    const value* observed_ignore = obj.find_path({"status", "observedIgnore"});
    bool ignore_same =
        (observed_ignore && observed_ignore->is_string() ? std::optional(observed_ignore->as_string())
                                                         : std::nullopt) == spec.ignore;
    bool reusable = current && ignore_same && same_sparse_checkout(obj, spec.sparse_checkout) &&
                    same_included_artifacts(obj.find_path({"status", "includedArtifacts"}), included) &&
                    storage_.exists(ref, fs::path(current->path).filename().string());
    std::string last = reusable ? current->revision : "";

    WEIR_TRY_ASSIGN(auto synced, mirrors_.sync(spec.url, to_git_ref(spec.ref), auth, last));
    // Signatures are checked before anything is built, so an unverified revision never becomes
    // the artifact; an unchanged revision verified under the same mode is not checked again.
    WEIR_TRY(verify_revision(obj, updated, spec.url, synced, synced.unchanged && reusable));
    if (synced.unchanged && reusable) return outcome{*current, false, std::move(included)};

    cond::mark_reconciling(updated, "Progressing",
                           fmt::format("building artifact: new upstream revision '{}'", synced.revision));
    temp_dir checkout(storage_.temp_path("checkout"));
    WEIR_TRY(mirrors_.checkout(spec.url, synced.commit, checkout.path()));
    WEIR_TRY(apply_sparse_checkout(checkout.path(), spec.sparse_checkout));
    WEIR_TRY(copy_includes(storage_, spec.include, included, checkout.path(), storage_.temp_path("include")));
    artifact::ignore_matcher rules = artifact::ignore_matcher::for_source(checkout.path(), spec.ignore);
    auto stored =
        storage_.archive(ref, synced.commit + ".tar.gz", checkout.path(), {.ignore = &rules, .fsync = true});
    if (!stored) {
        error e = stored.err();
        e.reason = "ArchiveOperationFailed";
        return e;
    }
    auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records,
                                            fs::path(stored->path).filename().string());
    if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});

    api::artifact art;
    art.path = stored->path;
    art.url = stored->url;
    art.revision = synced.revision;
    art.digest = stored->digest;
    art.size = static_cast<std::int64_t>(stored->size);
    art.last_update_time = kube::format_time(std::chrono::system_clock::now());
    bool changed = !current || current->revision != art.revision || current->digest != art.digest;
    if (!changed) art.last_update_time = current->last_update_time;
    return outcome{art, changed, std::move(included)};
}

status git_repository_reconciler::verify_revision(const value& obj, value& updated, const std::string& url,
                                                  const git::sync_result& synced, bool unchanged)
{
    auto spec = git_verification_of(obj);
    value* st = updated.find("status");
    if (!spec) {
        cond::remove(updated, "SourceVerified");
        if (st && st->is_object()) st->as_object().erase("sourceVerificationMode");
        return ok();
    }
    const value* observed = obj.find_path({"status", "sourceVerificationMode"});
    bool same_mode = observed && observed->is_string() && observed->as_string() == spec->mode;
    if (unchanged && same_mode && cond::is_true(obj, "SourceVerified")) return ok();
    std::string ns(obj.find_path({"metadata", "namespace"})->as_string());
    auto verified = verify_git_revision(mgr_.client(), mirrors_, ns, *spec, url, synced);
    if (!verified) {
        error e = verified.err();
        if (e.reason.empty()) e.reason = "VerificationError";
        cond::set(updated, "SourceVerified", "False", e.reason, e.message);
        e.code = verification_failure_code;
        return e;
    }
    cond::set(updated, "SourceVerified", "True", "Succeeded", *verified);
    updated["status"]["sourceVerificationMode"] = spec->mode;
    return ok();
}

bool git_repository_reconciler::is_verification_failure(const error& e) { return e.code == verification_failure_code; }

result<runtime::action> git_repository_reconciler::verification_failed(const value& obj, value& updated, error e)
{
    // Not a fetch failure: the revision arrived but is not trusted. A tag mode without a tag
    // reference cannot succeed until the spec changes (stalled); anything else may be fixed by a
    // new signature or a new key in the Secret, so it is retried.
    e.code = 0;
    cond::remove(updated, "FetchFailed");
    if (e.terminal()) cond::mark_stalled(updated, e.reason, e.message);
    else cond::mark_failed(updated, e.reason, e.message);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    mgr_.events().warning(obj, e.reason, e.message);
    if (e.terminal()) return runtime::action::await_change();
    return e;
}

status git_repository_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated);
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

result<runtime::action> git_repository_reconciler::finalize(const value& obj)
{
    WEIR_TRY(storage_.remove_object(storage_ref(obj)));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::source
