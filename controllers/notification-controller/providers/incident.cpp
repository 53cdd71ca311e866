// Incident and observability services: Opsgenie, PagerDuty (Events API v2), Prometheus
// Alertmanager, Grafana annotations, Sentry and Datadog events.
#include "provider.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <random>

namespace weir::notification::providers {
namespace {

bool is_error(const flux_event& ev)
{
    return ev.severity == "error";
}

std::string trimmed(std::string base)
{
    while (base.ends_with("/"))
        base.pop_back();
    return base;
}

void add_auth(http_request& r, const provider_config& cfg)
{
    if (!cfg.token.empty())
        r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
    else if (!cfg.username.empty())
        r.headers.emplace_back("Authorization", basic_auth(cfg.username, cfg.password));
}

std::string random_hex(std::size_t bytes)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i)
        out += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
    return out;
}

std::string dedup_key(const flux_event& ev)
{
    const auto& io = ev.involved_object;
    return fmt::format("{}/{}/{}", io.kind, io.namespace_, io.name);
}

} // namespace

requests opsgenie(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.token.empty(), "opsgenie", "an API key as token in its secretRef"));
    std::string url = cfg.address.empty() ? "https://api.opsgenie.com/v2/alerts" : cfg.address;
    weir::object details{{"severity", ev.severity}, {"reason", ev.reason}};
    for (const auto& [k, v] : display_metadata(ev))
        details.set(k, v);
    const auto& io = ev.involved_object;
    http_request r = json_post(url, weir::object{{"message", fmt::format("{}/{}", io.kind, io.name)},
                                                 {"description", ev.message},
                                                 {"alias", dedup_key(ev)},
                                                 {"details", std::move(details)}});
    r.headers.emplace_back("Authorization", "GenieKey " + cfg.token);
    return std::vector{std::move(r)};
}

requests pagerduty(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.channel.empty(), "pagerduty", "a channel (the integration routing key)"));
    std::string base = trimmed(cfg.address.empty() ? "https://events.pagerduty.com" : cfg.address);
    const auto& io = ev.involved_object;
    weir::object custom;
    for (const auto& [k, v] : display_metadata(ev))
        custom.set(k, v);
    std::vector<http_request> out;
    if (!is_error(ev)) {
        // A success is a change worth seeing on the service's timeline, and it resolves any open
        // incident for the object.
        out.push_back(
            json_post(base + "/v2/change/enqueue",
                      weir::object{{"routing_key", cfg.channel},
                                   {"payload", weir::object{{"summary", object_title(ev) + ": " + ev.message},
                                                            {"source", ev.reporting_controller},
                                                            {"timestamp", ev.timestamp},
                                                            {"custom_details", custom}}}}));
        out.push_back(json_post(base + "/v2/enqueue", weir::object{{"routing_key", cfg.channel},
                                                                   {"event_action", "resolve"},
                                                                   {"dedup_key", dedup_key(ev)}}));
        return out;
    }
    value payload = weir::object{{"summary", object_title(ev) + ": " + ev.message},
                                 {"source", ev.reporting_controller},
                                 {"severity", "error"},
                                 {"timestamp", ev.timestamp},
                                 {"component", io.name},
                                 {"group", io.namespace_},
                                 {"class", io.kind},
                                 {"custom_details", std::move(custom)}};
    out.push_back(json_post(base + "/v2/enqueue", weir::object{{"routing_key", cfg.channel},
                                                               {"event_action", "trigger"},
                                                               {"dedup_key", dedup_key(ev)},
                                                               {"payload", std::move(payload)}}));
    return out;
}

requests alertmanager(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "alertmanager", "an address (the /api/v2/alerts URL)"));
    const auto& io = ev.involved_object;
    weir::object labels{{"alertname", "Flux" + io.kind + ev.reason},
                        {"severity", ev.severity},
                        {"reason", ev.reason},
                        {"kind", io.kind},
                        {"name", io.name},
                        {"namespace", io.namespace_},
                        {"reportingcontroller", ev.reporting_controller}};
    weir::object annotations{{"message", ev.message}};
    for (const auto& [k, v] : display_metadata(ev)) {
        if (k == "summary")
            annotations.set("summary", v);
        else
            labels.set(k, v);
    }
    value alert = weir::object{{"labels", std::move(labels)},
                               {"annotations", std::move(annotations)},
                               {"status", "firing"},
                               {"startsAt", ev.timestamp}};
    http_request r = json_post(cfg.address, weir::array{std::move(alert)});
    add_auth(r, cfg);
    return std::vector{std::move(r)};
}

