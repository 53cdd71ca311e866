// Public key packets into OpenSSL keys, transferable public keys into entities.
#include "internal.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <cstring>

namespace weir::openpgp {
namespace detail {

namespace {

using pkey_ptr = std::shared_ptr<void>;

pkey_ptr wrap(EVP_PKEY* k)
{
    if (!k) return nullptr;
    return pkey_ptr(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* bld)
{
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY* key = nullptr;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0)
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
}

EVP_PKEY* rsa_key(std::string_view n, std::string_view e)
{
    BIGNUM* bn =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
    BIGNUM* be =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be);
    EVP_PKEY* key = from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return key;
}

const char* ec_group(std::string_view oid)
{
    if (oid == std::string_view("\x2A\x86\x48\xCE\x3D\x03\x01\x07", 8)) return "prime256v1";
    if (oid == std::string_view("\x2B\x81\x04\x00\x22", 5)) return "secp384r1";
    if (oid == std::string_view("\x2B\x81\x04\x00\x23", 5)) return "secp521r1";
    return nullptr;
}

constexpr std::string_view ed25519_oid{"\x2B\x06\x01\x04\x01\xDA\x47\x0F\x01", 9};

EVP_PKEY* ec_key(const char* group, std::string_view point)
{
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    EVP_PKEY* key = from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

// The key material after version, creation time and algorithm; null for algorithms we cannot use
// to verify (DSA, Elgamal, ECDH, unknown curves): such keys still parse, so keyrings holding them
// load, and they are named in messages.
result<pkey_ptr> key_material(int alg, cursor& c)
{
    std::string_view a, b;
    if (alg == 1 || alg == 3) {
        if (!c.mpi(a) || !c.mpi(b)) return bad("RSA public key is truncated");
        return wrap(rsa_key(a, b));
    }
    if (alg == 19 || alg == 22) {
        std::uint8_t oid_len = 0;
        if (!c.u8(oid_len) || !c.take(oid_len, a) || !c.mpi(b))
            return bad("elliptic-curve public key is truncated");
        if (alg == 22) {
            if (a != ed25519_oid || b.size() != 33 || b[0] != 0x40) return pkey_ptr{};
            return wrap(EVP_PKEY_new_raw_public_key(
                EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(b.data()) + 1, 32));
        }
        const char* group = ec_group(a);
        return group ? wrap(ec_key(group, b)) : pkey_ptr{};
    }
    return pkey_ptr{};
}

} // namespace

result<public_key> parse_public_key(std::string_view body)
{
    cursor c{body};
    std::uint8_t version = 0, alg = 0;
    std::uint32_t created = 0;
    if (!c.u8(version)) return bad("public key packet is empty");
    if (version != 4)
        return bad("public key version " + std::to_string(version) + " is not supported (only v4 keys)");
    if (!c.u32(created) || !c.u8(alg)) return bad("public key packet is truncated");
    public_key k;
    k.algorithm = alg;
    WEIR_TRY_ASSIGN(k.pkey, key_material(alg, c));
    std::string prefix = key_hash_prefix(body);
    unsigned char md[20];
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr);
    EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size());
    EVP_DigestUpdate(ctx.get(), body.data(), body.size());
    EVP_DigestFinal_ex(ctx.get(), md, nullptr);
    k.fingerprint = upper_hex(std::string_view(reinterpret_cast<char*>(md), 20));
    k.key_id = k.fingerprint.substr(24);
    return k;
}

std::string algorithm_name(int algorithm)
{
    switch (algorithm) {
    case 1:
    case 3:
        return "RSA";
    case 16:
        return "Elgamal";
    case 17:
        return "DSA";
    case 18:
        return "ECDH";
    case 19:
        return "ECDSA";
    case 22:
        return "EdDSA";
    default:
        return "algorithm " + std::to_string(algorithm);
    }
}

namespace {

// ECDSA/EdDSA give (r, s) as MPIs, whose leading zero octets are stripped.
std::string pad_left(std::string_view v, std::size_t n)
{
    return v.size() >= n ? std::string(v.substr(v.size() - n))
                         : std::string(n - v.size(), '\0') + std::string(v);
}

std::string ecdsa_der(std::string_view r, std::string_view s)
{
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(
        sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(r.data()), static_cast<int>(r.size()), nullptr),
        BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()), nullptr));
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig, &der);
    std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)) : "";
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

} // namespace

