// The `nats` provider's transport: one core-NATS publish over the client protocol (INFO, CONNECT,
// PUB, then PING/PONG so the server has taken the message before we return), as Flux publishes
// each event to the Provider's subject. Plain TCP only: a server that requires TLS is reported,
// not silently downgraded.
//
//   http_request r = ...;   // method "PUB": url nats://host[:4222], header "subject", the event body
//   WEIR_TRY(nats_publish(r, {.timeout = 15s}));
#pragma once

#include "http_client.hpp"

namespace weir::notification {

inline constexpr std::string_view nats_method = "PUB";

// Credentials come from the request's "nats-user"/"nats-pass" or "nats-token" headers (set from
// the Provider's Secret). An -ERR from the server (authorization, bad subject) is terminal; a
// connection failure or timeout is transient. Answers {200, ""} once the server confirmed.
result<http_response> nats_publish(const http_request& req, const http_client_options& options);

} // namespace weir::notification