requests grafana(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "grafana", "an address (the /api/annotations URL)"));
    const auto& io = ev.involved_object;
    weir::array tags{"flux",
                     ev.reporting_controller,
                     ev.reason,
                     "kind:" + io.kind,
                     "name:" + io.name,
                     "namespace:" + io.namespace_};
    for (const auto& [k, v] : display_metadata(ev))
        tags.push_back(k + ": " + v);
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    http_request r = json_post(cfg.address, weir::object{{"time", static_cast<long long>(now_ms.count())},
                                                         {"text", object_title(ev) + ": " + ev.message},
                                                         {"tags", std::move(tags)}});
    add_auth(r, cfg);
    return std::vector{std::move(r)};
}

requests sentry(const provider_config& cfg, const flux_event& ev)
{
    // DSN: <scheme>://<public key>@<host>[/<path>]/<project id>
    WEIR_TRY(require(!cfg.address.empty(), "sentry", "an address (the DSN)"));
    WEIR_TRY_ASSIGN(auto dsn, parse_url(cfg.address));
    std::string_view full = cfg.address;
    auto at = full.find('@');
    auto scheme_end = full.find("://");
    if (at == std::string_view::npos)
        return terminal_error("sentry DSN has no public key before '@'", "InvalidProvider");
    std::string key(full.substr(scheme_end + 3, at - scheme_end - 3));
    if (auto colon = key.find(':'); colon != std::string::npos) key.resize(colon);
    auto slash = dsn.target.rfind('/');
    std::string project = dsn.target.substr(slash + 1), prefix = dsn.target.substr(0, slash);
    if (project.empty()) return terminal_error("sentry DSN has no project id", "InvalidProvider");
    // Sentry issues are for errors; successes would only add noise to the issue stream.
    if (!is_error(ev)) return std::vector<http_request>{};
    const auto& io = ev.involved_object;
    weir::object extra;
    for (const auto& [k, v] : display_metadata(ev))
        extra.set(k, v);
    value event = weir::object{{"event_id", random_hex(16)},
                               {"timestamp", ev.timestamp},
                               {"level", "error"},
                               {"platform", "other"},
                               {"logger", ev.reporting_controller},
                               {"message", weir::object{{"formatted", ev.message}}},
                               {"tags", weir::object{{"kind", io.kind},
                                                     {"name", io.name},
                                                     {"namespace", io.namespace_},
                                                     {"reason", ev.reason}}},
                               {"extra", std::move(extra)}};
    if (!cfg.channel.empty()) event["environment"] = cfg.channel;
    bool default_port =
        (dsn.scheme == "https" && dsn.port == "443") || (dsn.scheme == "http" && dsn.port == "80");
    std::string host = default_port ? dsn.host : dsn.host + ":" + dsn.port;
    std::string url = fmt::format("{}://{}{}/api/{}/store/", dsn.scheme, host, prefix, project);
    http_request r = json_post(url, event);
    r.headers.emplace_back(
        "X-Sentry-Auth",
        fmt::format("Sentry sentry_version=7, sentry_client=weir-notification/0.1, sentry_key={}", key));
    return std::vector{std::move(r)};
}

requests datadog(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.token.empty(), "datadog", "an API key as token in its secretRef"));
    std::string base = trimmed(cfg.address.empty() ? "https://api.datadoghq.com" : cfg.address);
    const auto& io = ev.involved_object;
    weir::array tags{"flux",
                     "kind:" + io.kind,
                     "name:" + io.name,
                     "namespace:" + io.namespace_,
                     "reason:" + ev.reason,
                     "reportingcontroller:" + ev.reporting_controller};
    for (const auto& [k, v] : display_metadata(ev))
        tags.push_back(k + ":" + v);
    http_request r =
        json_post(base + "/api/v1/events", weir::object{{"title", object_title(ev)},
                                                        {"text", ev.message},
                                                        {"tags", std::move(tags)},
                                                        {"alert_type", is_error(ev) ? "error" : "info"},
                                                        {"source_type_name", "fluxcd"}});
    r.headers.emplace_back("DD-API-KEY", cfg.token);
    return std::vector{std::move(r)};
}

} // namespace weir::notification::providers
