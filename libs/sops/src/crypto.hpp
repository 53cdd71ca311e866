// Private: the few primitives age and SOPS need, on OpenSSL's EVP interfaces. Byte strings are
// std::string; every function that can fail on input (a wrong key, a bad tag) returns false/nullopt.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weir::sops::crypto {

using bytes = std::string;

// X25519 scalar multiplication with the base point (public key) or a peer's public key.
std::optional<bytes> x25519_public(std::string_view secret);
std::optional<bytes> x25519(std::string_view secret, std::string_view peer_public);
// A prepared private key (an EVP_PKEY, freed by the shared_ptr) and the shared secret with a peer.
std::shared_ptr<void> x25519_key(std::string_view secret);
std::optional<bytes> x25519_derive(const std::shared_ptr<void>& key, std::string_view peer_public);
// The raw public key of a prepared key.
std::optional<bytes> x25519_public_of(const std::shared_ptr<void>& key);

bytes hmac_sha256(std::string_view key, std::string_view data);
// RFC 5869 HKDF-SHA256; an empty salt means HashLen zero bytes.
bytes hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info, std::size_t length);
bytes sha512(std::string_view data);
// Incremental SHA-512, for MACs over many values.
class sha512_stream {
public:
    sha512_stream();
    ~sha512_stream();
    sha512_stream(const sha512_stream&) = delete;
    sha512_stream& operator=(const sha512_stream&) = delete;
    void update(std::string_view data);
    bytes finish();

private:
    void* ctx_;
};
std::optional<bytes> scrypt(std::string_view password, std::string_view salt, int log_n, std::size_t length);
bytes random_bytes(std::size_t n);

// ChaCha20-Poly1305 (12-byte nonce); the ciphertext carries the 16-byte tag at its end.
std::optional<bytes> chacha20poly1305_open(std::string_view key, std::string_view nonce, std::string_view sealed);
bytes chacha20poly1305_seal(std::string_view key, std::string_view nonce, std::string_view plaintext);

// AES-256-GCM with any IV length (SOPS uses 32 bytes) and a separate 16-byte tag.
std::optional<bytes> aes256gcm_open(std::string_view key, std::string_view iv, std::string_view ciphertext,
                                    std::string_view tag, std::string_view aad);

bool equal_constant_time(std::string_view a, std::string_view b);
// Overwrites a buffer that held key material.
void cleanse(std::string& s);

} // namespace weir::sops::crypto
