#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/oci/cosign.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace weir::oci {

namespace {

error fail(std::string message)
{
    return transient_error(std::move(message), "VerificationError");
}

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

pkey_ptr read_public_key(const std::string& pem)
{
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return pkey_ptr(key, EVP_PKEY_free);
}

bool signature_verifies(EVP_PKEY* key, std::string_view payload, std::string_view sig)
{
    // Ed25519 signs the message itself; ECDSA and RSA sign its SHA-256, as cosign does.
    const EVP_MD* md = EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool good = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) > 0 &&
                EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                 reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return good;
}

// The payload must name the digest being verified: a valid signature of another image proves nothing.
bool payload_names(std::string_view payload, std::string_view digest)
{
    auto doc = parse_json(payload);
    if (!doc) return false;
    const value* d = doc->find_path({"critical", "image", "docker-manifest-digest"});
    return d && d->is_string() && d->as_string() == digest;
}

} // namespace

std::string cosign_signature_tag(std::string_view manifest_digest)
{
    std::string tag(manifest_digest);
    if (auto colon = tag.find(':'); colon != std::string::npos) tag[colon] = '-';
    return tag + ".sig";
}

result<std::string> verify_cosign(registry_client& reg, std::string_view repository, std::string_view digest,
                                  const std::vector<cosign_key>& keys)
{
    std::string ref = reg.registry() + "/" + std::string(repository) + "@" + std::string(digest);
    std::vector<std::pair<std::string, pkey_ptr>> usable;
    std::string problems;
    for (const auto& k : keys) {
        auto key = read_public_key(k.pem);
        if (key)
            usable.emplace_back(k.name, std::move(key));
        else
            problems += "; " + k.name + " is not a PEM public key";
    }
    if (usable.empty()) return fail("no cosign public key to verify '" + ref + "' with" + problems);
    std::string tag = cosign_signature_tag(digest);
    auto sig_manifest = reg.get_manifest(repository, tag);
    if (!sig_manifest) {
        if (sig_manifest.err().reason == "NotFound")
            return fail("no signature found for '" + ref + "': tag '" + tag +
                        "' does not exist (sign it with cosign sign --key)");
        return std::move(sig_manifest).err().wrap("failed to get the signature of '" + ref + "'");
    }
    const value* layers = sig_manifest->doc.find("layers");
    if (!layers || !layers->is_array() || layers->as_array().empty())
        return fail("signature image '" + tag + "' of '" + ref + "' has no layers");
    std::string tried;
    for (const auto& layer : layers->as_array()) {
        const value* sig_b64 = layer.find_path({"annotations", std::string(cosign_signature_annotation)});
        const value* layer_digest = layer.find("digest");
        if (!sig_b64 || !sig_b64->is_string() || !layer_digest || !layer_digest->is_string()) continue;
        auto sig = base64_decode(sig_b64->as_string());
        if (!sig) continue;
        auto payload = reg.get_blob(repository, layer_digest->as_string());
        if (!payload)
            return std::move(payload).err().wrap("failed to get the signature payload of '" + ref + "'");
        for (const auto& [name, key] : usable) {
            if (!signature_verifies(key.get(), *payload, *sig)) continue;
            if (payload_names(*payload, digest)) return name;
            tried += "; a signature by " + name + " signs another digest";
        }
    }
    std::string names;
    for (const auto& [name, key] : usable)
        names += (names.empty() ? "" : ", ") + name;
    return fail("no matching signatures were found for '" + ref + "' with keys " + names + tried + problems);
}

} // namespace weir::oci
