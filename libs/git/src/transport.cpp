#include "transport.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <fnmatch.h>
#include <mutex>
#include <random>
#include <sstream>
#include <unistd.h>

namespace weir::git::detail {
namespace fs = std::filesystem;

void ensure_init()
{
    static std::once_flag once;
    std::call_once(once, [] {
        git_libgit2_init();
        register_socket_stream();
    });
}

std::string oid_hex(const git_oid& oid)
{
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

url_info parse_url(const std::string& url)
{
    url_info u;
    std::string_view s = url;
    auto sep = s.find("://");
    if (sep == std::string_view::npos) { // scp-like "git@host:path"
        u.scheme = "ssh";
        auto colon = s.find(':');
        auto at = s.substr(0, colon).find('@');
        u.user = at == std::string_view::npos ? "" : std::string(s.substr(0, at));
        u.host = std::string(s.substr(at == std::string_view::npos ? 0 : at + 1,
                                      colon - (at == std::string_view::npos ? 0 : at + 1)));
        u.port = 22;
        return u;
    }
    u.scheme = std::string(s.substr(0, sep));
    s.remove_prefix(sep + 3);
    auto authority = s.substr(0, s.find('/'));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        u.user = std::string(authority.substr(0, authority.substr(0, at).find(':')));
        authority.remove_prefix(at + 1);
    }
    auto close = authority.find(']');
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        u.port = std::atoi(std::string(authority.substr(colon + 1)).c_str());
        authority = authority.substr(0, colon);
    }
    if (authority.starts_with("[") && authority.ends_with("]"))
        authority = authority.substr(1, authority.size() - 2);
    u.host = std::string(authority);
    if (u.port == 0)
        u.port = u.scheme == "https" ? 443 : u.scheme == "http" ? 80 : u.scheme == "git" ? 9418 : 22;
    return u;
}

namespace {

std::string base64_decode(std::string_view in)
{
    std::string out(in.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return {};
    std::size_t pad = 0;
    for (auto it = in.rbegin(); it != in.rend() && *it == '='; ++it)
        ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

// One known_hosts host pattern against "host" or "[host]:port".
bool host_matches(std::string_view pattern, const std::string& name)
{
    if (pattern.starts_with("|1|")) { // hashed: |1|base64(salt)|base64(hmac-sha1(salt, name))
        auto rest = pattern.substr(3);
        auto bar = rest.find('|');
        if (bar == std::string_view::npos) return false;
        auto salt = base64_decode(rest.substr(0, bar));
        auto want = base64_decode(rest.substr(bar + 1));
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
             reinterpret_cast<const unsigned char*>(name.data()), name.size(), md, &len);
        return want.size() == len && std::equal(want.begin(), want.end(), reinterpret_cast<const char*>(md));
    }
    // Only '*' and '?' are wildcards in known_hosts; "[host]:port" brackets are literal.
    std::string p;
    for (char c : pattern) {
        if (c == '[' || c == ']' || c == '\\') p += '\\';
        p += c;
    }
    return ::fnmatch(p.c_str(), name.c_str(), FNM_CASEFOLD) == 0;
}

// 0: host key trusted, otherwise fills the session's error.
int check_host_key(session& s, const git_cert_hostkey* hk, const char* host)
{
    std::string name = s.info_.port == 22 ? std::string(host)
                                          : "[" + std::string(host) + "]:" + std::to_string(s.info_.port);
    bool host_known = false;
    std::istringstream in(s.auth_.known_hosts);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string hosts, type, key;
        fields >> hosts;
        if (hosts == "@revoked" || hosts == "@cert-authority") continue;
        fields >> type >> key;
        bool match = false, negated = false;
        std::size_t start = 0;
        while (start <= hosts.size()) {
            auto end = hosts.find(',', start);
            if (end == std::string::npos) end = hosts.size();
            std::string_view pat = std::string_view(hosts).substr(start, end - start);
            if (pat.starts_with("!"))
                negated = negated || host_matches(pat.substr(1), name);
            else
                match = match || host_matches(pat, name);
            start = end + 1;
        }
        if (!match || negated) continue;
        host_known = true;
        auto blob = base64_decode(key);
        if ((hk->type & GIT_CERT_SSH_RAW) && hk->hostkey_len == blob.size() &&
            std::equal(blob.begin(), blob.end(), hk->hostkey))
            return 0;
        if (!(hk->type & GIT_CERT_SSH_RAW) && (hk->type & GIT_CERT_SSH_SHA256)) {
            unsigned char md[32];
            unsigned int len = 0;
            EVP_Digest(blob.data(), blob.size(), md, &len, EVP_sha256(), nullptr);
            if (std::equal(md, md + 32, hk->hash_sha256)) return 0;
        }
    }
    if (host_known) {
        s.cert_reason_ = "HostKeyMismatch";
        s.cert_error_ = "host key of " + name +
                        " does not match known_hosts: the key changed or someone is in "
                        "the middle; update known_hosts in the secret only if the change is expected";
    } else {
        s.cert_reason_ = "HostKeyUnknown";
        s.cert_error_ = "host key of " + name +
                        " is not in known_hosts: add the host's key (ssh-keyscan) to "
                        "known_hosts in the secret";
    }
    return GIT_ECERTIFICATE;
}

// Verifies the server certificate (DER) against the configured CA bundle and the host name.
int check_x509(session& s, const git_cert_x509* cert, const char* host)
{
    const auto* der = static_cast<const unsigned char*>(cert->data);
    X509* leaf = d2i_X509(nullptr, &der, static_cast<long>(cert->len));
    X509_STORE* store = X509_STORE_new();
    BIO* bio = BIO_new_mem_buf(s.auth_.ca_pem.data(), static_cast<int>(s.auth_.ca_pem.size()));
    int added = 0;
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        added += X509_STORE_add_cert(store, ca);
        X509_free(ca);
    }
    BIO_free(bio);
    bool ok = false;
    std::string why;
    if (!leaf) {
        why = "the server sent an unreadable certificate";
    } else if (added == 0) {
        why = "the CA certificate in the secret (ca.crt) is not valid PEM";
    } else {
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, leaf, nullptr);
        ok = X509_verify_cert(ctx) == 1;
        if (!ok) why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
        X509_STORE_CTX_free(ctx);
        if (ok && X509_check_host(leaf, host, 0, 0, nullptr) != 1 && X509_check_ip_asc(leaf, host, 0) != 1) {
            ok = false;
            why = "the certificate is not valid for host '" + std::string(host) + "'";
        }
    }
    X509_STORE_free(store);
    X509_free(leaf);
    if (ok) return 0;
    s.cert_reason_ = "CertificateInvalid";
    s.cert_error_ = "TLS certificate of " + std::string(host) + " is not trusted: " + why;
    return GIT_ECERTIFICATE;
}

