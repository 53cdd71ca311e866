// age v1 (https://age-encryption.org/v1) file decryption and encryption, on OpenSSL only: X25519
// recipient stanzas (and scrypt passphrase stanzas), HKDF-SHA256, the header HMAC, and the
// ChaCha20-Poly1305 STREAM payload in 64 KiB chunks. Binary and armored ("-----BEGIN AGE
// ENCRYPTED FILE-----") input. Everything stays in memory: nothing here reads or writes files.
//
//   WEIR_TRY_ASSIGN(auto ids, age::parse_identities(secret_text, "flux-system/sops-age: age.agekey"));
//   WEIR_TRY_ASSIGN(std::string plain, age::decrypt(ciphertext, ids, "secret.enc"));
//
// All errors are terminal (the input or the keys are wrong; retrying cannot help), reason
// "DecryptionFailed", and say what to fix. Messages never contain key material or plaintext.
#pragma once

#include <weir/core/result.hpp>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir::sops::age {

// An X25519 identity: its secret scalar and the recipient ("age1...") it decrypts for. The
// OpenSSL key is prepared once here (a scalar multiplication), so each file costs only one more.
// Copies share that key; the secret is wiped on destruction.
class identity {
public:
    explicit identity(const std::array<unsigned char, 32>& secret);
    identity(const identity&) = default;
    identity& operator=(const identity&) = default;
    ~identity();

    const std::array<unsigned char, 32>& secret() const { return secret_; }
    const std::string& recipient() const { return recipient_; }
    // The raw 32-byte public key.
    const std::string& public_key() const { return public_key_; }
    // The prepared OpenSSL key (an EVP_PKEY), for the implementation.
    const std::shared_ptr<void>& key_handle() const { return key_; }

private:
    std::array<unsigned char, 32> secret_;
    std::string public_key_;
    std::string recipient_;
    std::shared_ptr<void> key_;
};

// One "AGE-SECRET-KEY-1..." string (Bech32, upper case as age-keygen writes it).
result<identity> parse_identity(std::string_view text);
// An identity file as age-keygen writes it: one identity per line; blank lines and lines starting
// with '#' are ignored. `name` (e.g. "secret flux-system/sops-age key age.agekey") goes into errors.
result<std::vector<identity>> parse_identities(std::string_view text, std::string_view name);
// A new random identity (for tests and tooling).
identity generate_identity();
// "AGE-SECRET-KEY-1..." for an identity.
std::string format_identity(const identity& id);

// Decrypts an age file (binary or armored) with the first identity that matches one of its
// X25519 stanzas. Errors: not an age file, malformed or truncated header, no identity matches
// (the message lists the file's stanza types and the recipients tried), a header MAC or payload
// chunk that fails authentication (the file was modified or truncated).
result<std::string> decrypt(std::string_view input, const std::vector<identity>& identities,
                            std::string_view name = "age file");
// Decrypts a passphrase-encrypted (scrypt) age file. Work factors above max_log_n are refused
// (age's own default limit is 22), bounding the memory and time an attacker's file can cost.
result<std::string> decrypt_with_passphrase(std::string_view input, std::string_view passphrase,
                                            std::string_view name = "age file", int max_log_n = 22);

// Encrypts to X25519 recipients ("age1..."), binary or armored.
result<std::string> encrypt(std::string_view plaintext, const std::vector<std::string>& recipients,
                            bool armored = false);
// Encrypts with a passphrase (a single scrypt stanza with work factor 2^log_n).
result<std::string> encrypt_with_passphrase(std::string_view plaintext, std::string_view passphrase,
                                            int log_n = 18, bool armored = false);

// The parsed header, exposed for tests and fuzzing.
struct stanza {
    std::string type;
    std::vector<std::string> args;
    std::string body; // decoded
};
struct header {
    std::vector<stanza> stanzas;
    std::string mac;             // 32 bytes
    std::size_t mac_input_size;  // header bytes covered by the MAC (through "---")
    std::size_t payload_offset;  // first byte after the header
};
result<header> parse_header(std::string_view binary);

// Armor ("-----BEGIN AGE ENCRYPTED FILE-----", base64 in 64-column lines).
bool is_armored(std::string_view input);
result<std::string> dearmor(std::string_view input);
std::string armor(std::string_view binary);

} // namespace weir::sops::age
