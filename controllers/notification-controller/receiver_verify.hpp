// Webhook verification, per Receiver type, as each sender signs (Flux's rules). Pure: the request
// in, a verdict out. Secrets are compared in constant time (CRYPTO_memcmp) so response timing
// tells an attacker nothing about how much of a signature was right.
//
//   auto v = verify_webhook(spec, token, {.headers = h, .body = body});
//   if (v.status != 200) return {v.status, v.message};
//   if (v.ping) return {200, "pong"};        // GitHub's ping: verified, nothing to do
#pragma once

#include "google_id_token.hpp"

#include <weir/api/notification.hpp>

#include <map>
#include <string>

namespace weir::notification {

struct webhook_request {
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    std::map<std::string, std::string> secret; // the Receiver's Secret (gcr: `email`, `audience`)
    jwk_lookup gcr_keys;                       // Google's token signing keys (gcr); unset: gcr refused
};

struct webhook_verdict {
    int status = 200; // 200 verified; 401 unverified; 400 malformed or filtered out; 503 keys unavailable
    std::string message;
    bool ping = false; // verified, but announces the hook only (GitHub "ping")
    std::string event; // the event type the sender declared, when it declares one
};

webhook_verdict verify_webhook(const api::notification::receiver_spec& spec, std::string_view token,
                               const webhook_request& req);

// "sha256=<hex>" (or sha1=, sha512=) checked against HMAC(body, key) in constant time.
bool verify_hmac_header(std::string_view header, std::string_view key, std::string_view body,
                        std::string_view required_algo = {});
// "/hook/" + hex(sha256(token + name + namespace)).
std::string webhook_path(std::string_view token, std::string_view name, std::string_view namespace_);
// Go's time.Time.String() of now in UTC, the value Flux's receivers write to requestedAt.
std::string go_time_now();

} // namespace weir::notification
