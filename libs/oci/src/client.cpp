#include <weir/oci/client.hpp>

#include "http.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <openssl/evp.h>

#include <map>
#include <mutex>

namespace weir::oci {
using detail::http_request;
using detail::http_response;

namespace {

using clock = std::chrono::steady_clock;

struct cached_token {
    std::string token;
    clock::time_point expires;
};

std::string query_escape(std::string_view s)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

error status_error(const http_response& r, const std::string& what)
{
    std::string detail;
    if (auto doc = parse_json(r.body); doc && doc->find("errors") && doc->find("errors")->is_array() &&
                                        !doc->find("errors")->as_array().empty()) {
        const value& e = doc->find("errors")->as_array().front();
        detail = std::string(e.get_string("code")) + ": " + std::string(e.get_string("message"));
    }
    std::string msg = what + ": HTTP " + std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")");
    error e;
    if (r.status == 401 || r.status == 403) {
        e = terminal_error(msg + "; check the credentials in the image pull Secret", "AuthenticationFailed");
    } else if (r.status == 404) {
        e = terminal_error(msg + "; check the image name and that it was pushed", "NotFound");
    } else if (r.status >= 500 || r.status == 429) {
        e = transient_error(msg, "RegistryError");
    } else {
        e = terminal_error(msg, "RegistryError");
    }
    e.code = r.status;
    return e;
}

std::vector<descriptor> descriptors(const value& doc, std::string_view key)
{
    std::vector<descriptor> out;
    const value* list = doc.find(key);
    if (!list || !list->is_array()) return out;
    for (const value& d : list->as_array()) {
        descriptor x;
        x.media_type = std::string(d.get_string("mediaType"));
        x.digest = std::string(d.get_string("digest"));
        if (const value* s = d.find("size"); s && s->is_int()) x.size = s->as_int();
        if (const value* p = d.find("platform"); p && p->is_object()) {
            x.platform = std::string(p->get_string("os")) + "/" + std::string(p->get_string("architecture"));
            if (auto v = p->get_string("variant"); !v.empty()) x.platform += "/" + std::string(v);
        }
        out.push_back(std::move(x));
    }
    return out;
}

} // namespace

std::string sha256_digest(std::string_view bytes)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return "sha256:" + hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::vector<descriptor> manifest::layers() const { return descriptors(doc, "layers"); }
std::vector<descriptor> manifest::manifests() const { return descriptors(doc, "manifests"); }
std::optional<descriptor> manifest::config() const
{
    const value* c = doc.find("config");
    if (!c || !c->is_object()) return std::nullopt;
    value wrapped = object{{"x", array{*c}}};
    return descriptors(wrapped, "x").front();
}

struct registry_client::impl {
    std::string registry;
    client_options opts;
    detail::transport_options transport;
    std::mutex mu;
    std::map<std::string, cached_token> tokens; // by scope
    bool use_basic = false;                      // the registry asked for Basic

    std::string authorization(const std::string& scope)
    {
        std::lock_guard lock(mu);
        if (auto it = tokens.find(scope); it != tokens.end() && it->second.expires > clock::now())
            return "Bearer " + it->second.token;
        if (use_basic && opts.credentials)
            return "Basic " + base64_encode(opts.credentials->username + ":" + opts.credentials->password);
        return {};
    }

    result<http_response> raw(http_request req)
    {
        for (int hops = 0;; ++hops) {
            WEIR_TRY_ASSIGN(auto resp, detail::send(req, transport));
            if (!is_redirect(resp.status) || hops == 5 || (req.method != "GET" && req.method != "HEAD")) return resp;
            WEIR_TRY_ASSIGN(auto from, detail::parse_url(req.url));
            std::string next = detail::resolve_url(from, resp.header("location"));
            WEIR_TRY_ASSIGN(auto to, detail::parse_url(next));
            if (to.host != from.host || to.port != from.port) // credentials stay with the registry
                std::erase_if(req.headers, [](const auto& h) { return h.first == "Authorization"; });
            req.url = next;
        }
    }

