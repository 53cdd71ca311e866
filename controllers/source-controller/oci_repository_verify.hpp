// spec.verify of OCIRepository and HelmChart (OCI charts): keyed cosign verification of the
// manifest digest against the PEM public keys (*.pub) of a Secret. Keyless cosign (Fulcio, Rekor)
// and notation need services or trust stores weir does not reach: they are refused up front with a
// terminal message saying so.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>
#include <weir/oci/client.hpp>

#include <optional>
#include <string>

namespace weir::source {

struct oci_verification {
    std::string provider = "cosign";
    std::string secret_name; // empty: keyless
};

// Marks errors that are verification failures (SourceVerified False, not FetchFailed).
inline constexpr int oci_verification_failure_code = 4202;

std::optional<oci_verification> oci_verification_of(const value& obj);

// A terminal error (reason VerificationError) when `spec` asks for what weir cannot verify.
std::optional<error> unsupported_verification(const oci_verification& spec);

// Verifies `digest` of `repository` with the Secret's keys. Success: the SourceVerified message
// ("verified signature of revision <revision>"); failure: an error carrying
// oci_verification_failure_code whose message starts with Flux's "failed to verify the signature
// using provider 'cosign': ".
result<std::string> verify_oci_signature(kube::client& client, const std::string& ns,
                                         const oci_verification& spec, oci::registry_client& reg,
                                         const std::string& repository, const std::string& digest,
                                         const std::string& revision);

// SourceVerified in `updated` from the result of verify_oci_signature (removed when `spec` is off).
void set_source_verified(value& updated, const std::optional<oci_verification>& spec,
                         const result<std::string>& r);

} // namespace weir::source
