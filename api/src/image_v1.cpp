#include "fields.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/core/semver.hpp>

#include <fmt/format.h>

namespace weir::api::image_v1 {

using namespace detail;

namespace {

result<const value*> spec_of(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    return spec;
}

result<std::optional<local_object_reference>> optional_ref(const value& spec, std::string_view key, std::string_view path)
{
    const value* r = spec.find(key);
    if (!r || r->is_null()) return std::optional<local_object_reference>{};
    WEIR_TRY_ASSIGN(auto name, required_string(*r, "name", fmt::format("{}.name", path)));
    return std::optional<local_object_reference>{local_object_reference{std::move(name)}};
}

result<cross_namespace_reference> cross_ref(const value& spec, std::string_view key, std::string_view path,
                                            std::string_view default_kind)
{
    const value* r = spec.find(key);
    if (!r || !r->is_object()) return invalid_field(path, "is required");
    cross_namespace_reference out;
    WEIR_TRY_ASSIGN(out.name, required_string(*r, "name", fmt::format("{}.name", path)));
    WEIR_TRY_ASSIGN(auto ns, optional_string(*r, "namespace", fmt::format("{}.namespace", path)));
    WEIR_TRY_ASSIGN(auto kind, optional_string(*r, "kind", fmt::format("{}.kind", path)));
    WEIR_TRY_ASSIGN(auto av, optional_string(*r, "apiVersion", fmt::format("{}.apiVersion", path)));
    out.namespace_ = ns.value_or("");
    out.kind = kind.value_or(std::string(default_kind));
    out.api_version = av.value_or("");
    return out;
}

result<bool> read_order(const value& choice, std::string_view path)
{
    WEIR_TRY_ASSIGN(auto order, optional_string(choice, "order", path));
    if (!order || *order == "asc") return true;
    if (*order == "desc") return false;
    return invalid_field(path, "must be asc or desc");
}

} // namespace

value image_ref::to_value() const
{
    value v = object{{"name", name}, {"tag", tag}};
    if (!digest.empty()) v["digest"] = digest;
    return v;
}

std::optional<image_ref> image_ref::from(const value* v)
{
    if (!v || !v->is_object()) return std::nullopt;
    return image_ref{std::string(v->get_string("name")), std::string(v->get_string("tag")),
                     std::string(v->get_string("digest"))};
}

result<image_repository_spec> image_repository_spec::from(const value& object)
{
    WEIR_TRY_ASSIGN(const value* spec, spec_of(object));
    image_repository_spec out;
    WEIR_TRY_ASSIGN(out.image, required_string(*spec, "image", "spec.image"));
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    out.interval = *interval;
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    out.timeout = timeout ? *timeout : std::max<std::chrono::nanoseconds>(out.interval, std::chrono::seconds(1));
    WEIR_TRY_ASSIGN(out.secret_ref, optional_ref(*spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(out.cert_secret_ref, optional_ref(*spec, "certSecretRef", "spec.certSecretRef"));
    WEIR_TRY_ASSIGN(out.proxy_secret_ref, optional_ref(*spec, "proxySecretRef", "spec.proxySecretRef"));
    WEIR_TRY_ASSIGN(auto sa, optional_string(*spec, "serviceAccountName", "spec.serviceAccountName"));
    out.service_account_name = sa.value_or("");
    WEIR_TRY_ASSIGN(auto provider, optional_string(*spec, "provider", "spec.provider"));
    out.provider = provider.value_or("generic");
    if (const value* ex = spec->find("exclusionList"); ex && !ex->is_null()) {
        WEIR_TRY_ASSIGN(out.exclusion_list, string_list(*spec, "exclusionList", "spec.exclusionList"));
        if (out.exclusion_list.size() > 25) return invalid_field("spec.exclusionList", "may hold at most 25 entries");
    }
    WEIR_TRY_ASSIGN(out.insecure, optional_bool(*spec, "insecure", "spec.insecure", false));
    WEIR_TRY_ASSIGN(out.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    out.has_access_from = spec->find("accessFrom") && !spec->find("accessFrom")->is_null();
    return out;
}

result<image_policy_spec> image_policy_spec::from(const value& object)
{
    WEIR_TRY_ASSIGN(const value* spec, spec_of(object));
    image_policy_spec out;
    WEIR_TRY_ASSIGN(out.image_repository_ref, cross_ref(*spec, "imageRepositoryRef", "spec.imageRepositoryRef", "ImageRepository"));
    const value* policy = spec->find("policy");
    if (!policy || !policy->is_object()) return invalid_field("spec.policy", "is required: semver, alphabetical or numerical");
    int chosen = 0;
    if (const value* s = policy->find("semver"); s && s->is_object()) {
        ++chosen;
        out.kind = policy_kind::semver;
        WEIR_TRY_ASSIGN(out.semver_range, required_string(*s, "range", "spec.policy.semver.range"));
        if (auto r = semver_range::parse(out.semver_range); !r)
            return invalid_field("spec.policy.semver.range", r.err().message);
    }
    if (const value* a = policy->find("alphabetical"); a && a->is_object()) {
        ++chosen;
        out.kind = policy_kind::alphabetical;
        WEIR_TRY_ASSIGN(out.ascending, read_order(*a, "spec.policy.alphabetical.order"));
    }
    if (const value* n = policy->find("numerical"); n && n->is_object()) {
        ++chosen;
        out.kind = policy_kind::numerical;
        WEIR_TRY_ASSIGN(out.ascending, read_order(*n, "spec.policy.numerical.order"));
    }
    if (chosen != 1) return invalid_field("spec.policy", "must set exactly one of semver, alphabetical, numerical");
    if (const value* f = spec->find("filterTags"); f && f->is_object()) {
        WEIR_TRY_ASSIGN(auto pattern, optional_string(*f, "pattern", "spec.filterTags.pattern"));
        WEIR_TRY_ASSIGN(auto extract, optional_string(*f, "extract", "spec.filterTags.extract"));
        out.filter_pattern = pattern.value_or("");
        out.filter_extract = extract.value_or("");
    }
    WEIR_TRY_ASSIGN(auto drp, optional_string(*spec, "digestReflectionPolicy", "spec.digestReflectionPolicy"));
    out.digest_reflection_policy = drp.value_or("Never");
    if (out.digest_reflection_policy != "Never" && out.digest_reflection_policy != "IfNotPresent" &&
        out.digest_reflection_policy != "Always")
        return invalid_field("spec.digestReflectionPolicy", "must be Never, IfNotPresent or Always");
    WEIR_TRY_ASSIGN(out.interval, optional_duration(*spec, "interval", "spec.interval"));
    if (out.interval && out.digest_reflection_policy != "Always")
        return invalid_field("spec.interval", "is only allowed with digestReflectionPolicy Always");
    if (!out.interval && out.digest_reflection_policy == "Always")
        return invalid_field("spec.interval", "is required with digestReflectionPolicy Always");
    WEIR_TRY_ASSIGN(out.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return out;
}

result<image_update_automation_spec> image_update_automation_spec::from(const value& object)
{
    WEIR_TRY_ASSIGN(const value* spec, spec_of(object));
    image_update_automation_spec out;
    WEIR_TRY_ASSIGN(out.source_ref, cross_ref(*spec, "sourceRef", "spec.sourceRef", "GitRepository"));
    if (out.source_ref.kind != "GitRepository")
        return invalid_field("spec.sourceRef.kind", "must be GitRepository");
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    out.interval = *interval;
    const value* git = spec->find("git");
    if (git && git->is_object()) {
        if (const value* co = git->find_path({"checkout", "ref"}); co && co->is_object()) {
            source_v1::git_reference ref;
            ref.branch = std::string(co->get_string("branch"));
            ref.tag = std::string(co->get_string("tag"));
            ref.semver = std::string(co->get_string("semver"));
            ref.name = std::string(co->get_string("name"));
            ref.commit = std::string(co->get_string("commit"));
            out.checkout_ref = ref;
        }
        const value* commit = git->find("commit");
        if (!commit || !commit->is_object()) return invalid_field("spec.git.commit", "is required");
        const value* author = commit->find("author");
        if (!author || !author->is_object()) return invalid_field("spec.git.commit.author", "is required");
        WEIR_TRY_ASSIGN(out.author_email, required_string(*author, "email", "spec.git.commit.author.email"));
        out.author_name = std::string(author->get_string("name"));
        WEIR_TRY_ASSIGN(auto tmpl, optional_string(*commit, "messageTemplate", "spec.git.commit.messageTemplate"));
        out.message_template = tmpl.value_or("");
        WEIR_TRY_ASSIGN(out.message_template_values,
                        string_map(*commit, "messageTemplateValues", "spec.git.commit.messageTemplateValues"));
        if (const value* sk = commit->find("signingKey"); sk && sk->is_object()) {
            const value* ref = sk->find("secretRef");
            if (!ref || !ref->is_object()) return invalid_field("spec.git.commit.signingKey.secretRef", "is required");
            WEIR_TRY_ASSIGN(out.signing_secret,
                            required_string(*ref, "name", "spec.git.commit.signingKey.secretRef.name"));
            out.signing_type = std::string(sk->get_string("type", "gpg"));
        }
        if (const value* push = git->find("push"); push && push->is_object()) {
            out.push_branch = std::string(push->get_string("branch"));
            out.push_refspec = std::string(push->get_string("refspec"));
            WEIR_TRY_ASSIGN(out.push_options, string_map(*push, "options", "spec.git.push.options"));
        }
    } else {
        return invalid_field("spec.git", "is required (commit author at least)");
    }
    if (const value* update = spec->find("update"); update && update->is_object()) {
        WEIR_TRY_ASSIGN(auto strategy, optional_string(*update, "strategy", "spec.update.strategy"));
        out.update_strategy = strategy.value_or("Setters");
        WEIR_TRY_ASSIGN(auto path, optional_string(*update, "path", "spec.update.path"));
        out.update_path = path.value_or("");
    }
    if (out.update_strategy != "Setters")
        return invalid_field("spec.update.strategy", "must be Setters (the only strategy)");
    if (const value* sel = spec->find("policySelector"); sel && sel->is_object()) out.policy_selector = *sel;
    WEIR_TRY_ASSIGN(out.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return out;
}

} // namespace weir::api::image_v1
