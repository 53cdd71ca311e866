#include "crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace weir::sops::crypto {
namespace {

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct pkey_ctx_free {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
int len(std::string_view s) { return static_cast<int>(s.size()); }

// One AEAD pass; `tag` is read (decrypt) or written (encrypt).
bool aead(const EVP_CIPHER* cipher, bool encrypt, std::string_view key, std::string_view iv, std::string_view in,
          std::string_view aad, std::string& tag, std::string& out)
{
    cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, len(iv), nullptr) != 1) return false;
    if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, u(key), u(iv), -1) != 1) return false;
    int n = 0;
    if (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &n, u(aad), len(aad)) != 1) return false;
    out.assign(in.size(), '\0');
    if (!in.empty() && EVP_CipherUpdate(ctx.get(), u(out), &n, u(in), len(in)) != 1) return false;
    if (!encrypt &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, len(tag), const_cast<char*>(tag.data())) != 1)
        return false;
    int fin = 0;
    unsigned char scratch[32];
    if (EVP_CipherFinal_ex(ctx.get(), scratch, &fin) != 1) {
        cleanse(out);
        out.clear();
        return false;
    }
    if (encrypt) {
        tag.assign(16, '\0');
        if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) != 1) return false;
    }
    return true;
}

} // namespace

std::optional<bytes> x25519_public(std::string_view secret)
{
    if (secret.size() != 32) return std::nullopt;
    pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, u(secret), secret.size()));
    if (!key) return std::nullopt;
    bytes pub(32, '\0');
    std::size_t n = pub.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), u(pub), &n) != 1 || n != 32) return std::nullopt;
    return pub;
}

std::shared_ptr<void> x25519_key(std::string_view secret)
{
    if (secret.size() != 32) return nullptr;
    EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, u(secret), secret.size());
    if (!key) return nullptr;
    return std::shared_ptr<void>(key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

std::optional<bytes> x25519_public_of(const std::shared_ptr<void>& key)
{
    if (!key) return std::nullopt;
    bytes pub(32, '\0');
    std::size_t n = pub.size();
    if (EVP_PKEY_get_raw_public_key(static_cast<EVP_PKEY*>(key.get()), u(pub), &n) != 1 || n != 32)
        return std::nullopt;
    return pub;
}

std::optional<bytes> x25519(std::string_view secret, std::string_view peer_public)
{
    return x25519_derive(x25519_key(secret), peer_public);
}

std::optional<bytes> x25519_derive(const std::shared_ptr<void>& key_handle, std::string_view peer_public)
{
    if (!key_handle || peer_public.size() != 32) return std::nullopt;
    auto* key = static_cast<EVP_PKEY*>(key_handle.get());
    pkey_ptr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u(peer_public), peer_public.size()));
    if (!peer) return std::nullopt;
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1)
        return std::nullopt;
    bytes shared(32, '\0');
    std::size_t n = shared.size();
    // OpenSSL refuses an all-zero shared secret (a low-order point), which age also rejects.
    if (EVP_PKEY_derive(ctx.get(), u(shared), &n) != 1 || n != 32) return std::nullopt;
    return shared;
}

bytes hmac_sha256(std::string_view key, std::string_view data)
{
    bytes out(32, '\0');
    unsigned int n = 0;
    // HMAC pads keys with zeros to the block size, so an empty key equals 32 zero bytes.
    static const char zeros[32] = {};
    std::string_view k = key.empty() ? std::string_view(zeros, sizeof zeros) : key;
    if (!HMAC(EVP_sha256(), k.data(), len(k), u(data), data.size(), u(out), &n) || n != 32)
        throw std::runtime_error("HMAC-SHA256 failed"); // only on allocation failure: a bug/start-up class
    return out;
}

bytes hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info, std::size_t length)
{
    bytes prk = hmac_sha256(salt, ikm);
    bytes out, block;
    for (unsigned char i = 1; out.size() < length; ++i) {
        std::string msg = block;
        msg.append(info);
        msg.push_back(static_cast<char>(i));
        block = hmac_sha256(prk, msg);
        out += block;
    }
    cleanse(prk);
    out.resize(length);
    return out;
}

bytes sha512(std::string_view data)
{
    bytes out(64, '\0');
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), u(out), &n, EVP_sha512(), nullptr) != 1)
        throw std::runtime_error("SHA-512 failed");
    return out;
}

sha512_stream::sha512_stream() : ctx_(EVP_MD_CTX_new())
{
    if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha512(), nullptr) != 1)
        throw std::runtime_error("SHA-512 init failed");
}

sha512_stream::~sha512_stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void sha512_stream::update(std::string_view data)
{
    if (!data.empty()) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

bytes sha512_stream::finish()
{
    bytes out(64, '\0');
    unsigned int n = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), u(out), &n);
    return out;
}

std::optional<bytes> scrypt(std::string_view password, std::string_view salt, int log_n, std::size_t length)
{
    if (log_n < 1 || log_n > 30) return std::nullopt;
    std::uint64_t n = std::uint64_t{1} << log_n;
    bytes out(length, '\0');
    std::uint64_t maxmem = 128 * n * 8 + (std::uint64_t{1} << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), u(salt), salt.size(), n, 8, 1, maxmem, u(out), length) != 1)
        return std::nullopt;
    return out;
}

bytes random_bytes(std::size_t n)
{
    bytes out(n, '\0');
    if (RAND_bytes(u(out), len(out)) != 1) throw std::runtime_error("RAND_bytes failed");
    return out;
}

std::optional<bytes> chacha20poly1305_open(std::string_view key, std::string_view nonce, std::string_view sealed)
{
    if (key.size() != 32 || nonce.size() != 12 || sealed.size() < 16) return std::nullopt;
    std::string tag(sealed.substr(sealed.size() - 16));
    bytes out;
    if (!aead(EVP_chacha20_poly1305(), false, key, nonce, sealed.substr(0, sealed.size() - 16), {}, tag, out))
        return std::nullopt;
    return out;
}

bytes chacha20poly1305_seal(std::string_view key, std::string_view nonce, std::string_view plaintext)
{
    std::string tag;
    bytes out;
    if (!aead(EVP_chacha20_poly1305(), true, key, nonce, plaintext, {}, tag, out))
        throw std::runtime_error("ChaCha20-Poly1305 encryption failed");
    return out + tag;
}

std::optional<bytes> aes256gcm_open(std::string_view key, std::string_view iv, std::string_view ciphertext,
                                    std::string_view tag, std::string_view aad)
{
    if (key.size() != 32 || iv.empty() || tag.size() != 16) return std::nullopt;
    std::string t(tag);
    bytes out;
    if (!aead(EVP_aes_256_gcm(), false, key, iv, ciphertext, aad, t, out)) return std::nullopt;
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void cleanse(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

} // namespace weir::sops::crypto
