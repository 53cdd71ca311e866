#include "image_update_automation_reconciler.hpp"

#include "commit_message.hpp"
#include "git_cli.hpp"
#include "kinds.hpp"
#include "signing.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/api/secret.hpp>
#include <weir/api/source_v1.hpp>
#include <weir/core/semver.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/git/mirror.hpp>
#include <weir/git/push.hpp>
#include <weir/git/reference.hpp>
#include <weir/kube/time.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/label_selector.hpp>
#include <weir/runtime/object_store.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/setters/setters.hpp>

#include <fmt/format.h>

#include <set>

namespace weir::image {
namespace cond = runtime::conditions;
using source_v1_ref = api::source_v1::git_reference;
namespace fs = std::filesystem;
using api::image_v1::image_update_automation_spec;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

std::string get(const std::map<std::string, std::string>& m, const std::string& k)
{
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
}

// A GitRepository's secretRef, with Flux's key names.
git::auth_options git_auth(const std::map<std::string, std::string>& d)
{
    git::auth_options a;
    a.username = get(d, "username");
    a.password = get(d, "password");
    a.bearer_token = get(d, "bearerToken");
    a.ca_pem = get(d, "ca.crt").empty() ? get(d, "caFile") : get(d, "ca.crt");
    a.ssh_private_key = get(d, "identity");
    a.known_hosts = get(d, "known_hosts");
    if (!a.ssh_private_key.empty()) a.ssh_passphrase = a.password;
    return a;
}

// A metav1.LabelSelector as the selector text label_selector parses.
result<runtime::label_selector> selector_of(const std::optional<value>& sel)
{
    if (!sel) return runtime::label_selector{};
    std::string text;
    auto add = [&](const std::string& clause) { text += (text.empty() ? "" : ",") + clause; };
    if (const value* ml = sel->find("matchLabels"); ml && ml->is_object())
        for (const auto& [k, v] : ml->as_object())
            add(k + "=" + (v.is_string() ? v.as_string() : ""));
    if (const value* me = sel->find("matchExpressions"); me && me->is_array())
        for (const auto& e : me->as_array()) {
            std::string key(e.get_string("key")), op(e.get_string("operator")), vals;
            if (const value* vs = e.find("values"); vs && vs->is_array())
                for (const auto& v : vs->as_array())
                    vals += (vals.empty() ? "" : ",") + (v.is_string() ? v.as_string() : "");
            if (op == "In")
                add(key + " in (" + vals + ")");
            else if (op == "NotIn")
                add(key + " notin (" + vals + ")");
            else if (op == "Exists")
                add(key);
            else if (op == "DoesNotExist")
                add("!" + key);
            else
                return terminal_error("spec.policySelector: unknown operator '" + op + "'",
                                      "InvalidPolicySelector");
        }
    auto parsed = runtime::label_selector::parse(text);
    if (!parsed)
        return terminal_error("spec.policySelector: " + parsed.err().message, "InvalidPolicySelector");
    return parsed;
}

std::string head_of(const std::vector<git::remote_ref>& refs, const std::string& branch)
{
    for (const auto& r : refs)
        if (r.name == "refs/heads/" + branch) return r.target;
    return {};
}

const git::remote_ref* find_ref(const std::vector<git::remote_ref>& refs, std::string_view name)
{
    for (const auto& r : refs)
        if (r.name == name) return &r;
    return nullptr;
}

// A checkout ref that is not a branch, resolved on the remote's refs with Flux's precedence
// (commit, name, semver, tag): {name for the revision string ("" for a commit), commit}.
result<std::pair<std::string, std::string>> resolve_detached(const std::vector<git::remote_ref>& refs,
                                                             const source_v1_ref& ref, const std::string& url)
{
    auto missing = [&](const std::string& what) {
        return transient_error(fmt::format("{} not found in {}", what, url), "GitOperationFailed");
    };
    if (!ref.commit.empty()) return std::pair{std::string(), ref.commit};
    if (!ref.name.empty()) {
        const auto* r = find_ref(refs, ref.name);
        if (!r) return missing("reference '" + ref.name + "'");
        return std::pair{ref.name, r->target};
    }
    if (!ref.semver.empty()) {
        auto range = semver_range::parse(ref.semver);
        if (!range)
            return terminal_error("spec.git.checkout.ref.semver: " + range.err().message,
                                  "InvalidSourceConfiguration");
        const git::remote_ref* best = nullptr;
        semver best_v;
        for (const auto& r : refs) {
            if (!r.name.starts_with("refs/tags/")) continue;
            auto v = semver::parse(std::string_view(r.name).substr(10));
            if (v && range->matches(*v) && (!best || best_v < *v)) {
                best = &r;
                best_v = *v;
            }
        }
        if (!best) return missing("a tag matching semver range '" + ref.semver + "'");
        return std::pair{best->name.substr(10), best->target};
    }
    const auto* r = find_ref(refs, "refs/tags/" + ref.tag);
    if (!r) return missing("tag '" + ref.tag + "'");
    return std::pair{ref.tag, r->target};
}

value observed_value(const std::map<std::string, value>& m)
{
    value v = object{};
    for (const auto& [k, ref] : m)
        v[k] = ref;
    return v;
}

} // namespace

