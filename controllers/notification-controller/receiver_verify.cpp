#include "receiver_verify.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace weir::notification {
namespace {

std::string header(const webhook_request& r, const std::string& name)
{
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
}

bool equal_constant_time(std::string_view a, std::string_view b)
{
    // Lengths are not secret (a signature's length is public); contents are.
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view body)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
         body.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

bool decode_hex(std::string_view hex, std::string& out)
{
    if (hex.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int v = 0;
        for (char c : {hex[i], hex[i + 1]}) {
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= c - '0';
            else if (c >= 'a' && c <= 'f')
                v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                v |= c - 'A' + 10;
            else
                return false;
        }
        out += static_cast<char>(v);
    }
    return true;
}

webhook_verdict unverified(std::string msg)
{
    return {401, std::move(msg), false, {}};
}
webhook_verdict bad(std::string msg)
{
    return {400, std::move(msg), false, {}};
}

webhook_verdict filter(const api::notification::receiver_spec& spec, std::string event,
                       std::string_view sender)
{
    if (!spec.events.empty() &&
        std::find_if(spec.events.begin(), spec.events.end(), [&](const std::string& e) {
            return std::equal(e.begin(), e.end(), event.begin(), event.end(),
                              [](char a, char b) { return std::tolower(a) == std::tolower(b); });
        }) == spec.events.end())
        return {400, fmt::format("{} event '{}' is not in the receiver's events list", sender, event), false,
                event};
    return {200, "", false, event};
}

bool json_body(const webhook_request& r)
{
    return parse_json(r.body, {.max_depth = 64}).has_value();
}

} // namespace

bool verify_hmac_header(std::string_view header, std::string_view key, std::string_view body,
                        std::string_view required_algo)
{
    auto eq = header.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view algo = header.substr(0, eq), hex = header.substr(eq + 1);
    if (!required_algo.empty() && algo != required_algo) return false;
    const EVP_MD* md = algo == "sha256"   ? EVP_sha256()
                       : algo == "sha1"   ? EVP_sha1()
                       : algo == "sha512" ? EVP_sha512()
                                          : nullptr;
    if (!md) return false;
    std::string given;
    if (!decode_hex(hex, given)) return false;
    return equal_constant_time(hmac(md, key, body), given);
}

std::string webhook_path(std::string_view token, std::string_view name, std::string_view namespace_)
{
    std::string input = std::string(token) + std::string(name) + std::string(namespace_);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), md);
    return "/hook/" + hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

std::string go_time_now()
{
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1'000'000'000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    std::string frac = fmt::format("{:09d}", nanos);
    while (!frac.empty() && frac.back() == '0')
        frac.pop_back(); // Go trims trailing zeros
    return fmt::format("{}{}{} +0000 UTC", buf, frac.empty() ? "" : ".", frac);
}

webhook_verdict verify_webhook(const api::notification::receiver_spec& spec, std::string_view token,
                               const webhook_request& req)
{
    const std::string& type = spec.type;
    if (type == "generic") return {};
    if (type == "generic-hmac") {
        std::string sig = header(req, "x-signature");
        if (sig.empty()) return unverified("missing X-Signature header");
        if (!verify_hmac_header(sig, token, req.body))
            return unverified("X-Signature does not match the body");
        return {};
    }
    if (type == "github") {
        std::string event = header(req, "x-github-event");
        std::string sig = header(req, "x-hub-signature-256");
        bool ok = !sig.empty() ? verify_hmac_header(sig, token, req.body, "sha256")
                               : verify_hmac_header(header(req, "x-hub-signature"), token, req.body, "sha1");
        if (sig.empty() && header(req, "x-hub-signature").empty())
            return unverified("missing X-Hub-Signature-256 header");
        if (!ok) return unverified("X-Hub-Signature-256 does not match the body");
        if (event.empty()) return bad("missing X-GitHub-Event header");
        if (event == "ping") return {200, "pong", true, event};
        return filter(spec, event, "GitHub");
    }
    if (type == "gitlab") {
        std::string given = header(req, "x-gitlab-token");
        if (given.empty()) return unverified("missing X-Gitlab-Token header");
        if (!equal_constant_time(given, token))
            return unverified("X-Gitlab-Token does not match the receiver's token");
        return filter(spec, header(req, "x-gitlab-event"), "GitLab");
    }
    if (type == "bitbucket") {
        std::string sig = header(req, "x-hub-signature");
        if (sig.empty()) return unverified("missing X-Hub-Signature header");
        if (!verify_hmac_header(sig, token, req.body))
            return unverified("X-Hub-Signature does not match the body");
        std::string event = header(req, "x-event-key");
        if (event == "diagnostics:ping") return {200, "pong", true, event};
        return filter(spec, event, "Bitbucket");
    }
    if (type == "harbor") {
        std::string given = header(req, "authorization");
        if (given.empty()) return unverified("missing Authorization header");
        if (!equal_constant_time(given, token))
            return unverified("Authorization does not match the receiver's token");
        return {};
    }
    if (type == "nexus") {
        std::string sig = header(req, "x-nexus-webhook-signature");
        if (sig.empty()) return unverified("missing X-Nexus-Webhook-Signature header");
        if (!verify_hmac_header("sha1=" + sig, token, req.body))
            return unverified("X-Nexus-Webhook-Signature does not match the body");
        return {};
    }
    if (type == "dockerhub" || type == "quay" || type == "acr") {
        // These senders do not sign: the secret path is the credential. The body must still be
        // the JSON they send.
        if (!json_body(req)) return bad(type + " payload is not JSON");
        return {};
    }
    if (type == "gcr") {
        std::string auth = header(req, "authorization");
        if (!auth.starts_with("Bearer ")) return unverified("missing Authorization: Bearer token");
        auto body = parse_json(req.body, {.max_depth = 64});
        const value* data = body ? body->find_path({"message", "data"}) : nullptr;
        if (!data || !data->is_string() || !base64_decode(data->as_string()))
            return bad("gcr payload must be a Pub/Sub push with base64 message.data");
        if (!req.gcr_keys)
            return unverified("gcr tokens cannot be verified: no token signing keys configured");
        auto secret = [&](const char* k) {
            auto it = req.secret.find(k);
            return it == req.secret.end() ? std::string() : it->second;
        };
        auto verified = verify_google_id_token(std::string_view(auth).substr(7), secret("audience"),
                                               secret("email"), req.gcr_keys);
        // Keys that cannot be fetched are the server's problem, not the sender's: 503, retried.
        if (!verified) return {verified.err().terminal() ? 401 : 503, verified.err().message, false, {}};
        return {};
    }
    if (type == "cdevents") {
        std::string ce_type = header(req, "ce-type");
        if (ce_type.empty()) return bad("missing Ce-Type header");
        auto body = parse_json(req.body, {.max_depth = 64});
        const value* ctx_type = body ? body->find_path({"context", "type"}) : nullptr;
        if (!ctx_type || !ctx_type->is_string() || !ctx_type->as_string().starts_with("dev.cdevents."))
            return bad("body is not a CDEvent (context.type must start with dev.cdevents.)");
        return filter(spec, ce_type, "CDEvents");
    }
    return bad("unsupported receiver type " + type);
}

} // namespace weir::notification
