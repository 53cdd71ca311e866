// Sprig 3.2.3's crypto on OpenSSL and libxcrypt: key and certificate generation (genCA,
// genSelfSignedCert, genSignedCert, genPrivateKey), encryptAES/decryptAES, bcrypt, htpasswd,
// randBytes. Sprig's `certificate` struct is a map with its Cert and Key fields, which is what
// templates read (`$ca.Cert`).
#include "funcs.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <crypt.h>
#include <cstring>
#include <memory>

namespace weir::gotemplate::detail {

std::string b64_encode_bytes(std::string_view s);
std::string b64_decode_bytes(std::string_view s, bool& ok);

namespace {

using args = std::span<const go_value>;
using S = param;

template <class T, void (*F)(T*)> struct deleter {
    void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

std::string bio_string(BIO* b)
{
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// Go's x509.MarshalPKCS1PrivateKey / MarshalECPrivateKey / MarshalPKCS8PrivateKey in PEM.
std::string key_pem(EVP_PKEY* key)
{
    bio_ptr b(BIO_new(BIO_s_mem()));
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        PEM_write_bio_PrivateKey_traditional(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
        break;
    case EVP_PKEY_EC:
        PEM_write_bio_PrivateKey_traditional(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
        break;
    default:
        PEM_write_bio_PrivateKey(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    }
    return bio_string(b.get());
}

pkey_ptr generate(const char* type, unsigned bits)
{
    EVP_PKEY* k = nullptr;
    if (std::string_view(type) == "RSA")
        k = EVP_RSA_gen(bits);
    else if (std::string_view(type) == "EC")
        k = EVP_EC_gen("P-256");
    else
        k = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    return pkey_ptr(k);
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)) {
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
}

std::string strings_of(const go_value& v, const char* prefix)
{
    std::string out;
    if (!v.is_list()) return out;
    for (auto& e : v.as_list()) {
        if (!e.is_string()) continue;
        if (!out.empty()) out += ",";
        out += prefix + e.as_string();
    }
    return out;
}

struct cert_request {
    std::string cn;
    go_value ips, dns;
    std::int64_t days = 365;
    bool is_ca = false;
    EVP_PKEY* signer = nullptr; // nullptr: self-signed
    X509* issuer = nullptr;
};

result<go_value> make_cert(const cert_request& r, pkey_ptr key)
{
    if (!key) return fail("error generating the key");
    x509_ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(r.days) * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(r.cn.c_str()), -1, -1, 0);
    X509* issuer = r.issuer ? r.issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
    if (r.is_ca) {
        add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign");
    } else {
        add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    }
    add_ext(cert.get(), issuer, NID_ext_key_usage, "serverAuth,clientAuth");
    std::string san = strings_of(r.dns, "DNS:");
    std::string ips = strings_of(r.ips, "IP:");
    if (!ips.empty()) san += (san.empty() ? "" : ",") + ips;
    if (!san.empty()) add_ext(cert.get(), issuer, NID_subject_alt_name, san.c_str());
    if (!X509_sign(cert.get(), r.signer ? r.signer : key.get(), EVP_sha256()))
        return fail("error signing the certificate");
    bio_ptr b(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(b.get(), cert.get());
    go_map m;
    m.emplace("Cert", go_value::of_string(bio_string(b.get())));
    m.emplace("Key", go_value::of_string(key_pem(key.get())));
    return go_value::of_map(std::move(m));
}

// The CA argument of genSignedCert: its Cert and Key PEM fields, parsed.
result<std::pair<x509_ptr, pkey_ptr>> parse_ca(const go_value& ca)
{
    const go_value* c = ca.is_map() ? ca.map_find("Cert") : nullptr;
    const go_value* k = ca.is_map() ? ca.map_find("Key") : nullptr;
    if (!c || !k || !c->is_string() || !k->is_string())
        return fail("error parsing the CA: it needs Cert and Key");
    bio_ptr cb(BIO_new_mem_buf(c->as_string().data(), static_cast<int>(c->as_string().size())));
    bio_ptr kb(BIO_new_mem_buf(k->as_string().data(), static_cast<int>(k->as_string().size())));
    x509_ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    pkey_ptr key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!cert) return fail("error parsing CA certificate: the PEM holds no certificate");
    if (!key) return fail("error parsing CA private key: the PEM holds no key");
    return std::pair{std::move(cert), std::move(key)};
}

} // namespace

void add_sprig_crypto(function_table& t)
{
    t.add("genPrivateKey", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const std::string& type = a[0].as_string();
              pkey_ptr k;
              if (type == "" || type == "rsa")
                  k = generate("RSA", 4096);
              else if (type == "ecdsa")
                  k = generate("EC", 0);
              else if (type == "ed25519")
                  k = generate("ED25519", 0);
              else if (type == "dsa")
                  return go_value::of_string("dsa keys are not supported by weir");
              else
                  return go_value::of_string("Unknown type " + type);
              if (!k) return go_value::of_string("failed to generate private key");
              return go_value::of_string(key_pem(k.get()));
          }));
    t.add("genCA", fn({S::string_, S::int_}, false, [](call_context&, args a) -> result<go_value> {
              return make_cert({.cn = a[0].as_string(), .days = a[1].as_int(), .is_ca = true},
                               generate("RSA", 2048));
          }));
    t.add("genSelfSignedCert",
          fn({S::string_, S::list_any, S::list_any, S::int_}, false,
             [](call_context&, args a) -> result<go_value> {
                 return make_cert({.cn = a[0].as_string(), .ips = a[1], .dns = a[2], .days = a[3].as_int()},
                                  generate("RSA", 2048));
             }));
    t.add("genSignedCert", fn({S::string_, S::list_any, S::list_any, S::int_, S::any}, false,
                              [](call_context&, args a) -> result<go_value> {
                                  WEIR_TRY_ASSIGN(auto ca, parse_ca(a[4]));
                                  return make_cert({.cn = a[0].as_string(),
                                                    .ips = a[1],
                                                    .dns = a[2],
                                                    .days = a[3].as_int(),
                                                    .signer = ca.second.get(),
                                                    .issuer = ca.first.get()},
                                                   generate("RSA", 2048));
                              }));
    t.add("encryptAES", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const std::string& text = a[1].as_string();
              if (text.empty()) return go_value::of_string("");
              unsigned char key[32] = {};
              std::memcpy(key, a[0].as_string().data(), std::min<std::size_t>(32, a[0].as_string().size()));
              std::string out(16 + text.size() + 16, '\0');
              auto* iv = reinterpret_cast<unsigned char*>(out.data());
              RAND_bytes(iv, 16);
              EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
              int n1 = 0, n2 = 0;
              EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), nullptr, key, iv); // PKCS#7 padding, as Sprig pads
              EVP_EncryptUpdate(c, iv + 16, &n1, reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
              EVP_EncryptFinal_ex(c, iv + 16 + n1, &n2);
              EVP_CIPHER_CTX_free(c);
              out.resize(16 + static_cast<std::size_t>(n1 + n2));
              return go_value::of_string(b64_encode_bytes(out));
          }));
    t.add("decryptAES", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              bool ok = true;
              std::string data = b64_decode_bytes(a[1].as_string(), ok);
              if (!ok) return fail("illegal base64 data");
              if (data.size() < 16 || (data.size() - 16) % 16 != 0)
                  return fail("crypto/cipher: input not full blocks");
              unsigned char key[32] = {};
              std::memcpy(key, a[0].as_string().data(), std::min<std::size_t>(32, a[0].as_string().size()));
              std::string out(data.size(), '\0');
              EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
              EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), nullptr, key,
                                 reinterpret_cast<const unsigned char*>(data.data()));
              EVP_CIPHER_CTX_set_padding(c, 0);
              int n1 = 0, n2 = 0;
              EVP_DecryptUpdate(c, reinterpret_cast<unsigned char*>(out.data()), &n1,
                                reinterpret_cast<const unsigned char*>(data.data() + 16),
                                static_cast<int>(data.size() - 16));
              EVP_DecryptFinal_ex(c, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2);
              EVP_CIPHER_CTX_free(c);
              out.resize(static_cast<std::size_t>(n1 + n2));
              if (out.empty()) return go_value::of_string("");
              std::size_t pad = static_cast<unsigned char>(out.back());
              if (pad > out.size()) return fail("runtime error: slice bounds out of range");
              out.resize(out.size() - pad);
              return go_value::of_string(std::move(out));
          }));
    auto bcrypt = [](const std::string& password) -> result<std::string> {
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        if (!crypt_gensalt_rn("$2a$", 10, nullptr, 0, salt, sizeof salt))
            return fail("bcrypt: cannot make a salt");
        crypt_data data{};
        const char* h = crypt_r(password.c_str(), salt, &data);
        if (!h || h[0] == '*') return fail("bcrypt: hashing failed");
        return std::string(h);
    };
    t.add("bcrypt", fn({S::string_}, false, [bcrypt](call_context&, args a) -> result<go_value> {
              auto h = bcrypt(a[0].as_string());
              return go_value::of_string(h ? *h : "failed to encrypt string with bcrypt");
          }));
    t.add("htpasswd",
          fn({S::string_, S::string_}, false, [bcrypt](call_context&, args a) -> result<go_value> {
              if (a[0].as_string().find(':') != std::string::npos)
                  return go_value::of_string("invalid username: " + a[0].as_string());
              WEIR_TRY_ASSIGN(auto h, bcrypt(a[1].as_string()));
              return go_value::of_string(a[0].as_string() + ":" + h);
          }));
    t.add("randBytes", fn({S::int_}, false, [](call_context& ctx, args a) -> result<go_value> {
              if (a[0].as_int() < 0) return fail("runtime error: makeslice: len out of range");
              WEIR_TRY(check_size(ctx, static_cast<std::size_t>(a[0].as_int()), "randBytes"));
              std::string b(static_cast<std::size_t>(a[0].as_int()), '\0');
              RAND_bytes(reinterpret_cast<unsigned char*>(b.data()), static_cast<int>(b.size()));
              return go_value::of_string(b64_encode_bytes(b));
          }));
}

} // namespace weir::gotemplate::detail