status verify_digest(const public_key& key, const signature& sig, std::string_view digest)
{
    auto* pkey = static_cast<EVP_PKEY*>(key.pkey.get());
    if (!pkey)
        return bad("key " + key.key_id + " (" + algorithm_name(key.algorithm) +
                   ") cannot verify signatures here");
    if (sig.algorithm != key.algorithm && !(sig.algorithm == 1 && key.algorithm == 3))
        return bad("signature algorithm " + algorithm_name(sig.algorithm) + " does not match key " +
                   key.key_id + " (" + algorithm_name(key.algorithm) + ")");
    const auto* dg = reinterpret_cast<const unsigned char*>(digest.data());
    bool good = false;
    if (key.algorithm == 22) {
        if (sig.mpis.size() != 2) return bad("EdDSA signature must have two values");
        std::string rs = pad_left(sig.mpis[0], 32) + pad_left(sig.mpis[1], 32);
        // Legacy OpenPGP EdDSA signs the hash value itself as the message.
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        good = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) > 0 &&
               EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(rs.data()), rs.size(), dg,
                                digest.size()) == 1;
        EVP_MD_CTX_free(ctx);
    } else {
        std::string raw;
        if (key.algorithm == 19) {
            if (sig.mpis.size() != 2) return bad("ECDSA signature must have two values");
            raw = ecdsa_der(sig.mpis[0], sig.mpis[1]);
        } else {
            if (sig.mpis.size() != 1) return bad("RSA signature must have one value");
            raw = pad_left(sig.mpis[0], static_cast<std::size_t>(EVP_PKEY_get_size(pkey)));
        }
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
        good = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
               (key.algorithm == 19 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
               EVP_PKEY_CTX_set_signature_md(ctx, hash_md(sig.hash)) > 0 &&
               EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), dg,
                               digest.size()) == 1;
        EVP_PKEY_CTX_free(ctx);
    }
    if (!good)
        return bad("signature does not verify with key " + key.key_id +
                   ": the signed data or signature was altered");
    return ok();
}

status check_signature(const public_key& key, const signature& sig,
                       std::initializer_list<std::string_view> pieces)
{
    WEIR_TRY_ASSIGN(auto digest, signature_digest(sig, pieces));
    if (static_cast<std::uint8_t>(digest[0]) != sig.left16[0] ||
        static_cast<std::uint8_t>(digest[1]) != sig.left16[1])
        return bad("signature does not verify with key " + key.key_id +
                   ": the signed data or signature was altered");
    return verify_digest(key, sig, digest);
}

} // namespace detail

using namespace detail;

namespace {

// Subkeys count only when their primary bound them (signature type 0x18) and, when key flags are
// given, may sign; a primary revoked by itself (0x20) makes the whole entity unusable.
struct entity_builder {
    entity e;
    std::string_view primary_body;
    bool revoked = false;
    std::optional<public_key> pending_subkey;
    std::string_view pending_body;
    bool pending_bound = false;

    void finish_subkey()
    {
        if (pending_subkey && pending_bound) e.subkeys.push_back(std::move(*pending_subkey));
        pending_subkey.reset();
        pending_bound = false;
    }

    void signature_packet(std::string_view body, bool after_user_id_or_key)
    {
        auto sig = parse_signature(body);
        if (!sig) return; // unknown signature versions on keys are skipped, as gpg does
        std::string pfx = key_hash_prefix(primary_body);
        if (pending_subkey && sig->type == 0x18) {
            std::string spfx = key_hash_prefix(pending_body);
            bool may_sign = !sig->has_key_flags || (sig->key_flags & 0x02);
            if (may_sign && check_signature(e.primary, *sig, {pfx, primary_body, spfx, pending_body}))
                pending_bound = true;
        } else if (!pending_subkey && !after_user_id_or_key && sig->type == 0x20) {
            if (check_signature(e.primary, *sig, {pfx, primary_body})) revoked = true;
        }
    }
};

} // namespace

status keyring::add(std::string_view text, std::string_view source)
{
    auto binary = binary_of(text, "PGP PUBLIC KEY BLOCK");
    if (!binary) return std::move(binary).err().wrap(source);
    auto packets = split_packets(*binary);
    if (!packets) return std::move(packets).err().wrap(source);
    std::optional<entity_builder> cur;
    std::size_t added = 0;
    auto flush = [&]() {
        if (!cur) return;
        cur->finish_subkey();
        if (!cur->revoked) {
            entities_.push_back(std::move(cur->e));
            ++added;
        }
        cur.reset();
    };
    bool after_uid = false;
    for (const auto& p : *packets) {
        if (p.tag == tag_public_key) {
            flush();
            auto k = parse_public_key(p.body);
            if (!k) return std::move(k).err().wrap(source);
            cur.emplace();
            cur->e.primary = std::move(*k);
            cur->e.source = std::string(source);
            cur->primary_body = p.body;
            after_uid = false;
        } else if (!cur) {
            return bad(std::string(source) + ": public key data must start with a public key packet");
        } else if (p.tag == tag_user_id) {
            cur->finish_subkey();
            cur->e.user_ids.emplace_back(p.body);
            after_uid = true;
        } else if (p.tag == tag_public_subkey) {
            cur->finish_subkey();
            auto k = parse_public_key(p.body);
            if (k) {
                cur->pending_subkey = std::move(*k);
                cur->pending_body = p.body;
            }
        } else if (p.tag == tag_signature) {
            cur->signature_packet(p.body, after_uid);
        } else if (p.tag == 17) {
            after_uid = true; // user attribute: its certifications are not ours to check
        }
    }
    flush();
    if (added == 0) return bad(std::string(source) + ": holds no usable (unrevoked v4) public key");
    return ok();
}

std::string keyring::describe() const
{
    std::string out;
    for (const auto& e : entities_)
        out += (out.empty() ? "" : ", ") + e.primary.key_id;
    return out;
}

} // namespace weir::openpgp