int certificate_cb(git_cert* cert, int valid, const char* host, void* payload)
{
    auto& s = *static_cast<session*>(payload);
    if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
        return check_host_key(s, reinterpret_cast<git_cert_hostkey*>(cert), host);
    if (cert->cert_type == GIT_CERT_X509 && !s.auth_.ca_pem.empty())
        return check_x509(s, reinterpret_cast<git_cert_x509*>(cert), host);
    if (valid) return 0;
    s.cert_reason_ = "CertificateInvalid";
    s.cert_error_ = "TLS certificate of " + std::string(host) +
                    " is not trusted by the system CAs: add the CA to the secret as ca.crt";
    return GIT_ECERTIFICATE;
}

std::string write_key(session& s)
{
    if (s.key_dir_.empty()) {
        std::random_device rd;
        s.key_dir_ = fs::temp_directory_path() / ("weir-ssh-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directory(s.key_dir_);
        fs::permissions(s.key_dir_, fs::perms::owner_all);
    }
    auto path = s.key_dir_ / "identity";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        auto key = s.auth_.ssh_private_key;
        if (!key.empty() && key.back() != '\n') key += '\n';
        [[maybe_unused]] auto n = ::write(fd, key.data(), key.size());
        ::close(fd);
    }
    return path.string();
}

int credentials_cb(git_credential** out, const char* /*url*/, const char* user_from_url, unsigned int allowed,
                   void* payload)
{
    auto& s = *static_cast<session*>(payload);
    // libgit2 asks again after every rejection: offering the same secret twice cannot succeed.
    auto offer = [&](int bit) {
        if (s.cred_calls_ & bit) {
            s.auth_exhausted_ = true;
            return false;
        }
        s.cred_calls_ |= bit;
        return true;
    };
    std::string user = user_from_url && *user_from_url ? user_from_url
                       : !s.auth_.username.empty()     ? s.auth_.username
                                                       : "git";
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !s.auth_.ssh_private_key.empty()) {
        if (!offer(1)) return GIT_EUSER;
        auto key = write_key(s);
        return git_credential_ssh_key_new(out, user.c_str(), nullptr, key.c_str(),
                                          s.auth_.ssh_passphrase.empty() ? nullptr
                                                                         : s.auth_.ssh_passphrase.c_str());
    }
    if (allowed & GIT_CREDENTIAL_USERNAME) {
        if (!offer(2)) return GIT_EUSER;
        return git_credential_username_new(out, user.c_str());
    }
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !s.auth_.password.empty()) {
        if (!offer(4)) return GIT_EUSER;
        return git_credential_userpass_plaintext_new(out, user.c_str(), s.auth_.password.c_str());
    }
    s.auth_exhausted_ = true;
    return GIT_EUSER;
}

bool contains(std::string_view hay, std::string_view needle)
{
    return hay.find(needle) != std::string_view::npos;
}

} // namespace

