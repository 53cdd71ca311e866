// Provider request builders: for a Provider's resolved settings and one event, the HTTP requests
// that deliver it, in the format the service documents. Pure functions (no I/O), so tests check
// each format directly and the dispatcher owns sending, retries and TLS.
//
//   provider_config cfg{.type = "slack", .address = hook_url, .channel = "ops"};
//   WEIR_TRY_ASSIGN(auto reqs, build_requests(cfg, ev));   // usually one request
//
// An empty list means "nothing to send for this event" (a commit status provider given an event
// without a revision). One file per family: generic.cpp, chat.cpp, incident.cpp, commit_status.cpp.
#pragma once

#include "../http_client.hpp"

#include <weir/eventsink/event.hpp>

#include <map>
#include <string>
#include <vector>

namespace weir::notification {

struct provider_config {
    std::string type;
    std::string address; // spec.address, or the Secret's `address`
    std::string channel;
    std::string username;                       // spec.username, or the Secret's `username`
    std::string token;                          // Secret `token`
    std::string password;                       // Secret `password`
    std::map<std::string, std::string> headers; // Secret `headers` (YAML map)
    std::string provider_uid;                   // for commit status ids
    std::string commit_status_id;               // overrides the default "<kind>/<name>/<uid block>"
};

result<std::vector<http_request>> build_requests(const provider_config& cfg, const eventsink::flux_event& ev);

namespace providers {

using requests = result<std::vector<http_request>>;
using eventsink::flux_event;

requests generic(const provider_config& cfg, const flux_event& ev);
requests generic_hmac(const provider_config& cfg, const flux_event& ev);
requests nats(const provider_config& cfg, const flux_event& ev);

requests slack(const provider_config& cfg, const flux_event& ev);
requests discord(const provider_config& cfg, const flux_event& ev);
requests rocket(const provider_config& cfg, const flux_event& ev);
requests msteams(const provider_config& cfg, const flux_event& ev);
requests googlechat(const provider_config& cfg, const flux_event& ev);
requests webex(const provider_config& cfg, const flux_event& ev);
requests telegram(const provider_config& cfg, const flux_event& ev);
requests matrix(const provider_config& cfg, const flux_event& ev);
requests lark(const provider_config& cfg, const flux_event& ev);

requests opsgenie(const provider_config& cfg, const flux_event& ev);
requests pagerduty(const provider_config& cfg, const flux_event& ev);
requests alertmanager(const provider_config& cfg, const flux_event& ev);
requests grafana(const provider_config& cfg, const flux_event& ev);
requests sentry(const provider_config& cfg, const flux_event& ev);
requests datadog(const provider_config& cfg, const flux_event& ev);

requests github(const provider_config& cfg, const flux_event& ev);
requests gitlab(const provider_config& cfg, const flux_event& ev);
requests gitea(const provider_config& cfg, const flux_event& ev);
requests bitbucket(const provider_config& cfg, const flux_event& ev);
requests bitbucketserver(const provider_config& cfg, const flux_event& ev);
requests azuredevops(const provider_config& cfg, const flux_event& ev);

// Shared pieces (common.cpp).
// "Kustomization/webapp.apps" (kind/name.namespace): Flux's title line for chat messages.
std::string object_title(const flux_event& ev);
// The metadata a chat message lists as fields, keys as sent ("<group>/revision", "summary").
std::vector<std::pair<std::string, std::string>> display_metadata(const flux_event& ev);
std::string hex_hmac_sha256(std::string_view key, std::string_view data);
std::string hex_sha1(std::string_view data);
std::string basic_auth(std::string_view user, std::string_view password);
status require(bool present, std::string_view type, std::string_view what);
void add_secret_headers(http_request& r, const provider_config& cfg);
// The commit a commit-status event is about (commit, originRevision or revision metadata; the
// sha after "@sha1:" or the last ':'), empty when the event carries none.
std::string event_commit_sha(const flux_event& ev);
http_request json_post(std::string url, const value& body);

} // namespace providers
} // namespace weir::notification
