#include "fields.hpp"

#include <weir/api/source_v1.hpp>
#include <weir/core/semver.hpp>

#include <fmt/format.h>

namespace weir::api::source_v1 {

using namespace detail;

namespace {

result<std::optional<local_object_reference>> optional_ref(const value& spec, std::string_view key,
                                                           std::string_view path)
{
    const value* r = spec.find(key);
    if (!r || r->is_null()) return std::optional<local_object_reference>{};
    WEIR_TRY_ASSIGN(auto name, required_string(*r, "name", fmt::format("{}.name", path)));
    return std::optional<local_object_reference>{local_object_reference{std::move(name)}};
}

result<git_reference> read_ref(const value& spec)
{
    git_reference ref;
    const value* r = spec.find("ref");
    if (!r || r->is_null()) {
        ref.branch = "master";
        return ref;
    }
    if (!r->is_object()) return invalid_field("spec.ref", "must be an object");
    WEIR_TRY_ASSIGN(auto branch, optional_string(*r, "branch", "spec.ref.branch"));
    WEIR_TRY_ASSIGN(auto tag, optional_string(*r, "tag", "spec.ref.tag"));
    WEIR_TRY_ASSIGN(auto semver, optional_string(*r, "semver", "spec.ref.semver"));
    WEIR_TRY_ASSIGN(auto name, optional_string(*r, "name", "spec.ref.name"));
    WEIR_TRY_ASSIGN(auto commit, optional_string(*r, "commit", "spec.ref.commit"));
    ref.branch = branch.value_or("");
    ref.tag = tag.value_or("");
    ref.semver = semver.value_or("");
    ref.name = name.value_or("");
    ref.commit = commit.value_or("");
    if (!ref.semver.empty()) {
        auto range = semver_range::parse(ref.semver);
        if (!range) return invalid_field("spec.ref.semver", range.err().message);
    }
    if (!ref.name.empty() && ref.name.rfind("refs/", 0) != 0)
        return invalid_field("spec.ref.name", "must be a full reference starting with refs/, e.g. refs/heads/main");
    if (!ref.commit.empty() && (ref.commit.size() < 7 || ref.commit.find_first_not_of("0123456789abcdef") != std::string::npos))
        return invalid_field("spec.ref.commit", "must be a hexadecimal commit SHA");
    if (ref.branch.empty() && ref.tag.empty() && ref.semver.empty() && ref.name.empty() && ref.commit.empty())
        ref.branch = "master";
    return ref;
}

result<std::vector<git_include>> read_includes(const value& spec)
{
    std::vector<git_include> out;
    const value* list = spec.find("include");
    if (!list || list->is_null()) return out;
    if (!list->is_array()) return invalid_field("spec.include", "must be a list");
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const value& item = list->as_array()[i];
        std::string path = fmt::format("spec.include[{}]", i);
        const value* repo = item.find("repository");
        if (!repo) return invalid_field(path + ".repository", "is required");
        git_include inc;
        WEIR_TRY_ASSIGN(inc.repository, required_string(*repo, "name", path + ".repository.name"));
        WEIR_TRY_ASSIGN(auto from, optional_string(item, "fromPath", path + ".fromPath"));
        WEIR_TRY_ASSIGN(auto to, optional_string(item, "toPath", path + ".toPath"));
        inc.from_path = from.value_or("");
        inc.to_path = to && !to->empty() ? *to : inc.repository;
        out.push_back(std::move(inc));
    }
    return out;
}

} // namespace

result<git_repository_spec> git_repository_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    git_repository_spec s;
    WEIR_TRY_ASSIGN(s.url, required_string(*spec, "url", "spec.url"));
    static constexpr std::string_view schemes[] = {"http://", "https://", "ssh://", "file://"};
    bool known = false;
    for (auto scheme : schemes) known = known || s.url.rfind(scheme, 0) == 0;
    if (!known)
        return invalid_field("spec.url", fmt::format("\"{}\" must start with http://, https://, ssh:// or file:// "
                                                     "(scp-like git@host:path is not accepted)",
                                                     s.url));
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    s.interval = *interval;
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    if (timeout) s.timeout = *timeout;
    WEIR_TRY_ASSIGN(s.ref, read_ref(*spec));
    WEIR_TRY_ASSIGN(s.secret_ref, optional_ref(*spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(s.proxy_secret_ref, optional_ref(*spec, "proxySecretRef", "spec.proxySecretRef"));
    WEIR_TRY_ASSIGN(auto provider, optional_string(*spec, "provider", "spec.provider"));
    if (provider) s.provider = *provider;
    WEIR_TRY_ASSIGN(s.ignore, optional_string(*spec, "ignore", "spec.ignore"));
    WEIR_TRY_ASSIGN(s.recurse_submodules, optional_bool(*spec, "recurseSubmodules", "spec.recurseSubmodules", false));
    WEIR_TRY_ASSIGN(s.include, read_includes(*spec));
    WEIR_TRY_ASSIGN(s.sparse_checkout, string_list(*spec, "sparseCheckout", "spec.sparseCheckout"));
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

} // namespace weir::api::source_v1
