#include "fields.hpp"

#include <weir/api/source_bucket_v1.hpp>

#include <fmt/format.h>

namespace weir::api::source_v1 {

using namespace detail;

namespace {

status read_endpoint(const value& spec, bucket_spec& s)
{
    WEIR_TRY_ASSIGN(s.endpoint, required_string(spec, "endpoint", "spec.endpoint"));
    std::string_view e(s.endpoint);
    if (e.starts_with("http://")) {
        s.insecure = true;
        e.remove_prefix(7);
    } else if (e.starts_with("https://")) {
        e.remove_prefix(8);
    }
    while (e.ends_with("/"))
        e.remove_suffix(1);
    if (e.empty() || e.find('/') != std::string_view::npos) {
        error err = invalid_field("spec.endpoint",
                                  fmt::format("\"{}\" must be host[:port] with no path", s.endpoint));
        err.reason = "URLInvalid";
        return err;
    }
    s.endpoint = std::string(e);
    return ok();
}

result<std::optional<bucket_sts>> read_sts(const value& spec)
{
    const value* sts = spec.find("sts");
    if (!sts || sts->is_null()) return std::optional<bucket_sts>{};
    if (!sts->is_object()) return invalid_field("spec.sts", "must be an object");
    bucket_sts out;
    WEIR_TRY_ASSIGN(out.provider, required_string(*sts, "provider", "spec.sts.provider"));
    WEIR_TRY_ASSIGN(out.endpoint, required_string(*sts, "endpoint", "spec.sts.endpoint"));
    return std::optional<bucket_sts>{out};
}

} // namespace

result<bucket_spec> bucket_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    bucket_spec s;
    WEIR_TRY_ASSIGN(s.bucket_name, required_string(*spec, "bucketName", "spec.bucketName"));
    if (s.bucket_name.empty() || s.bucket_name.find('/') != std::string::npos)
        return invalid_field("spec.bucketName", fmt::format("\"{}\" is not a bucket name", s.bucket_name));
    WEIR_TRY_ASSIGN(s.insecure, optional_bool(*spec, "insecure", "spec.insecure", false));
    WEIR_TRY(read_endpoint(*spec, s));
    WEIR_TRY_ASSIGN(auto provider, optional_string(*spec, "provider", "spec.provider"));
    if (provider && !provider->empty()) s.provider = *provider;
    if (s.provider != "generic" && s.provider != "aws" && s.provider != "gcp" && s.provider != "azure")
        return invalid_field("spec.provider",
                             fmt::format("\"{}\" must be one of generic, aws, gcp, azure", s.provider));
    WEIR_TRY_ASSIGN(auto region, optional_string(*spec, "region", "spec.region"));
    if (region) s.region = *region;
    WEIR_TRY_ASSIGN(auto prefix, optional_string(*spec, "prefix", "spec.prefix"));
    if (prefix) s.prefix = *prefix;
    WEIR_TRY_ASSIGN(s.secret_ref, optional_ref(*spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(s.cert_secret_ref, optional_ref(*spec, "certSecretRef", "spec.certSecretRef"));
    WEIR_TRY_ASSIGN(s.proxy_secret_ref, optional_ref(*spec, "proxySecretRef", "spec.proxySecretRef"));
    WEIR_TRY_ASSIGN(s.sts, read_sts(*spec));
    WEIR_TRY_ASSIGN(auto sa, optional_string(*spec, "serviceAccountName", "spec.serviceAccountName"));
    if (sa) s.service_account_name = *sa;
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (interval) s.interval = *interval;
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    if (timeout) s.timeout = *timeout;
    WEIR_TRY_ASSIGN(s.ignore, optional_string(*spec, "ignore", "spec.ignore"));
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

} // namespace weir::api::source_v1
