#include "image_update_automation_reconciler.hpp"

#include "commit_message.hpp"
#include "kinds.hpp"
#include "signing.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/api/secret.hpp>
#include <weir/api/source_v1.hpp>
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
        for (const auto& [k, v] : ml->as_object()) add(k + "=" + (v.is_string() ? v.as_string() : ""));
    if (const value* me = sel->find("matchExpressions"); me && me->is_array())
        for (const auto& e : me->as_array()) {
            std::string key(e.get_string("key")), op(e.get_string("operator")), vals;
            if (const value* vs = e.find("values"); vs && vs->is_array())
                for (const auto& v : vs->as_array()) vals += (vals.empty() ? "" : ",") + (v.is_string() ? v.as_string() : "");
            if (op == "In") add(key + " in (" + vals + ")");
            else if (op == "NotIn") add(key + " notin (" + vals + ")");
            else if (op == "Exists") add(key);
            else if (op == "DoesNotExist") add("!" + key);
            else return terminal_error("spec.policySelector: unknown operator '" + op + "'", "InvalidPolicySelector");
        }
    auto parsed = runtime::label_selector::parse(text);
    if (!parsed) return terminal_error("spec.policySelector: " + parsed.err().message, "InvalidPolicySelector");
    return parsed;
}

std::string head_of(const std::vector<git::remote_ref>& refs, const std::string& branch)
{
    for (const auto& r : refs)
        if (r.name == "refs/heads/" + branch) return r.target;
    return {};
}

value observed_value(const std::map<std::string, value>& m)
{
    value v = object{};
    for (const auto& [k, ref] : m) v[k] = ref;
    return v;
}

} // namespace

std::vector<runtime::request> image_update_automation_reconciler::automations_for(const value& policy)
{
    std::vector<runtime::request> out;
    std::string ns(policy.find_path({"metadata", "namespace"})->as_string());
    for (const auto& a : controller_->cache().list_namespace(ns)) out.push_back(runtime::request::of(*a));
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
    std::string checkout_branch, push_branch;
};

struct image_update_automation_reconciler::run_result {
    std::string pushed; // the new commit, or empty when nothing changed
    std::string message;
};

// URL and credentials come from the GitRepository; the branches from both objects.
result<image_update_automation_reconciler::source_info>
image_update_automation_reconciler::resolve_source(const runtime::request& req, const image_update_automation_spec& spec)
{
    std::string ns = spec.source_ref.namespace_.empty() ? req.namespace_ : spec.source_ref.namespace_;
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
    out.checkout_branch = spec.checkout_ref ? spec.checkout_ref->branch : repo.ref.branch;
    if (out.checkout_branch.empty())
        return terminal_error("only a branch can be checked out: set spec.git.checkout.ref.branch",
                              "InvalidSourceConfiguration");
    out.push_branch = spec.push_branch.empty() ? out.checkout_branch : spec.push_branch;
    return out;
}

result<std::optional<signing_key>> image_update_automation_reconciler::signer_for(const runtime::request& req,
                                                                                 const image_update_automation_spec& spec)
{
    if (spec.signing_secret.empty()) return std::optional<signing_key>{};
    auto secret = mgr_.client().get(secret_kind, req.namespace_, spec.signing_secret);
    if (!secret) return secret.err().wrap("signing key secret " + req.namespace_ + "/" + spec.signing_secret);
    WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
    WEIR_TRY_ASSIGN(auto key, signing_key_from(data, spec.signing_type, req.namespace_ + "/" + spec.signing_secret));
    return std::optional<signing_key>(std::move(key));
}

// The selected policies' latest refs, as setters want them and as status.observedPolicies shows them.
void image_update_automation_reconciler::collect_policies(const std::string& ns, const runtime::label_selector& selector,
                                                          setters::policy_map& policies,
                                                          std::map<std::string, value>& observed)
{
    for (const auto& p : policies_->cache().list_namespace(ns)) {
        if (!selector.matches(p->find_path({"metadata", "labels"}))) continue;
        const value* latest = p->find_path({"status", "latestRef"});
        if (!latest || !latest->is_object()) continue;
        std::string name(p->find_path({"metadata", "name"})->as_string());
        policies[ns + ":" + name] = {std::string(latest->get_string("name")), std::string(latest->get_string("tag")),
                                     std::string(latest->get_string("digest"))};
        observed[name] = *latest;
    }
}

