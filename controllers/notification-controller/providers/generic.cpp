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

} // namespace weir::notification::providers
