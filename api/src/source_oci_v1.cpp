#include "fields.hpp"

#include <weir/api/source_oci_v1.hpp>

#include <fmt/format.h>

namespace weir::api::source_v1 {

using namespace detail;

namespace {

status split_url(oci_repository_spec& s)
{
    constexpr std::string_view scheme = "oci://";
    std::string_view rest(s.url);
    auto bad = [&](std::string_view why) {
        error e = invalid_field("spec.url", fmt::format("\"{}\" {}", s.url, why));
        e.reason = "URLInvalid";
        return e;
    };
    if (rest.substr(0, scheme.size()) != scheme) return bad("must start with oci://");
    rest.remove_prefix(scheme.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
        return bad("must name a repository: oci://host[:port]/repository");
    s.host = std::string(rest.substr(0, slash));
    s.repository = std::string(rest.substr(slash + 1));
    while (!s.repository.empty() && s.repository.back() == '/') s.repository.pop_back();
    if (s.repository.find('@') != std::string::npos ||
        s.repository.find(':') != std::string::npos)
        return bad("must not contain a tag or digest: use spec.ref");
    return ok();
}

result<oci_reference> parse_ref(const value& spec)
{
    oci_reference r;
    const value* ref = spec.find("ref");
    if (!ref || ref->is_null()) return r;
    if (!ref->is_object()) return invalid_field("spec.ref", "must be an object");
    WEIR_TRY_ASSIGN(auto tag, optional_string(*ref, "tag", "spec.ref.tag"));
    if (tag && !tag->empty()) r.tag = *tag;
    WEIR_TRY_ASSIGN(auto semver, optional_string(*ref, "semver", "spec.ref.semver"));
    if (semver) r.semver = *semver;
    WEIR_TRY_ASSIGN(auto filter, optional_string(*ref, "semverFilter", "spec.ref.semverFilter"));
    if (filter) r.semver_filter = *filter;
    WEIR_TRY_ASSIGN(auto digest, optional_string(*ref, "digest", "spec.ref.digest"));
    if (digest) r.digest = *digest;
    if (!r.digest.empty() && r.digest.rfind("sha256:", 0) != 0)
        return invalid_field("spec.ref.digest", fmt::format("\"{}\" must be sha256:<hex>", r.digest));
    return r;
}

result<std::optional<oci_layer_selector>> parse_layer_selector(const value& spec)
{
    const value* ls = spec.find("layerSelector");
    if (!ls || ls->is_null()) return std::optional<oci_layer_selector>{};
    if (!ls->is_object()) return invalid_field("spec.layerSelector", "must be an object");
    oci_layer_selector s;
    WEIR_TRY_ASSIGN(auto mt, optional_string(*ls, "mediaType", "spec.layerSelector.mediaType"));
    if (mt) s.media_type = *mt;
    WEIR_TRY_ASSIGN(auto op, optional_string(*ls, "operation", "spec.layerSelector.operation"));
    if (op && !op->empty()) s.operation = *op;
    if (s.operation != "extract" && s.operation != "copy")
        return invalid_field("spec.layerSelector.operation",
                             fmt::format("\"{}\" must be extract or copy", s.operation));
    return std::optional<oci_layer_selector>{s};
}

} // namespace

result<oci_repository_spec> oci_repository_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    oci_repository_spec s;
    WEIR_TRY_ASSIGN(s.url, required_string(*spec, "url", "spec.url"));
    WEIR_TRY(split_url(s));
    WEIR_TRY_ASSIGN(s.ref, parse_ref(*spec));
    WEIR_TRY_ASSIGN(s.layer_selector, parse_layer_selector(*spec));
    WEIR_TRY_ASSIGN(auto provider, optional_string(*spec, "provider", "spec.provider"));
    if (provider && !provider->empty()) s.provider = *provider;
    WEIR_TRY_ASSIGN(s.secret_ref, optional_ref(*spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(s.cert_secret_ref, optional_ref(*spec, "certSecretRef", "spec.certSecretRef"));
    WEIR_TRY_ASSIGN(s.insecure, optional_bool(*spec, "insecure", "spec.insecure", false));
    const value* verify = spec->find("verify");
    s.verify = verify && !verify->is_null();
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (interval) s.interval = *interval;
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    if (timeout) s.timeout = *timeout;
    WEIR_TRY_ASSIGN(s.ignore, optional_string(*spec, "ignore", "spec.ignore"));
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

} // namespace weir::api::source_v1