// Clone, apply the setters, commit and push; a lost race starts over from the new head (never a
// force push). Errors carry their reason; NonFastForward only after the last attempt.
result<image_update_automation_reconciler::run_result> image_update_automation_reconciler::update_and_push(
    const runtime::request& req, const image_update_automation_spec& spec, const source_info& src,
    const std::string& base_branch, const setters::policy_map& policies, const std::optional<signing_key>& signer)
{
    run_result out;
    for (int attempt = 1;; ++attempt) {
        temp_dir work(work_dir_, "automation");
        fs::path dir = work.path() / "repo";
        WEIR_TRY(git::clone_worktree(src.url, base_branch, dir, src.auth));
        WEIR_TRY_ASSIGN(auto update, setters::update_tree(dir, spec.update_path, policies));
        for (const auto& s : update.skipped) log_.warn("file skipped", {{"file", s}, {"automation", req.key()}});
        if (update.changes.empty()) return out;
        WEIR_TRY_ASSIGN(out.message, render_commit_message(spec.message_template,
                                                           {std::string(req.name), req.namespace_,
                                                            spec.message_template_values, update.changes}));
        // author.name is optional in Flux's API, but a Git signature needs one: the email stands in.
        git::commit_options commit{spec.author_name.empty() ? spec.author_email : spec.author_name, spec.author_email,
                                   out.message, {}};
        if (signer) commit.sign = [&](const std::string& buffer) { return sign_buffer(*signer, buffer, work_dir_); };
        WEIR_TRY_ASSIGN(auto sha, git::commit_all(dir, commit));
        std::vector<std::string> specs;
        if (!spec.push_branch.empty() || spec.push_refspec.empty())
            specs.push_back("refs/heads/" + base_branch + ":refs/heads/" + src.push_branch);
        if (!spec.push_refspec.empty()) specs.push_back(spec.push_refspec);
        auto pushed = git::push_refspecs(dir, specs, src.auth);
        if (pushed) {
            out.pushed = sha;
            return out;
        }
        if (pushed.err().reason != "NonFastForward" || attempt == 3) return pushed.err();
        log_.info("push rejected, the branch moved; applying the update again on the new head",
                  {{"automation", req.key()}, {"attempt", std::to_string(attempt)}});
    }
}

// Flux's wording for both outcomes.
std::string image_update_automation_reconciler::ready_message(const value& obj, const image_update_automation_spec& spec,
                                                              const source_info& src, const std::string& pushed)
{
    if (pushed.empty()) {
        std::string msg = "no updates made";
        if (const value* c = obj.find_path({"status", "lastPushCommit"}); c && c->is_string() && c->as_string().size() >= 7)
            if (const value* t = obj.find_path({"status", "lastPushTime"}); t && t->is_string())
                msg += fmt::format("; last commit {} at {}", c->as_string().substr(0, 7), t->as_string());
        return msg;
    }
    std::string msg;
    bool branch_pushed = !spec.push_branch.empty() || spec.push_refspec.empty();
    if (branch_pushed) msg = fmt::format("committed and pushed commit '{}' to branch '{}'", pushed, src.push_branch);
    if (!spec.push_refspec.empty())
        msg += branch_pushed ? fmt::format(" and using refspec '{}'", spec.push_refspec)
                             : fmt::format("committed and pushed commit '{}' using refspec '{}'", pushed, spec.push_refspec);
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
    if (!src) return src.err().reason == "InvalidSourceConfiguration" ? src.err() : fail(src.err(), "SourceManagerFailed");
    auto signer = signer_for(req, spec);
    if (!signer) return fail(signer.err(), "InvalidSigningKey");
    setters::policy_map policies;
    std::map<std::string, value> observed;
    collect_policies(req.namespace_, selector, policies, observed);

    // The push branch when it exists (earlier automation commits are built upon), else checkout.
    auto refs = git::ls_remote(src->url, src->auth);
    if (!refs) return fail(refs.err(), "GitOperationFailed");
    std::string base_branch = head_of(*refs, src->push_branch).empty() ? src->checkout_branch : src->push_branch;
    std::string base_head = head_of(*refs, base_branch);
    if (base_head.empty())
        return fail(transient_error(fmt::format("branch '{}' not found in {}", src->checkout_branch, src->url)),
                    "GitOperationFailed");
    // Nothing moved since the last good run: no clone at all.
    const value* seen_policies = obj.find_path({"status", "observedPolicies"});
    const value* seen_rev = obj.find_path({"status", "observedSourceRevision"});
    const value* generation = obj.find_path({"metadata", "generation"});
    if (seen_policies && *seen_policies == observed_value(observed) && seen_rev && seen_rev->is_string() &&
        seen_rev->as_string() == git::format_revision(base_branch, base_head) && cond::is_true(obj, "Ready") &&
        generation && generation->is_int() && cond::observed_generation(obj) == generation->as_int())
        return runtime::action::requeue(to_ms(spec.interval));

    auto run = update_and_push(req, spec, *src, base_branch, policies, *signer);
    if (!run) {
        // This object's own mistakes stall it; everything remote is retried.
        static const std::set<std::string, std::less<>> own{"InvalidPath", "InvalidTemplate", "RemovedTemplateField",
                                                            "InvalidSigningKey", "InvalidAuthor"};
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
        st["observedSourceRevision"] = git::format_revision(src->push_branch, run->pushed);
    } else {
        st["observedSourceRevision"] = git::format_revision(base_branch, base_head);
    }
    std::string message = ready_message(obj, spec, *src, run->pushed);
    cond::mark_ready(updated, "ReconciliationSucceeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(write_status(obj, updated));
    if (!run->pushed.empty())
        mgr_.events().event(obj, runtime::event_type::normal, "ReconciliationSucceeded", message + "\n" + run->message,
                            {{"image.toolkit.fluxcd.io/commit", run->pushed}});
    return runtime::action::requeue(to_ms(spec.interval));
}

status image_update_automation_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated);
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

} // namespace weir::image