std::vector<runtime::request> image_update_automation_reconciler::automations_for(const value& policy)
{
    std::vector<runtime::request> out;
    std::string ns(policy.find_path({"metadata", "namespace"})->as_string());
    for (const auto& a : controller_->cache().list_namespace(ns))
        out.push_back(runtime::request::of(*a));
    return out;
}

std::vector<runtime::request> image_update_automation_reconciler::automations_for_source(const value& repo)
{
    std::vector<runtime::request> out;
    std::string ns(repo.find_path({"metadata", "namespace"})->as_string());
    std::string name(repo.find_path({"metadata", "name"})->as_string());
    for (const auto& a : controller_->cache().list()) {
        const value* ref = a->find_path({"spec", "sourceRef"});
        if (!ref) continue;
        std::string own_ns(a->find_path({"metadata", "namespace"})->as_string());
        if (ref->get_string("name") == name && ref->get_string("namespace", own_ns) == ns)
            out.push_back(runtime::request::of(*a));
    }
    return out;
}

struct image_update_automation_reconciler::source_info {
    std::string url;
    git::auth_options auth;
    source_v1_ref checkout;      // spec.git.checkout.ref, else the GitRepository's ref
    std::string checkout_branch; // set when the checkout ref is a branch
    std::string push_branch;     // empty when only a refspec is pushed from a tag or commit
};

// Where a run starts: a remote branch, or a commit (tag, semver, commit checkout) that gets a local
// branch of its own.
struct image_update_automation_reconciler::base_ref {
    std::string clone_branch; // the branch to clone (libgit2 clones a branch)
    std::string commit;       // the commit to build on
    std::string local_branch; // the local branch the commit is made on
    bool detached = false;    // commit is not clone_branch's head: move local_branch to it
    std::string revision;     // "<name>@sha1:<commit>" / "sha1:<commit>"
};

struct image_update_automation_reconciler::run_result {
    std::string pushed; // the new commit, or empty when nothing changed
    std::string message;
};

