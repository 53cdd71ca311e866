// Which alerts take an event: sources, labels, severity, inclusion and exclusion; metadata merge.
#include "alert_match.hpp"

#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::notification;

namespace {

api::notification::alert_spec alert(const std::string& spec_yaml)
{
    auto v = parse_yaml("spec:\n" + spec_yaml);
    REQUIRE(v);
    auto a = api::notification::alert_spec::from(*v);
    REQUIRE(a);
    return *a;
}

eventsink::flux_event event(std::string kind, std::string ns, std::string name, std::string severity,
                            std::string message)
{
    eventsink::flux_event ev;
    ev.involved_object = {
        std::move(kind), std::move(ns), std::move(name), "", "kustomize.toolkit.fluxcd.io/v1", ""};
    ev.severity = std::move(severity);
    ev.message = std::move(message);
    ev.metadata["kustomize.toolkit.fluxcd.io/revision"] = "main@sha1:abc";
    return ev;
}

bool takes(const api::notification::alert_spec& a, const eventsink::flux_event& ev, labels_lookup labels = {})
{
    auto r = event_for_alert(a, "flux-system", ev, labels);
    REQUIRE(r);
    return r->has_value();
}

} // namespace

TEST_CASE("alert sources match kind, name or *, and namespace defaulting to the alert's",
          "[notification][alert]")
{
    auto a = alert("  providerRef: {name: p}\n  eventSources:\n  - {kind: Kustomization, name: apps}\n"
                   "  - {kind: GitRepository, name: '*', namespace: other}\n");
    CHECK(takes(a, event("Kustomization", "flux-system", "apps", "info", "ok")));
    CHECK_FALSE(takes(a, event("Kustomization", "flux-system", "infra", "info", "ok")));
    CHECK_FALSE(takes(a, event("Kustomization", "other", "apps", "info", "ok")));
    CHECK(takes(a, event("GitRepository", "other", "anything", "info", "ok")));
    CHECK_FALSE(takes(a, event("HelmRelease", "other", "anything", "info", "ok")));
}

TEST_CASE("alert matchLabels with * checks the object's labels", "[notification][alert]")
{
    auto a = alert("  providerRef: {name: p}\n  eventSources:\n  - {kind: Kustomization, name: '*', "
                   "matchLabels: {team: web}}\n");
    auto ev = event("Kustomization", "flux-system", "apps", "info", "ok");
    CHECK(takes(a, ev, [](const eventsink::flux_event&) {
        return value(weir::object{{"team", "web"}, {"x", "y"}});
    }));
    CHECK_FALSE(takes(a, ev, [](const eventsink::flux_event&) {
        return value(weir::object{{"team", "db"}});
    }));
    CHECK_FALSE(takes(a, ev, [](const eventsink::flux_event&) { return value(); }));
}

TEST_CASE("alert severity error drops info events and info takes both", "[notification][alert]")
{
    auto errors = alert("  providerRef: {name: p}\n  eventSeverity: error\n  eventSources: [{kind: "
                        "Kustomization, name: '*'}]\n");
    auto all = alert("  providerRef: {name: p}\n  eventSources: [{kind: Kustomization, name: '*'}]\n");
    CHECK_FALSE(takes(errors, event("Kustomization", "flux-system", "a", "info", "ok")));
    CHECK(takes(errors, event("Kustomization", "flux-system", "a", "error", "bad")));
    CHECK(takes(all, event("Kustomization", "flux-system", "a", "info", "ok")));
    CHECK(takes(all, event("Kustomization", "flux-system", "a", "error", "bad")));
}

TEST_CASE("alert inclusion needs a match, exclusion wins over inclusion (RE2, partial match)",
          "[notification][alert]")
{
    auto a = alert("  providerRef: {name: p}\n  eventSources: [{kind: Kustomization, name: '*'}]\n"
                   "  inclusionList: ['^Health', 'apply failed']\n  exclusionList: ['timeout$']\n");
    CHECK(takes(a, event("Kustomization", "flux-system", "a", "error", "Health check failed")));
    CHECK(takes(a, event("Kustomization", "flux-system", "a", "error", "dry-run apply failed: x")));
    CHECK_FALSE(takes(a, event("Kustomization", "flux-system", "a", "error", "Health check timeout")));
    CHECK_FALSE(takes(a, event("Kustomization", "flux-system", "a", "error", "something else")));
    auto bad = alert("  providerRef: {name: p}\n  eventSources: [{kind: Kustomization, name: '*'}]\n  "
                     "inclusionList: ['(']\n");
    CHECK_FALSE(
        event_for_alert(bad, "flux-system", event("Kustomization", "flux-system", "a", "error", "x"), {}));
}

TEST_CASE("alert eventMetadata and summary are added without overriding the controller's keys",
          "[notification][alert]")
{
    auto a = alert(
        "  providerRef: {name: p}\n  eventSources: [{kind: Kustomization, name: '*'}]\n  summary: prod\n"
        "  eventMetadata: {env: production, kustomize.toolkit.fluxcd.io/revision: spoofed}\n");
    auto r = event_for_alert(a, "flux-system", event("Kustomization", "flux-system", "a", "info", "ok"), {});
    REQUIRE(r);
    REQUIRE(r->has_value());
    const auto& md = (*r)->metadata;
    CHECK(md.at("env") == "production");
    CHECK(md.at("summary") == "prod");
    CHECK(md.at("kustomize.toolkit.fluxcd.io/revision") == "main@sha1:abc");
}

TEST_CASE(
    "alert metadata: object annotations lose to eventMetadata, which loses to summary; prefixes are stripped",
    "[notification][alert]")
{
    auto a = alert("  providerRef: {name: p}\n  eventSources: [{kind: Kustomization, name: '*'}]\n  summary: "
                   "from-summary\n"
                   "  eventMetadata: {env: production, summary: from-metadata}\n");
    auto ev = event("Kustomization", "flux-system", "a", "info", "ok");
    ev.metadata["event.toolkit.fluxcd.io/deploymentID"] = "e076e315";
    ev.metadata["event.toolkit.fluxcd.io/env"] = "tenant-says-dev";
    auto r = event_for_alert(a, "flux-system", ev, {});
    REQUIRE(r);
    REQUIRE(r->has_value());
    CHECK((*r)->metadata ==
          std::map<std::string, std::string>{{"deploymentID", "e076e315"},
                                             {"env", "production"},
                                             {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"},
                                             {"summary", "from-summary"}});
}
