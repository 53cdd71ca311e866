#include "fields.hpp"

#include <weir/api/source_helm_v1.hpp>
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

} // namespace

result<helm_repository_spec> helm_repository_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    helm_repository_spec s;
    WEIR_TRY_ASSIGN(s.url, required_string(*spec, "url", "spec.url"));
    WEIR_TRY_ASSIGN(auto type, optional_string(*spec, "type", "spec.type"));
    if (type && !type->empty()) s.type = *type;
    if (s.type != "default" && s.type != "oci")
        return invalid_field("spec.type", fmt::format("\"{}\" must be default or oci", s.type));
    bool http = s.url.rfind("http://", 0) == 0 || s.url.rfind("https://", 0) == 0;
    bool oci = s.url.rfind("oci://", 0) == 0;
    if ((s.type == "oci" && !oci) || (s.type == "default" && !http)) {
        error e = invalid_field("spec.url", fmt::format("\"{}\" must start with {}", s.url,
                                                        s.type == "oci" ? "oci://" : "http:// or https://"));
        e.reason = "URLInvalid";
        return e;
    }
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (interval) s.interval = *interval;
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    if (timeout) s.timeout = *timeout;
    WEIR_TRY_ASSIGN(s.secret_ref, optional_ref(*spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(s.cert_secret_ref, optional_ref(*spec, "certSecretRef", "spec.certSecretRef"));
    WEIR_TRY_ASSIGN(s.pass_credentials,
                    optional_bool(*spec, "passCredentials", "spec.passCredentials", false));
    WEIR_TRY_ASSIGN(s.insecure, optional_bool(*spec, "insecure", "spec.insecure", false));
    WEIR_TRY_ASSIGN(auto provider, optional_string(*spec, "provider", "spec.provider"));
    if (provider && !provider->empty()) s.provider = *provider;
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

result<helm_chart_spec> helm_chart_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    helm_chart_spec s;
    WEIR_TRY_ASSIGN(s.chart, required_string(*spec, "chart", "spec.chart"));
    WEIR_TRY_ASSIGN(auto version, optional_string(*spec, "version", "spec.version"));
    if (version && !version->empty()) s.version = *version;
    const value* ref = spec->find("sourceRef");
    if (!ref || !ref->is_object()) return invalid_field("spec.sourceRef", "is required");
    WEIR_TRY_ASSIGN(s.source_ref.kind, required_string(*ref, "kind", "spec.sourceRef.kind"));
    WEIR_TRY_ASSIGN(s.source_ref.name, required_string(*ref, "name", "spec.sourceRef.name"));
    WEIR_TRY_ASSIGN(auto api_version, optional_string(*ref, "apiVersion", "spec.sourceRef.apiVersion"));
    s.source_ref.api_version = api_version.value_or("");
    const auto& kind = s.source_ref.kind;
    if (kind != "HelmRepository" && kind != "GitRepository" && kind != "Bucket")
        return invalid_field("spec.sourceRef.kind",
                             fmt::format("\"{}\" must be HelmRepository, GitRepository or Bucket", kind));
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    s.interval = *interval;
    WEIR_TRY_ASSIGN(auto strategy, optional_string(*spec, "reconcileStrategy", "spec.reconcileStrategy"));
    if (strategy && !strategy->empty()) s.reconcile_strategy = *strategy;
    if (s.reconcile_strategy != "ChartVersion" && s.reconcile_strategy != "Revision")
        return invalid_field("spec.reconcileStrategy",
                             fmt::format("\"{}\" must be ChartVersion or Revision", s.reconcile_strategy));
    if (kind == "HelmRepository") {
        auto range = semver_range::parse(s.version);
        if (!range) return invalid_field("spec.version", range.err().message);
    }
    WEIR_TRY_ASSIGN(s.values_files, string_list(*spec, "valuesFiles", "spec.valuesFiles"));
    WEIR_TRY_ASSIGN(s.ignore_missing_values_files,
                    optional_bool(*spec, "ignoreMissingValuesFiles", "spec.ignoreMissingValuesFiles", false));
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

} // namespace weir::api::source_v1
