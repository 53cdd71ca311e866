// Verification of the Google OIDC ID tokens that Pub/Sub push subscriptions send (the `gcr`
// Receiver): `Authorization: Bearer <JWT>` signed RS256 by a key of Google's JWKS, issued by
// accounts.google.com, for the Receiver's audience, not expired, with the service account email the
// Receiver's Secret names (Flux's rules, from google.golang.org/api/idtoken plus its email check).
//
//   jwks_cache keys("https://www.googleapis.com/oauth2/v3/certs");
//   auto ok = verify_google_id_token(jwt, secret["audience"], secret["email"],
//                                    [&](std::string_view kid) { return keys.key(kid); });
//
// The keys URL is a flag (--gcr-jwks-url) so a cluster without Internet access, or a test, can
// serve its own.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace weir::notification {

inline constexpr std::string_view google_jwks_url = "https://www.googleapis.com/oauth2/v3/certs";

// The JWK (JSON object with kty, n, e, kid) for a key id.
using jwk_lookup = std::function<result<value>(std::string_view kid)>;

// Google's keys, fetched over HTTP(S) and kept for `ttl`; an unknown kid (Google rotated its keys)
// refetches at once, at most every 10 seconds so bogus kids cannot hammer the keys endpoint.
class jwks_cache {
public:
    explicit jwks_cache(std::string url, std::chrono::seconds ttl = std::chrono::minutes(10));
    result<value> key(std::string_view kid);

private:
    status refresh(std::chrono::steady_clock::time_point now);

    std::string url_;
    std::chrono::seconds ttl_;
    std::mutex mutex_;
    value keys_; // array of JWKs
    std::chrono::steady_clock::time_point fetched_{}, attempted_{};
};

// Ok, or a terminal error that says which check failed (for the 401 answer).
status verify_google_id_token(std::string_view jwt, std::string_view audience, std::string_view email,
                              const jwk_lookup& keys,
                              std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

} // namespace weir::notification