// URL and credentials come from the GitRepository; the branches from both objects.
result<image_update_automation_reconciler::source_info>
image_update_automation_reconciler::resolve_source(const runtime::request& req,
                                                   const image_update_automation_spec& spec)
{
    std::string ns = spec.source_ref.namespace_.empty() ? req.namespace_ : spec.source_ref.namespace_;
    if (ns != req.namespace_ && no_cross_namespace_refs_)
        return terminal_error(
            fmt::format("cannot access GitRepository '{}/{}': cross-namespace references are disabled "
                        "(--no-cross-namespace-refs); use a GitRepository in namespace '{}'",
                        ns, spec.source_ref.name, req.namespace_),
            "AccessDenied");
    auto src = mgr_.client().get(git_repository_kind, ns, spec.source_ref.name);
    if (!src) return src.err().wrap(fmt::format("GitRepository '{}/{}'", ns, spec.source_ref.name));
    WEIR_TRY_ASSIGN(auto repo, api::source_v1::git_repository_spec::from(*src));
    source_info out;
    out.url = repo.url;
    if (repo.secret_ref) {
        auto secret = mgr_.client().get(secret_kind, ns, repo.secret_ref->name);
        if (!secret) return secret.err().wrap("secret " + ns + "/" + repo.secret_ref->name);
        WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
        out.auth = git_auth(data);
    }
    out.checkout = spec.checkout_ref ? *spec.checkout_ref : repo.ref;
    const auto& c = out.checkout;
    bool is_branch = c.commit.empty() && c.name.empty() && c.semver.empty() && c.tag.empty();
    if (is_branch) out.checkout_branch = c.branch.empty() ? std::string(git::default_branch) : c.branch;
    // A commit with a branch (Flux's "commit on branch") pushes back to that branch.
    out.push_branch = !spec.push_branch.empty() ? spec.push_branch
                      : c.commit.empty()        ? out.checkout_branch
                                                : c.branch;
    if (out.push_branch.empty() && spec.push_refspec.empty())
        return terminal_error(
            "spec.git.push.branch (or spec.git.push.refspec) is required when the checkout ref is a "
            "tag, a semver range, a name or a commit: there is no branch to push back to",
            "InvalidSourceConfiguration");
    return out;
}

result<std::optional<signing_key>>
image_update_automation_reconciler::signer_for(const runtime::request& req,
                                               const image_update_automation_spec& spec)
{
    if (spec.signing_secret.empty()) return std::optional<signing_key>{};
    auto secret = mgr_.client().get(secret_kind, req.namespace_, spec.signing_secret);
    if (!secret) return secret.err().wrap("signing key secret " + req.namespace_ + "/" + spec.signing_secret);
    WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
    WEIR_TRY_ASSIGN(auto key,
                    signing_key_from(data, spec.signing_type, req.namespace_ + "/" + spec.signing_secret));
    return std::optional<signing_key>(std::move(key));
}

// The selected policies' latest refs, as setters want them and as status.observedPolicies shows them.
void image_update_automation_reconciler::collect_policies(const std::string& ns,
                                                          const runtime::label_selector& selector,
                                                          setters::policy_map& policies,
                                                          std::map<std::string, value>& observed)
{
    for (const auto& p : policies_->cache().list_namespace(ns)) {
        if (!selector.matches(p->find_path({"metadata", "labels"}))) continue;
        const value* latest = p->find_path({"status", "latestRef"});
        if (!latest || !latest->is_object()) continue;
        std::string name(p->find_path({"metadata", "name"})->as_string());
        policies[ns + ":" + name] = {std::string(latest->get_string("name")),
                                     std::string(latest->get_string("tag")),
                                     std::string(latest->get_string("digest"))};
        observed[name] = *latest;
    }
}

// Clone, apply the setters, commit and push; a lost race starts over from the new head (never a
// force push). Errors carry their reason; NonFastForward only after the last attempt.
result<image_update_automation_reconciler::run_result> image_update_automation_reconciler::update_and_push(
    const runtime::request& req, const image_update_automation_spec& spec, const source_info& src,
    base_ref base, const setters::policy_map& policies, const std::optional<signing_key>& signer)
{
    run_result out;
    for (int attempt = 1;; ++attempt) {
        temp_dir work(work_dir_, "automation");
        fs::path dir = work.path() / "repo";
        WEIR_TRY(git::clone_worktree(src.url, base.clone_branch, dir, src.auth));
        if (base.detached) WEIR_TRY(checkout_detached(dir, base.local_branch, base.commit, work_dir_));
        WEIR_TRY_ASSIGN(auto update, setters::update_tree(dir, spec.update_path, policies));
        for (const auto& s : update.skipped)
            log_.warn("file skipped", {{"file", s}, {"automation", req.key()}});
        if (update.changes.empty()) return out;
        WEIR_TRY_ASSIGN(out.message, render_commit_message(spec.message_template,
                                                           {std::string(req.name), req.namespace_,
                                                            spec.message_template_values, update.changes}));
        // author.name is optional in Flux's API, but a Git signature needs one: the email stands in.
        git::commit_options commit{spec.author_name.empty() ? spec.author_email : spec.author_name,
                                   spec.author_email,
                                   out.message,
                                   {}};
        if (signer)
            commit.sign = [&](const std::string& buffer) { return sign_buffer(*signer, buffer, work_dir_); };
        WEIR_TRY_ASSIGN(auto sha, git::commit_all(dir, commit));
        std::vector<std::string> specs;
        if (pushes_branch(spec, src))
            specs.push_back("refs/heads/" + base.local_branch + ":refs/heads/" + src.push_branch);
        if (!spec.push_refspec.empty()) specs.push_back(spec.push_refspec);
        // Push options need the git command line (libgit2 1.5 cannot send them).
        auto pushed = spec.push_options.empty()
                          ? git::push_refspecs(dir, specs, src.auth)
                          : push_with_options(dir, specs, spec.push_options, src.auth, work_dir_);
        if (pushed) {
            out.pushed = sha;
            return out;
        }
        if (pushed.err().reason != "NonFastForward" || attempt == 3) return pushed.err();
        log_.info("push rejected, the branch moved; applying the update again on the new head",
                  {{"automation", req.key()}, {"attempt", std::to_string(attempt)}});
        // The push branch exists now (someone else created or moved it): build on it.
        auto refs = git::ls_remote(src.url, src.auth);
        if (refs && !src.push_branch.empty() && !head_of(*refs, src.push_branch).empty())
            base = {src.push_branch, head_of(*refs, src.push_branch), src.push_branch, false, {}};
    }
}

