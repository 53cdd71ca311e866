// OpenPGP signature verification (RFC 4880 / RFC 9580 v4 subset) on OpenSSL: enough to check the
// detached signatures git puts in commits and tags against armored public keys.
//
//   openpgp::keyring keys;
//   WEIR_TRY(keys.add(secret_value, "Secret flux-system/pgp-keys key 'alice.asc'"));
//   WEIR_TRY_ASSIGN(auto who, openpgp::verify_detached(keys, gpgsig, signed_payload));
//   // who.key_id: the primary key's 16-hex ID, as gpg and Flux print it
//
// Supported: ASCII armor with its CRC24, binary packets (old and new framing), v4 public keys and
// subkeys (a subkey counts only with a valid binding signature from its primary; a revoked primary
// counts not at all), v4 signatures over binary or text documents with RSA, EdDSA Ed25519 (legacy
// curve OID) and ECDSA P-256/P-384/P-521, hashed with SHA-224/256/384/512. Never secret keys, never
// decryption. Every error is terminal (a different key or signature is needed) with reason
// "VerificationError"; its message says which key or what about the signature is wrong.
#pragma once

#include <weir/core/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir::openpgp {

struct armored_block {
    std::string type; // "PGP PUBLIC KEY BLOCK", "PGP SIGNATURE", ...
    std::string data; // the decoded binary packets
};

// Every armored block of `text`, in order. A CRC24 line that does not match is an error.
result<std::vector<armored_block>> dearmor(std::string_view text);
// The CRC24 of RFC 4880 section 6.1 (initial value 0xB704CE, polynomial 0x1864CFB).
std::uint32_t crc24(std::string_view bytes);

struct public_key {
    std::string fingerprint;    // 40 upper-case hex (v4: SHA-1 of the key packet)
    std::string key_id;         // 16 upper-case hex: the last 8 bytes of the fingerprint
    int algorithm = 0;          // RFC 4880 public-key algorithm number
    std::shared_ptr<void> pkey; // the OpenSSL EVP_PKEY, null when the algorithm cannot verify
};

struct entity {
    public_key primary;
    std::vector<public_key> subkeys; // only subkeys with a valid binding signature
    std::vector<std::string> user_ids;
    std::string source; // where the key came from, for messages
};

class keyring {
public:
    // Adds every transferable public key in `text` (armored or binary; several blocks allowed).
    // `source` names where the text came from in errors and in signer::source.
    status add(std::string_view text, std::string_view source);
    const std::vector<entity>& entities() const { return entities_; }
    bool empty() const { return entities_.empty(); }
    // "A1B2C3D4E5F60718, ..." of the primary keys, for messages.
    std::string describe() const;

private:
    std::vector<entity> entities_;
};

struct signer {
    std::string key_id;         // the primary key's ID (what Flux reports)
    std::string signing_key_id; // the key (primary or subkey) whose signature verified
    std::string fingerprint;    // of the signing key
    std::string user_id;        // first user ID of the entity, if any
    std::string source;
};

// Verifies a detached signature (armored or binary; the first good one among several packets wins)
// over `data`.
result<signer> verify_detached(const keyring& keys, std::string_view signature, std::string_view data);

} // namespace weir::openpgp
