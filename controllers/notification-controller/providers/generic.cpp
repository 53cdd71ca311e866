// generic and generic-hmac: the event itself, as JSON, POSTed to the address.
#include "provider.hpp"

namespace weir::notification::providers {
namespace {

http_request event_post(const provider_config& cfg, const flux_event& ev)
{
    http_request r{.method = "POST", .url = cfg.address, .headers = {}, .body = ev.to_json()};
    r.headers.emplace_back("Content-Type", "application/json");
    // Flux names the component so a receiver can route without parsing the body.
    r.headers.emplace_back("Gotk-Component", ev.reporting_controller);
    add_secret_headers(r, cfg);
    return r;
}

} // namespace

requests generic(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "generic", "an address"));
    return std::vector{event_post(cfg, ev)};
}

requests generic_hmac(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "generic-hmac", "an address"));
    WEIR_TRY(require(!cfg.token.empty(), "generic-hmac", "a token in its secretRef (the HMAC key)"));
    http_request r = event_post(cfg, ev);
    r.headers.emplace_back("X-Signature", "sha256=" + hex_hmac_sha256(cfg.token, r.body));
    return std::vector{std::move(r)};
}

// Flux's nats provider: the event JSON published on the subject spec.channel of the server at
// spec.address; the transport is nats_client (the dispatcher sends method "PUB" there).
requests nats(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "nats", "an address (nats://host:port)"));
    WEIR_TRY(require(!cfg.channel.empty(), "nats", "a channel (the subject to publish on)"));
    http_request r{.method = "PUB",
                   .url = cfg.address,
                   .headers = {{"subject", cfg.channel}},
                   .body = ev.to_json(),
                   .ok_field = {}};
    if (!cfg.username.empty()) {
        r.headers.emplace_back("nats-user", cfg.username);
        r.headers.emplace_back("nats-pass", cfg.password);
    } else if (!cfg.token.empty()) {
        r.headers.emplace_back("nats-token", cfg.token);
    }
    return std::vector{std::move(r)};
}

} // namespace weir::notification::providers
