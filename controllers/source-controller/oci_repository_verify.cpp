#include "oci_repository_verify.hpp"

#include <weir/api/secret.hpp>
#include <weir/oci/cosign.hpp>
#include <weir/runtime/conditions.hpp>

#include <fmt/format.h>

namespace weir::source {

namespace cond = runtime::conditions;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

std::string str_at(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = obj.find_path(path);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

error failed(const oci_verification& spec, const error& cause)
{
    error e = transient_error(
        fmt::format("failed to verify the signature using provider '{}': {}", spec.provider, cause.message),
        "VerificationError");
    e.code = oci_verification_failure_code;
    return e;
}

} // namespace

std::optional<oci_verification> oci_verification_of(const value& obj)
{
    const value* v = obj.find_path({"spec", "verify"});
    if (!v || !v->is_object()) return std::nullopt;
    oci_verification out;
    if (auto p = str_at(*v, {"provider"}); !p.empty()) out.provider = p;
    out.secret_name = str_at(*v, {"secretRef", "name"});
    return out;
}

std::optional<error> unsupported_verification(const oci_verification& spec)
{
    if (spec.provider == "notation")
        return terminal_error(
            "spec.verify.provider: notation verification is not supported by weir (it needs "
            "notation's trust policy and certificate stores): sign with cosign and use provider "
            "cosign with spec.verify.secretRef",
            "VerificationError");
    if (spec.provider != "cosign")
        return terminal_error(
            fmt::format("spec.verify.provider: \"{}\" is not one of cosign, notation", spec.provider),
            "VerificationError");
    if (spec.secret_name.empty())
        return terminal_error(
            "spec.verify: keyless cosign verification (spec.verify.matchOIDCIdentity, no "
            "secretRef) needs sigstore's Fulcio and Rekor services, which weir cannot reach: "
            "sign with a cosign key pair and put its public key in spec.verify.secretRef",
            "VerificationError");
    return std::nullopt;
}

result<std::string> verify_oci_signature(kube::client& client, const std::string& ns,
                                         const oci_verification& spec, oci::registry_client& reg,
                                         const std::string& repository, const std::string& digest,
                                         const std::string& revision)
{
    auto secret = client.get(secret_kind, ns, spec.secret_name);
    if (!secret)
        return failed(spec, transient_error(fmt::format("failed to get Secret '{}/{}': {}", ns,
                                                        spec.secret_name, secret.err().message)));
    auto data = api::secret_data(*secret);
    if (!data) return failed(spec, data.err());
    std::vector<oci::cosign_key> keys;
    for (const auto& [name, text] : *data)
        if (name.ends_with(".pub"))
            keys.push_back({fmt::format("'{}' of Secret '{}/{}'", name, ns, spec.secret_name), text});
    if (keys.empty())
        return failed(spec,
                      transient_error(fmt::format("Secret '{}/{}' has no *.pub key: store the cosign public "
                                                  "key as cosign.pub",
                                                  ns, spec.secret_name)));
    auto verified = oci::verify_cosign(reg, repository, digest, keys);
    if (!verified) return failed(spec, verified.err());
    return fmt::format("verified signature of revision {}", revision);
}

void set_source_verified(value& updated, const std::optional<oci_verification>& spec,
                         const result<std::string>& r)
{
    if (!spec)
        cond::remove(updated, "SourceVerified");
    else if (r)
        cond::set(updated, "SourceVerified", "True", "Succeeded", *r);
    else
        cond::set(updated, "SourceVerified", "False", r.err().reason, r.err().message);
}

} // namespace weir::source
