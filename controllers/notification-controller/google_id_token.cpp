#include "google_id_token.hpp"

#include "http_client.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace weir::notification {
namespace {

error unverified(std::string msg)
{
    return terminal_error("gcr token: " + std::move(msg), "Unauthorized");
}

result<std::string> base64url_decode(std::string_view s)
{
    std::string t(s);
    for (char& c : t)
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    return base64_decode(t);
}

template <class T, void (*F)(T*)> struct deleter {
    void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;

// An RSA public key from a JWK's base64url modulus and exponent.
result<pkey_ptr> rsa_key(const value& jwk)
{
    if (jwk.get_string("kty") != "RSA") return unverified("the signing key is not an RSA key");
    auto n = base64url_decode(jwk.get_string("n"));
    auto e = base64url_decode(jwk.get_string("e"));
    if (!n || !e || n->empty() || e->empty())
        return unverified("the signing key has no valid modulus/exponent");
    bn_ptr bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
    bn_ptr bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
    std::unique_ptr<OSSL_PARAM_BLD, deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
        return unverified("cannot build the RSA key");
    std::unique_ptr<OSSL_PARAM, deleter<OSSL_PARAM, OSSL_PARAM_free>> params(
        OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        return unverified("cannot build the RSA key");
    return pkey_ptr(key);
}

bool rs256_valid(EVP_PKEY* key, std::string_view signed_part, std::string_view signature)
{
    std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX, EVP_MD_CTX_free>> md(EVP_MD_CTX_new());
    return md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
           EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                            signed_part.size()) == 1;
}

status check_claims(const value& claims, std::string_view audience, std::string_view email,
                    std::chrono::system_clock::time_point now)
{
    std::string_view iss = claims.get_string("iss");
    if (iss != "accounts.google.com" && iss != "https://accounts.google.com")
        return unverified(fmt::format("issuer '{}' is not accounts.google.com", iss));
    // aud may be a string or (RFC 7519) an array of strings.
    if (!audience.empty()) {
        const value* aud = claims.find("aud");
        bool match = aud && aud->is_string() && aud->as_string() == audience;
        if (aud && aud->is_array())
            for (const auto& a : aud->as_array())
                match = match || (a.is_string() && a.as_string() == audience);
        if (!match) return unverified(fmt::format("audience does not match the receiver's '{}'", audience));
    }
    const value* exp = claims.find("exp");
    if (!exp || !(exp->is_int() || exp->is_double())) return unverified("no expiry (exp) claim");
    auto exp_s = exp->is_int() ? exp->as_int() : static_cast<std::int64_t>(exp->as_double());
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (now_s > exp_s) return unverified("the token has expired");
    if (email.empty())
        return unverified("the receiver's secret has no 'email' (the push subscription's service account)");
    if (claims.get_string("email") != email)
        return unverified(
            fmt::format("email '{}' is not the receiver's '{}'", claims.get_string("email"), email));
    return ok();
}

} // namespace

jwks_cache::jwks_cache(std::string url, std::chrono::seconds ttl) : url_(std::move(url)), ttl_(ttl) {}

status jwks_cache::refresh(std::chrono::steady_clock::time_point now)
{
    attempted_ = now;
    auto resp = send_request({.method = "GET", .url = url_, .headers = {}, .body = {}, .ok_field = {}},
                             {.timeout = std::chrono::seconds(10)});
    if (!resp) return resp.err().wrap("cannot fetch the token signing keys from " + url_);
    auto doc = parse_json(resp->body, {.max_depth = 16});
    const value* keys = doc ? doc->find("keys") : nullptr;
    if (!keys || !keys->is_array())
        return transient_error("the keys at " + url_ + " are not a JWKS", "InvalidJWKS");
    keys_ = *keys;
    fetched_ = now;
    return ok();
}

result<value> jwks_cache::key(std::string_view kid)
{
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    auto find = [&]() -> const value* {
        if (!keys_.is_array()) return nullptr;
        for (const auto& k : keys_.as_array())
            if (k.get_string("kid") == kid) return &k;
        return nullptr;
    };
    bool stale = now - fetched_ > ttl_;
    const value* k = stale ? nullptr : find();
    if (!k && (stale || now - attempted_ > std::chrono::seconds(10))) {
        auto s = refresh(now);
        if (!s && !keys_.is_array()) return s.err();
        k = find();
    }
    if (!k) return unverified(fmt::format("unknown signing key id '{}'", kid));
    return *k;
}

status verify_google_id_token(std::string_view jwt, std::string_view audience, std::string_view email,
                              const jwk_lookup& keys, std::chrono::system_clock::time_point now)
{
    auto dot1 = jwt.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) return unverified("not a JWT (header.payload.signature)");
    auto header_json = base64url_decode(jwt.substr(0, dot1));
    auto claims_json = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = base64url_decode(jwt.substr(dot2 + 1));
    if (!header_json || !claims_json || !signature) return unverified("not base64url");
    auto header = parse_json(*header_json, {.max_depth = 8});
    auto claims = parse_json(*claims_json, {.max_depth = 16});
    if (!header || !claims || !header->is_object() || !claims->is_object()) return unverified("not JSON");
    // Only RS256: "none" or an HMAC algorithm keyed with the public key must never pass.
    if (header->get_string("alg") != "RS256")
        return unverified(fmt::format("algorithm '{}' is not RS256", header->get_string("alg")));
    WEIR_TRY_ASSIGN(auto jwk, keys(header->get_string("kid")));
    WEIR_TRY_ASSIGN(auto key, rsa_key(jwk));
    if (!rs256_valid(key.get(), jwt.substr(0, dot2), *signature))
        return unverified("the signature does not verify");
    return check_claims(*claims, audience, email, now);
}

} // namespace weir::notification