bool image_update_automation_reconciler::pushes_branch(const image_update_automation_spec& spec,
                                                       const source_info& src)
{
    return !src.push_branch.empty() && (!spec.push_branch.empty() || spec.push_refspec.empty());
}

// The push branch when it exists (earlier automation commits are built upon), else the checkout
// ref: a branch, or a tag/semver/name/commit resolved on the remote.
result<image_update_automation_reconciler::base_ref>
image_update_automation_reconciler::resolve_base(const source_info& src,
                                                 const std::vector<git::remote_ref>& refs)
{
    if (!src.push_branch.empty())
        if (std::string head = head_of(refs, src.push_branch); !head.empty())
            return base_ref{src.push_branch, head, src.push_branch, false,
                            git::format_revision(src.push_branch, head)};
    if (!src.checkout_branch.empty()) {
        std::string head = head_of(refs, src.checkout_branch);
        if (head.empty())
            return transient_error(fmt::format("branch '{}' not found in {}", src.checkout_branch, src.url),
                                   "GitOperationFailed");
        return base_ref{src.checkout_branch, head, src.checkout_branch, false,
                        git::format_revision(src.checkout_branch, head)};
    }
    WEIR_TRY_ASSIGN(auto target, resolve_detached(refs, src.checkout, src.url));
    // libgit2 clones a branch: any branch will do, the commit is checked out afterwards.
    std::string clone_branch = src.checkout.branch;
    if (clone_branch.empty() || head_of(refs, clone_branch).empty())
        for (const auto& r : refs)
            if (r.name.starts_with("refs/heads/")) {
                clone_branch = r.name.substr(11);
                break;
            }
    if (clone_branch.empty())
        return transient_error(fmt::format("{} has no branch to clone", src.url), "GitOperationFailed");
    std::string local = src.push_branch.empty() ? std::string("image-update-automation") : src.push_branch;
    return base_ref{clone_branch, target.second, local, true,
                    git::format_revision(target.first, target.second)};
}

// Flux's wording for both outcomes.
std::string image_update_automation_reconciler::ready_message(const value& obj,
                                                              const image_update_automation_spec& spec,
                                                              const source_info& src,
                                                              const std::string& pushed)
{
    if (pushed.empty()) {
        std::string msg = "no updates made";
        if (const value* c = obj.find_path({"status", "lastPushCommit"});
            c && c->is_string() && c->as_string().size() >= 7)
            if (const value* t = obj.find_path({"status", "lastPushTime"}); t && t->is_string())
                msg += fmt::format("; last commit {} at {}", c->as_string().substr(0, 7), t->as_string());
        return msg;
    }
    std::string msg;
    bool branch_pushed = pushes_branch(spec, src);
    if (branch_pushed)
        msg = fmt::format("committed and pushed commit '{}' to branch '{}'", pushed, src.push_branch);
    if (!spec.push_refspec.empty())
        msg += branch_pushed ? fmt::format(" and using refspec '{}'", spec.push_refspec)
                             : fmt::format("committed and pushed commit '{}' using refspec '{}'", pushed,
                                           spec.push_refspec);
    return msg;
}