    status fetch_token(const challenge& ch, const std::string& scope)
    {
        auto realm = ch.params.find("realm");
        if (realm == ch.params.end())
            return terminal_error("registry " + registry + " asked for a bearer token without a realm", "AuthenticationFailed");
        std::string url = realm->second;
        char sep = url.find('?') == std::string::npos ? '?' : '&';
        if (auto s = ch.params.find("service"); s != ch.params.end()) {
            url += sep + std::string("service=") + query_escape(s->second);
            sep = '&';
        }
        auto sc = ch.params.find("scope");
        url += sep + std::string("scope=") + query_escape(sc != ch.params.end() ? sc->second : scope);
        http_request req{.method = "GET", .url = url, .headers = {}, .body = {}};
        if (opts.credentials)
            req.headers.emplace_back("Authorization", "Basic " + base64_encode(opts.credentials->username + ":" +
                                                                               opts.credentials->password));
        WEIR_TRY_ASSIGN(auto resp, raw(req));
        if (resp.status != 200) return status_error(resp, "token request to " + realm->second + " for " + registry);
        auto doc = parse_json(resp.body);
        if (!doc) return transient_error("token service " + realm->second + " answered with invalid JSON", "AuthenticationFailed");
        std::string token(doc->get_string("token"));
        if (token.empty()) token = std::string(doc->get_string("access_token"));
        if (token.empty()) return terminal_error("token service " + realm->second + " gave no token", "AuthenticationFailed");
        std::int64_t ttl = 60;
        if (const value* e = doc->find("expires_in"); e && e->is_int() && e->as_int() > 0) ttl = e->as_int();
        std::lock_guard lock(mu);
        // Renew a little early so a token does not expire between check and use.
        tokens[scope] = {token, clock::now() + std::chrono::seconds(ttl > 20 ? ttl - 10 : ttl / 2)};
        return ok();
    }

    // One request with the authentication dance; `scope` names what the token must allow.
    result<http_response> request(http_request req, const std::string& scope)
    {
        for (int attempt = 0;; ++attempt) {
            http_request r = req;
            if (auto a = authorization(scope); !a.empty()) r.headers.emplace_back("Authorization", a);
            WEIR_TRY_ASSIGN(auto resp, raw(r));
            if (resp.status != 401 || attempt == 1) return resp;
            auto ch = parse_www_authenticate(resp.header("www-authenticate"));
            if (!ch) return resp;
            std::string scheme = ch->scheme;
            for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (scheme == "bearer") {
                WEIR_TRY(fetch_token(*ch, scope));
            } else if (scheme == "basic" && opts.credentials) {
                std::lock_guard lock(mu);
                if (use_basic) return resp; // the credentials were sent and refused
                use_basic = true;
            } else {
                return resp;
            }
        }
    }
};

registry_client::registry_client(std::string registry, client_options options)
    : registry_(std::move(registry)), impl_(std::make_unique<impl>())
{
    impl_->registry = registry_;
    impl_->opts = options;
    impl_->transport.ca_pem = options.ca_pem;
    impl_->transport.cert_pem = options.cert_pem;
    impl_->transport.key_pem = options.key_pem;
    impl_->transport.proxy_url = options.proxy_url;
    impl_->transport.proxy_username = options.proxy_username;
    impl_->transport.proxy_password = options.proxy_password;
    impl_->transport.timeout = options.timeout;
    impl_->transport.max_body = options.max_blob_bytes;
    // Bearer tokens start out Basic when credentials are known for a registry that wants Basic;
    // sending them before the first 401 would leak them to registries that never asked.
}

registry_client::~registry_client() = default;

std::string registry_client::base_url() const
{
    return (impl_->opts.insecure ? "http://" : "https://") + registry_;
}

result<std::vector<std::string>> registry_client::list_tags(std::string_view repository)
{
    std::string scope = "repository:" + std::string(repository) + ":pull";
    std::string url = base_url() + "/v2/" + std::string(repository) + "/tags/list";
    if (impl_->opts.page_size > 0) url += "?n=" + std::to_string(impl_->opts.page_size);
    std::vector<std::string> tags;
    for (int page = 0; page < 100'000; ++page) {
        WEIR_TRY_ASSIGN(auto resp, impl_->request({.method = "GET", .url = url, .headers = {}, .body = {}}, scope));
        if (resp.status != 200) return status_error(resp, "list tags of " + registry_ + "/" + std::string(repository));
        auto doc = parse_json(resp.body);
        if (!doc) return transient_error("tag list of " + registry_ + "/" + std::string(repository) + " is not JSON: " +
                                             doc.err().message,
                                         "RegistryError");
        if (const value* t = doc->find("tags"); t && t->is_array()) {
            tags.reserve(tags.size() + t->as_array().size());
            for (const value& v : t->as_array())
                if (v.is_string()) tags.push_back(v.as_string());
        }
        auto next = parse_link_next(resp.header("link"));
        if (!next) return tags;
        WEIR_TRY_ASSIGN(auto cur, detail::parse_url(url));
        url = detail::resolve_url(cur, *next);
    }
    return transient_error("tag list of " + registry_ + "/" + std::string(repository) + " does not end", "RegistryError");
}

static std::string manifest_accept()
{
    return std::string(media_oci_index) + ", " + std::string(media_oci_manifest) + ", " +
           std::string(media_docker_list) + ", " + std::string(media_docker_manifest);
}

