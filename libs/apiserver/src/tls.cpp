#include "tls.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>

#include <sys/stat.h>

namespace weir::apiserver {

namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

error ssl_error(std::string_view what)
{
    return terminal_error(fmt::format("tls: {} failed (OpenSSL)", what), "CertificateError");
}

pkey_ptr new_key() { return pkey_ptr(EVP_EC_gen("P-256"), EVP_PKEY_free); }

bool add_ext(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) return false;
    bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

result<x509_ptr> make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca)
{
    x509_ptr cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509* iss = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
    bool ok = ca ? add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE") &&
                       add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") &&
                       add_ext(cert.get(), iss, NID_subject_key_identifier, "hash")
                 : add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE") &&
                       add_ext(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
                       add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth") &&
                       add_ext(cert.get(), iss, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
    if (!ok) return ssl_error("certificate extensions");
    if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return ssl_error("signing");
    return cert;
}

status write_pem(const std::filesystem::path& path, EVP_PKEY* key, X509* cert)
{
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return terminal_error("tls: cannot write " + path.string() + ": check the data directory", "CertificateError");
    ::chmod(path.c_str(), key ? 0600 : 0644);
    bool good = key ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1
                  : PEM_write_X509(f, cert) == 1;
    std::fclose(f);
    if (!good) return ssl_error("writing " + path.string());
    return ok();
}

std::string random_token()
{
    unsigned char b[32];
    RAND_bytes(b, sizeof b);
    std::string out;
    for (unsigned char c : b) out += fmt::format("{:02x}", c);
    return out;
}

} // namespace

result<credentials> ensure_credentials(const std::filesystem::path& dir)
{
    credentials cr{dir / "ca.crt", dir / "server.crt", dir / "server.key", {}};
    auto ca_key_path = dir / "ca.key";
    auto token_path = dir / "token";
    std::error_code ec;
    if (!std::filesystem::exists(cr.server_cert, ec) || !std::filesystem::exists(cr.server_key, ec) ||
        !std::filesystem::exists(cr.ca_cert, ec)) {
        auto ca_key = new_key();
        auto key = new_key();
        if (!ca_key || !key) return ssl_error("key generation");
        WEIR_TRY_ASSIGN(auto ca, make_cert(ca_key.get(), "weir-apiserver-ca", nullptr, nullptr, true));
        WEIR_TRY_ASSIGN(auto cert, make_cert(key.get(), "weir-apiserver", ca.get(), ca_key.get(), false));
        WEIR_TRY(write_pem(ca_key_path, ca_key.get(), nullptr));
        WEIR_TRY(write_pem(cr.ca_cert, nullptr, ca.get()));
        WEIR_TRY(write_pem(cr.server_key, key.get(), nullptr));
        // The serving file holds the chain: leaf then CA.
        WEIR_TRY(write_pem(cr.server_cert, nullptr, cert.get()));
    }
    if (std::ifstream in(token_path); in) {
        std::getline(in, cr.token);
    }
    if (cr.token.empty()) {
        cr.token = random_token();
        std::ofstream out(token_path);
        out << cr.token << "\n";
        ::chmod(token_path.c_str(), 0600);
        if (!out) return terminal_error("cannot write " + token_path.string() + ": check the data directory", "ConfigError");
    }
    return cr;
}

} // namespace weir::apiserver
