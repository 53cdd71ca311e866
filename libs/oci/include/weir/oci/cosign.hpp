// Keyed cosign signature verification, as `cosign verify --key` does it: the signature of manifest
// `sha256:<hex>` is the image tagged `sha256-<hex>.sig` in the same repository; each of its layers
// is a "simple signing" JSON payload naming the signed digest, with the base64 signature of the
// payload bytes in the layer annotation `dev.cosignproject.cosign/signature`.
//
//   std::vector<oci::cosign_key> keys{{"cosign.pub", pem}};
//   WEIR_TRY_ASSIGN(auto key, oci::verify_cosign(reg, "org/app", manifest.digest, keys));
//
// Public keys are PEM (ECDSA P-256 as `cosign generate-key-pair` makes, or RSA, Ed25519). Keyless
// signatures (Fulcio certificates, Rekor bundles) are not checked here.
#pragma once

#include <weir/core/result.hpp>
#include <weir/oci/client.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weir::oci {

inline constexpr std::string_view cosign_signature_annotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view cosign_simple_signing_media =
    "application/vnd.dev.cosign.simplesigning.v1+json";

struct cosign_key {
    std::string name; // where it came from ("cosign.pub" of a Secret), for messages
    std::string pem;
};

// "sha256-<hex>.sig" for "sha256:<hex>".
std::string cosign_signature_tag(std::string_view manifest_digest);

// The name of the first key that verifies a signature of `digest` whose payload names `digest`.
// Errors (reason VerificationError, transient: a signature may be pushed or a key added): no
// signature image, no usable key, no signature verifying with any key (each tried one is named).
result<std::string> verify_cosign(registry_client& reg, std::string_view repository, std::string_view digest,
                                  const std::vector<cosign_key>& keys);

} // namespace weir::oci
