// API errors: a failed request becomes a weir::error whose `code` is the HTTP status (0 for a
// network failure) and whose `reason` is the `reason` of the server's Status object
// ("NotFound", "Conflict", "AlreadyExists", "Invalid", "Expired", ...).
//
//   auto r = client.get(cm, "default", "app");
//   if (!r && kube::is_not_found(r.err())) create_it();
//
// Classification (error_kind): 400/405/406/413/415/422 are terminal (the request itself is wrong
// and will not succeed until it changes); everything else (network, 401/403 until RBAC is fixed,
// 404 until the object appears, 409, 410, 429, 5xx) is transient.
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>

namespace weir::kube {

// Builds the error for an HTTP reply: parses a Status body when there is one, otherwise uses the
// status line. `what` names the request ("get configmaps default/app").
weir::error error_from_response(int http_status, std::string_view body, std::string_view what);
// A network-level failure (connect, TLS, timeout): transient, code 0, reason "ServiceUnavailable"
// or "Timeout".
weir::error network_error(std::string_view what, std::string_view detail, bool timeout = false);

bool is_not_found(const weir::error& e);
bool is_already_exists(const weir::error& e);
bool is_conflict(const weir::error& e);     // 409 other than AlreadyExists: stale resourceVersion
bool is_invalid(const weir::error& e);      // 422
bool is_bad_request(const weir::error& e);  // 400
bool is_gone(const weir::error& e);         // 410: resourceVersion too old, relist
bool is_forbidden(const weir::error& e);    // 403
bool is_unauthorized(const weir::error& e); // 401
bool is_too_many_requests(const weir::error& e);
bool is_timeout(const weir::error& e);      // 504 / reason Timeout / client-side timeout
bool is_server_error(const weir::error& e); // 5xx
bool is_network(const weir::error& e);      // no HTTP reply at all
bool is_method_not_supported(const weir::error& e);

} // namespace weir::kube
