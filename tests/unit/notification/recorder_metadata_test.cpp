// The event recorder hands the involved object's event.toolkit.fluxcd.io/ annotations to the
// forwarders as metadata (Flux's RFC-0008), next to the controller's own keys.
#include <weir/core/yaml.hpp>
#include <weir/runtime/events.hpp>

#include <catch2/catch.hpp>

using namespace weir;

namespace {

struct capture : runtime::event_forwarder {
    std::vector<runtime::event> seen;
    void forward(const runtime::event& ev) override { seen.push_back(ev); }
};

} // namespace

TEST_CASE("recorded events carry the object's event.toolkit.fluxcd.io annotations and the caller's metadata",
          "[notification][events]")
{
    runtime::event_recorder rec(nullptr,
                                {.component = "kustomize-controller", .write_kubernetes_events = false});
    auto fwd = std::make_shared<capture>();
    rec.add_forwarder(fwd);
    auto obj = parse_yaml(R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
  annotations:
    event.toolkit.fluxcd.io/deploymentID: e076e315
    event.toolkit.fluxcd.io/image: ghcr.io/app:6.5.0
    kustomize.toolkit.fluxcd.io/reconcile: disabled
    other.example.com/note: ignored
)");
    REQUIRE(obj);
    rec.event(*obj, runtime::event_type::normal, "ReconciliationSucceeded", "applied",
              {{"kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"}});
    REQUIRE(fwd->seen.size() == 1);
    CHECK(fwd->seen[0].metadata ==
          std::map<std::string, std::string>{{"event.toolkit.fluxcd.io/deploymentID", "e076e315"},
                                             {"event.toolkit.fluxcd.io/image", "ghcr.io/app:6.5.0"},
                                             {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"}});
    // An object without such annotations adds nothing.
    rec.warning(*parse_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: d}\n"), "Failed",
                "x");
    CHECK(fwd->seen.at(1).metadata.empty());
}
