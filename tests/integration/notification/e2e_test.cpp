// End to end with every binary real: a signed GitHub-style push webhook makes the GitRepository
// fetch the new commit and the Kustomization apply it; a failing Kustomization's error event
// travels kustomize-controller -> gRPC -> notification-controller -> a generic webhook.
#include "providers/provider.hpp"
#include "recorder.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/json.hpp>
#include <weir/process/child.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

using namespace weir;
using namespace std::chrono_literals;

namespace {

const kube::gvk config_map{"", "v1", "ConfigMap"};
const kube::gvk receiver_kind{"notification.toolkit.fluxcd.io", "v1", "Receiver"};
const kube::gvk alert_kind{"notification.toolkit.fluxcd.io", "v1beta3", "Alert"};

struct ports {
    unsigned short events = process::free_tcp_port();
    unsigned short hooks = process::free_tcp_port();
};

test::local_cluster_options options(const ports& p)
{
    test::local_cluster_options o{.apiserver = WEIR_APISERVER_BIN,
                                  .source_controller = WEIR_SOURCE_CONTROLLER_BIN};
    std::string events = fmt::format("127.0.0.1:{}", p.events);
    // The kustomize-controller runs as an extra controller so it gets --events-addr.
    o.controllers = {{"kustomize-controller",
                      WEIR_KUSTOMIZE_CONTROLLER_BIN,
                      {"--scratch-dir", std::filesystem::temp_directory_path().string(), "--events-addr",
                       "http://" + events + "/"}},
                     {"notification-controller",
                      WEIR_NOTIFICATION_CONTROLLER_BIN,
                      {"--events-addr", events, "--receiver-addr", fmt::format("127.0.0.1:{}", p.hooks)}}};
    return o;
}

std::string cm(const std::string& data)
{
    return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: default}}\ndata: "
                       "{{value: \"{}\"}}\n",
                       data);
}

std::string cm_value(test::local_cluster& c)
{
    auto obj = c.client().get(config_map, "default", "app");
    return obj ? test::string_at(*obj, {"data", "value"}) : std::string();
}

} // namespace

TEST_CASE("e2e: a signed GitHub push webhook gets the new commit applied", "[notification][e2e]")
{
    ports p;
    test::local_cluster c(options(p));
    auto repo = c.make_repo("fleet", {{"deploy/cm.yaml", cm("v0")}});
    c.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: 'file://{}', interval: 1h, ref: {{branch: main}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: default}}
spec: {{interval: 1h, path: ./deploy, prune: true, sourceRef: {{kind: GitRepository, name: fleet}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: webhook-token, namespace: default}}
data: {{token: czNjcjN0}} # s3cr3t
---
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata: {{name: github, namespace: default}}
spec:
  type: github
  events: [ping, push]
  secretRef: {{name: webhook-token}}
  resources: [{{kind: GitRepository, name: fleet}}]
)",
                             repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", test::ready_is("True"));
    REQUIRE(cm_value(c) == "v0");
    value rcv = c.wait_for(receiver_kind, "default", "github", test::ready_is("True"));
    std::string path = test::string_at(rcv, {"status", "webhookPath"});
    REQUIRE(path.starts_with("/hook/"));
    CHECK(test::condition_message(rcv, "Ready") == "Receiver initialized for path: " + path);
    std::string url = fmt::format("http://127.0.0.1:{}{}", p.hooks, path);

    std::vector<double> latencies_ms;
    for (int round = 1; round <= 3; ++round) {
        std::string want = "v" + std::to_string(round);
        std::string sha = c.commit(repo, {{"deploy/cm.yaml", cm(want)}}, "release " + want);
        std::string body = fmt::format(
            R"({{"ref":"refs/heads/main","after":"{}","repository":{{"full_name":"org/fleet"}}}})", sha);
        auto start = std::chrono::steady_clock::now();
        auto resp = notification::send_request(
            {.method = "POST",
             .url = url,
             .headers = {{"Content-Type", "application/json"},
                         {"X-GitHub-Event", "push"},
                         {"X-Hub-Signature-256",
                          "sha256=" + notification::providers::hex_hmac_sha256("s3cr3t", body)}},
             .body = body},
            {});
        REQUIRE(resp);
        REQUIRE(resp->status == 200);
        // Poll tightly: this is the figure docs/notification.md reports (not asserted).
        auto deadline = start + 30s;
        while (cm_value(c) != want && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(5ms);
        REQUIRE(cm_value(c) == want);
        latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::cout << fmt::format("webhook -> applied ConfigMap: min {:.0f} ms, median {:.0f} ms, max {:.0f} ms\n",
                             latencies_ms.front(), latencies_ms[1], latencies_ms.back());
}

TEST_CASE("e2e: a failing Kustomization produces an alert with its event annotations delivered to a generic webhook",
          "[notification][e2e]")
{
    ports p;
    test::recorder hook;
    test::local_cluster c(options(p));
    auto repo = c.make_repo("fleet", {{"deploy/cm.yaml", cm("v0")}});
    c.apply_yaml(fmt::format(R"(apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata: {{name: webhook, namespace: default}}
spec: {{type: generic, address: '{}/flux'}}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata: {{name: on-call, namespace: default}}
spec:
  providerRef: {{name: webhook}}
  eventSeverity: error
  eventSources: [{{kind: Kustomization, name: '*'}}]
  eventMetadata: {{cluster: e2e}}
)",
                             hook.origin()));
    c.wait_for(alert_kind, "default", "on-call", test::ready_is("True"));
    c.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: 'file://{}', interval: 1h, ref: {{branch: main}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: broken
  namespace: default
  annotations: {{event.toolkit.fluxcd.io/deploymentID: e076e315, event.toolkit.fluxcd.io/cluster: tenant-says}}
spec: {{interval: 1h, path: ./does-not-exist, prune: true, sourceRef: {{kind: GitRepository, name: fleet}}}}
)",
                             repo.string()));
    c.wait_for(test::kustomization_kind, "default", "broken", test::ready_is("False"));
    auto got = hook.wait_for(1, 30s);
    INFO(c.controller_logs());
    REQUIRE_FALSE(got.empty());
    const auto& req = got.front();
    CHECK(req.target == "/flux");
    CHECK(req.header("gotk-component") == "kustomize-controller");
    auto ev = parse_json(req.body);
    REQUIRE(ev);
    CHECK(ev->find_path({"involvedObject", "kind"})->as_string() == "Kustomization");
    CHECK(ev->find_path({"involvedObject", "name"})->as_string() == "broken");
    CHECK(ev->get_string("severity") == "error");
    CHECK(ev->find_path({"metadata", "cluster"})->as_string() == "e2e"); // the Alert's eventMetadata wins
    // The object's event.toolkit.fluxcd.io/ annotations, carried by the controller's recorder over
    // the gRPC stream, arrive without their prefix.
    const value* deployment = ev->find_path({"metadata", "deploymentID"});
    REQUIRE(deployment);
    CHECK(deployment->as_string() == "e076e315");
    CHECK(ev->find_path({"metadata", "event.toolkit.fluxcd.io/deploymentID"}) == nullptr);
}