session::session(std::string url, const auth_options& auth)
    : url_(std::move(url)), info_(parse_url(url_)), auth_(auth)
{
    ensure_init();
    if (!auth_.bearer_token.empty()) header_storage_.push_back("Authorization: Bearer " + auth_.bearer_token);
    for (auto& h : header_storage_)
        header_ptrs_.push_back(h.data());
    header_array_.strings = header_ptrs_.data();
    header_array_.count = header_ptrs_.size();
}

session::~session()
{
    std::error_code ec;
    if (!key_dir_.empty()) fs::remove_all(key_dir_, ec);
}

git_remote_callbacks session::callbacks()
{
    git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
    cb.credentials = credentials_cb;
    cb.certificate_check = certificate_cb;
    cb.payload = this;
    return cb;
}

git_strarray* session::headers()
{
    return &header_array_;
}

namespace {

int proxy_credentials_cb(git_credential** out, const char*, const char*, unsigned int allowed, void* payload)
{
    auto& s = *static_cast<session*>(payload);
    // One offer: the same credentials rejected twice will not start working.
    if (s.proxy_cred_offered_ || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) ||
        s.auth_.proxy_username.empty()) {
        s.cert_reason_ = "AuthenticationFailed";
        s.cert_error_ = "proxy " + s.auth_.proxy_url +
                        " refused the credentials: check username and password of "
                        "spec.proxySecretRef";
        return GIT_EUSER;
    }
    s.proxy_cred_offered_ = true;
    return git_credential_userpass_plaintext_new(out, s.auth_.proxy_username.c_str(),
                                                 s.auth_.proxy_password.c_str());
}

} // namespace

const git_proxy_options* session::proxy()
{
    proxy_opts_ = GIT_PROXY_OPTIONS_INIT;
    if (auth_.proxy_url.empty()) return &proxy_opts_; // GIT_PROXY_NONE
    proxy_opts_.type = GIT_PROXY_SPECIFIED;
    proxy_opts_.url = auth_.proxy_url.c_str();
    proxy_opts_.credentials = proxy_credentials_cb;
    proxy_opts_.payload = this;
    return &proxy_opts_;
}

status session::check() const
{
    if (info_.scheme == "ssh" && auth_.known_hosts.empty())
        return terminal_error("ssh url " + url_ +
                                  " needs known_hosts in the secret: host keys are always verified",
                              "HostKeyUnknown");
    if (info_.scheme == "ssh" && auth_.ssh_private_key.empty())
        return terminal_error("ssh url " + url_ + " needs a private key (identity) in the secret",
                              "AuthenticationFailed");
    if (info_.scheme != "https" && info_.scheme != "http" && info_.scheme != "ssh" && info_.scheme != "git" &&
        info_.scheme != "file")
        return terminal_error("unsupported url scheme '" + info_.scheme + "' in " + url_, "InvalidURL");
    return ok();
}

error session::fail(int rc, std::string_view what) const
{
    const git_error* e = git_error_last();
    std::string msg = e && e->message ? e->message : "unknown error";
    int klass = e ? e->klass : 0;
    std::string where = std::string(what) + " " + url_ + ": ";
    if (!cert_error_.empty()) return terminal_error(where + cert_error_, cert_reason_);
    if (auth_exhausted_ || rc == GIT_EAUTH || contains(msg, "authentication required") ||
        contains(msg, "Failed to authenticate") || contains(msg, "Username/PublicKey") ||
        contains(msg, "authentication replays") || contains(msg, "status code: 401") ||
        contains(msg, "status code: 403")) {
        std::string hint =
            auth_.password.empty() && auth_.bearer_token.empty() && auth_.ssh_private_key.empty()
                ? "the server requires credentials: set a secretRef"
                : "check the credentials in the secret";
        return terminal_error(where + "authentication failed (" + msg + "): " + hint, "AuthenticationFailed");
    }
    if (contains(msg, "Unable to extract") || contains(msg, "passphrase") ||
        contains(msg, "Unable to open private key"))
        return terminal_error(where + "cannot use the ssh private key (" + msg +
                                  "): check identity and password",
                              "AuthenticationFailed");
    if (contains(msg, "status code: 404") || contains(msg, "not found") ||
        contains(msg, "not appear to be a git") || contains(msg, "access denied") ||
        contains(msg, "could not find repository") || contains(msg, "failed to resolve path"))
        return terminal_error(where + "repository not found (" + msg + ")", "RepositoryNotFound");
    if (klass == GIT_ERROR_NET || klass == GIT_ERROR_OS || klass == GIT_ERROR_SSH ||
        contains(msg, "connect") || contains(msg, "resolve") || contains(msg, "timed out") ||
        contains(msg, "early EOF") || contains(msg, "closed"))
        return transient_error(where + "remote unreachable or connection broken (" + msg + ")",
                               "Unreachable");
    if (klass == GIT_ERROR_SSL)
        return terminal_error(where + "TLS failed (" + msg + ")", "CertificateInvalid");
    return transient_error(where + msg, "GitOperationFailed");
}

} // namespace weir::git::detail