result<manifest> registry_client::get_manifest(std::string_view repository, std::string_view reference)
{
    std::string what = "manifest " + registry_ + "/" + std::string(repository) + ":" + std::string(reference);
    http_request req{.method = "GET",
                     .url = base_url() + "/v2/" + std::string(repository) + "/manifests/" + std::string(reference),
                     .headers = {{"Accept", manifest_accept()}},
                     .body = {}};
    WEIR_TRY_ASSIGN(auto resp, impl_->request(req, "repository:" + std::string(repository) + ":pull"));
    if (resp.status != 200) return status_error(resp, "get " + what);
    manifest m;
    m.digest = sha256_digest(resp.body);
    std::string claimed = reference.starts_with("sha256:") ? std::string(reference) : resp.header("docker-content-digest");
    if (!claimed.empty() && claimed.starts_with("sha256:") && claimed != m.digest)
        return transient_error(what + " has digest " + m.digest + ", expected " + claimed, "DigestMismatch");
    auto doc = parse_json(resp.body);
    if (!doc) return terminal_error(what + " is not JSON: " + doc.err().message, "RegistryError");
    m.doc = std::move(*doc);
    m.media_type = std::string(m.doc.get_string("mediaType"));
    if (m.media_type.empty()) m.media_type = resp.header("content-type");
    m.body = std::move(resp.body);
    return m;
}

result<std::string> registry_client::manifest_digest(std::string_view repository, std::string_view reference)
{
    http_request req{.method = "HEAD",
                     .url = base_url() + "/v2/" + std::string(repository) + "/manifests/" + std::string(reference),
                     .headers = {{"Accept", manifest_accept()}},
                     .body = {}};
    WEIR_TRY_ASSIGN(auto resp, impl_->request(req, "repository:" + std::string(repository) + ":pull"));
    if (resp.status == 200) {
        if (auto d = resp.header("docker-content-digest"); !d.empty()) return d;
    } else if (resp.status != 405) {
        return status_error(resp, "head manifest " + registry_ + "/" + std::string(repository) + ":" +
                                      std::string(reference));
    }
    WEIR_TRY_ASSIGN(auto m, get_manifest(repository, reference));
    return m.digest;
}

result<std::string> registry_client::get_blob(std::string_view repository, std::string_view digest)
{
    std::string what = "blob " + registry_ + "/" + std::string(repository) + "@" + std::string(digest);
    if (!digest.starts_with("sha256:")) return terminal_error(what + ": only sha256 digests are supported", "InvalidDigest");
    http_request req{.method = "GET",
                     .url = base_url() + "/v2/" + std::string(repository) + "/blobs/" + std::string(digest),
                     .headers = {},
                     .body = {}};
    WEIR_TRY_ASSIGN(auto resp, impl_->request(req, "repository:" + std::string(repository) + ":pull"));
    if (resp.status != 200) return status_error(resp, "get " + what);
    if (auto got = sha256_digest(resp.body); got != digest)
        return transient_error(what + " arrived with digest " + got + " (corrupted in transit; will retry)",
                               "DigestMismatch");
    return std::move(resp.body);
}

result<std::string> registry_client::put_blob(std::string_view repository, std::string_view bytes)
{
    std::string scope = "repository:" + std::string(repository) + ":pull,push";
    std::string what = "upload to " + registry_ + "/" + std::string(repository);
    WEIR_TRY_ASSIGN(auto start, impl_->request({.method = "POST",
                                                .url = base_url() + "/v2/" + std::string(repository) + "/blobs/uploads/",
                                                .headers = {},
                                                .body = {}},
                                               scope));
    if (start.status != 202) return status_error(start, what);
    WEIR_TRY_ASSIGN(auto base, detail::parse_url(base_url() + "/v2/"));
    std::string loc = detail::resolve_url(base, start.header("location"));
    std::string digest = sha256_digest(bytes);
    loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + query_escape(digest);
    WEIR_TRY_ASSIGN(auto done, impl_->request({.method = "PUT",
                                               .url = loc,
                                               .headers = {{"Content-Type", "application/octet-stream"}},
                                               .body = std::string(bytes)},
                                              scope));
    if (done.status != 201) return status_error(done, what);
    return digest;
}

result<std::string> registry_client::put_manifest(std::string_view repository, std::string_view reference,
                                                  std::string_view media_type, std::string_view body)
{
    WEIR_TRY_ASSIGN(auto resp,
                    impl_->request({.method = "PUT",
                                    .url = base_url() + "/v2/" + std::string(repository) + "/manifests/" +
                                           std::string(reference),
                                    .headers = {{"Content-Type", std::string(media_type)}},
                                    .body = std::string(body)},
                                   "repository:" + std::string(repository) + ":pull,push"));
    if (resp.status != 201)
        return status_error(resp, "put manifest " + registry_ + "/" + std::string(repository) + ":" + std::string(reference));
    return sha256_digest(body);
}

} // namespace weir::oci