result<runtime::action> image_update_automation_reconciler::reconcile(const runtime::request& req)
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
    WEIR_TRY_ASSIGN(auto spec, image_update_automation_spec::from(obj));
    if (!spec.message_template.empty()) WEIR_TRY(check_template(spec.message_template));
    WEIR_TRY_ASSIGN(auto selector, selector_of(spec.policy_selector));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    // Remote state (Git, Secrets, the source) is fixed outside this object: report and retry.
    auto fail = [&](error e, std::string_view reason) -> result<runtime::action> {
        if (e.reason.empty() || !e.terminal()) e.reason = std::string(reason);
        e.kind = error_kind::transient;
        cond::mark_failed(updated, e.reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(write_status(obj, updated));
        mgr_.events().warning(obj, e.reason, e.message);
        return e;
    };

    auto src = resolve_source(req, spec);
    // This object's own mistakes stall it (Stalled, no retry); a missing source or Secret is retried.
    bool own_mistake =
        !src && (src.err().reason == "InvalidSourceConfiguration" || src.err().reason == "AccessDenied");
    if (!src) return own_mistake ? src.err() : fail(src.err(), "SourceManagerFailed");
    auto signer = signer_for(req, spec);
    if (!signer) return fail(signer.err(), "InvalidSigningKey");
    setters::policy_map policies;
    std::map<std::string, value> observed;
    collect_policies(req.namespace_, selector, policies, observed);

    auto refs = git::ls_remote(src->url, src->auth);
    if (!refs) return fail(refs.err(), "GitOperationFailed");
    auto base = resolve_base(*src, *refs);
    if (!base)
        return base.err().reason == "InvalidSourceConfiguration" ? base.err()
                                                                 : fail(base.err(), "GitOperationFailed");
    // Nothing moved since the last good run: no clone at all.
    const value* seen_policies = obj.find_path({"status", "observedPolicies"});
    const value* seen_rev = obj.find_path({"status", "observedSourceRevision"});
    const value* generation = obj.find_path({"metadata", "generation"});
    if (seen_policies && *seen_policies == observed_value(observed) && seen_rev && seen_rev->is_string() &&
        seen_rev->as_string() == base->revision && cond::is_true(obj, "Ready") && generation &&
        generation->is_int() && cond::observed_generation(obj) == generation->as_int())
        return runtime::action::requeue(to_ms(spec.interval));

    auto run = update_and_push(req, spec, *src, *base, policies, *signer);
    if (!run) {
        // This object's own mistakes stall it; everything remote is retried.
        static const std::set<std::string, std::less<>> own{
            "InvalidPath", "InvalidTemplate", "RemovedTemplateField", "InvalidSigningKey", "InvalidAuthor"};
        if (run.err().terminal() && own.contains(run.err().reason)) return run.err();
        return fail(run.err(), "GitOperationFailed");
    }

    value& st = updated["status"];
    auto now = kube::format_time(std::chrono::system_clock::now());
    st["lastAutomationRunTime"] = now;
    st["observedPolicies"] = observed_value(observed);
    if (!run->pushed.empty()) {
        st["lastPushCommit"] = run->pushed;
        st["lastPushTime"] = now;
        st["observedSourceRevision"] = git::format_revision(
            src->push_branch.empty() ? spec.push_refspec : src->push_branch, run->pushed);
    } else {
        st["observedSourceRevision"] = base->revision;
    }
    std::string message = ready_message(obj, spec, *src, run->pushed);
    cond::mark_ready(updated, "ReconciliationSucceeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    if (!run->pushed.empty())
        mgr_.events().event(obj, runtime::event_type::normal, "ReconciliationSucceeded",
                            message + "\n" + run->message, {{"image.toolkit.fluxcd.io/commit", run->pushed}});
    return runtime::action::requeue(to_ms(spec.interval));
}

status image_update_automation_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated);
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

} // namespace weir::image
