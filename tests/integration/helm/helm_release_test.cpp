// The real helm-controller with the real source-controller, weir-apiserver and an HTTP chart
// repository: install, upgrade on a values change, rollback of a failed upgrade, drift correction,
// recovery of a pending record and uninstall, with the release records read back by a decoder of
// the test's own (base64 -d | base64 -d | gunzip, then JSON).
#include "release_support.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <thread>

using namespace weir;
using namespace weir::test::hr;
namespace fs = std::filesystem;

namespace {

test::chart_version hooked_chart()
{
    std::string job =
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-migrate\n  annotations:\n"
        "    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"-5\"\n"
        "    helm.sh/hook-delete-policy: hook-succeeded\n"
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: migrate, image: busybox}]\n";
    std::string first =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-first\n  annotations:\n"
        "    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"-10\"\ndata: {a: b}\n";
    return {"hooked",
            "0.1.0",
            {{"templates/job.yaml", job},
             {"templates/first.yaml", first},
             {"templates/main.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-main\ndata: {a: b}\n"},
             {"templates/test.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-test\n"
              "  annotations: {helm.sh/hook: test}\ndata: {a: b}\n"}}};
}

} // namespace

TEST_CASE("helm-controller installs a chart, upgrades when a valuesFrom ConfigMap changes, and uninstalls on "
          "delete",
          "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    setup_repository(c, repo);
    c.apply_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-values, namespace: default}\ndata:\n "
                 " values.yaml: \"replicas: 2\"\n");
    c.apply_yaml(release_yaml(
        "app", "  targetNamespace: apps\n  install: {createNamespace: true}\n"
               "  values: {greeting: hi}\n  valuesFrom:\n  - {kind: ConfigMap, name: app-values}\n"
               "  - {kind: Secret, name: not-there, optional: true}\n"));
    value ready =
        c.wait_for(helm_release, "default", "app", test::ready_is("True"), std::chrono::seconds(60));

    // Release name "<targetNamespace>-<name>", objects in the target namespace with Flux's labels.
    auto cm = c.client().get(config_map, "apps", "apps-app-config");
    REQUIRE(cm);
    CHECK(test::string_at(*cm, {"data", "greeting"}) == "hi");
    CHECK(test::string_at(*cm, {"data", "replicas"}) == "2");
    CHECK(test::string_at(*cm, {"metadata", "labels", "helm.toolkit.fluxcd.io/name"}) == "app");
    CHECK(test::string_at(*cm, {"metadata", "labels", "app.kubernetes.io/managed-by"}) == "Helm");
    CHECK(test::string_at(*cm, {"metadata", "annotations", "meta.helm.sh/release-name"}) == "apps-app");
    CHECK(test::string_at(*cm, {"metadata", "annotations", "meta.helm.sh/release-namespace"}) == "apps");
    CHECK(config_value(c, "apps", "apps-app-hook", "revision") == "1"); // the post-install hook ran
    CHECK(test::condition_reason(ready, "Released") == "InstallSucceeded");
    CHECK(test::condition_message(ready, "Ready") ==
          "Helm install succeeded for release apps/apps-app.v1 with chart app@1.0.0");
    CHECK(test::string_at(ready, {"status", "helmChart"}) == "default/default-app");
    CHECK(test::string_at(ready, {"status", "lastAttemptedRevision"}) == "1.0.0");
    CHECK(test::string_at(ready, {"status", "lastAttemptedConfigDigest"}).rfind("sha256:", 0) == 0);
    const value& snap = ready.find_path({"status", "history"})->as_array().at(0);
    CHECK(snap.get_string("status") == "deployed");
    CHECK(snap.get_string("chartName") == "app");
    CHECK(snap.get_string("chartVersion") == "1.0.0");
    REQUIRE(c.client().get(helm_chart, "default", "default-app"));

    // The release record, as the helm CLI stores it.
    auto record = c.client().get(secret, "default", "sh.helm.release.v1.apps-app.v1");
    REQUIRE(record);
    CHECK(test::string_at(*record, {"type"}) == "helm.sh/release.v1");
    CHECK(test::string_at(*record, {"metadata", "labels", "owner"}) == "helm");
    CHECK(test::string_at(*record, {"metadata", "labels", "name"}) == "apps-app");
    CHECK(test::string_at(*record, {"metadata", "labels", "status"}) == "deployed");
    CHECK(test::string_at(*record, {"metadata", "labels", "version"}) == "1");
    value rel = decode_release(c, *record);
    CHECK(rel.get_string("name") == "apps-app");
    CHECK(rel.get_string("namespace") == "apps");
    CHECK(rel.find("version")->as_int() == 1);
    CHECK(rel.find_path({"info", "status"})->as_string() == "deployed");
    CHECK(rel.find_path({"chart", "metadata", "name"})->as_string() == "app");
    CHECK(rel.find_path({"config", "greeting"})->as_string() == "hi");
    CHECK(rel.get_string("manifest").find("apps-app-config") != std::string::npos);

    // A change in the watched ConfigMap is an upgrade, with no reconcile request.
    c.apply_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-values, namespace: default}\ndata:\n "
                 " values.yaml: \"replicas: 3\"\n");
    value upgraded =
        c.wait_for(helm_release, "default", "app", history_version_is(2), std::chrono::seconds(60));
    CHECK(config_value(c, "apps", "apps-app-config", "replicas") == "3");
    CHECK(config_value(c, "apps", "apps-app-hook", "revision") == "2");
    CHECK(test::condition_reason(upgraded, "Released") == "UpgradeSucceeded");
    auto v1 = c.client().get(secret, "default", "sh.helm.release.v1.apps-app.v1");
    REQUIRE(v1);
    CHECK(test::string_at(*v1, {"metadata", "labels", "status"}) == "superseded");
    CHECK(decode_release(c, *v1).find_path({"info", "status"})->as_string() == "superseded");

    // Deleting the HelmRelease uninstalls: objects, records and the HelmChart go.
    REQUIRE(c.client().remove(helm_release, "default", "app"));
    for (int i = 0; i < 300 && c.client().get(helm_release, "default", "app"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(c.client().get(helm_release, "default", "app"));
    CHECK_FALSE(c.client().get(config_map, "apps", "apps-app-config"));
    CHECK_FALSE(c.client().get(secret, "default", "sh.helm.release.v1.apps-app.v2"));
    CHECK_FALSE(c.client().get(helm_chart, "default", "default-app"));
    fs::remove_all(scratch);
}

TEST_CASE("helm-controller rolls back a failed upgrade, then starts a fresh attempt when the values change",
          "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    setup_repository(c, repo);
    std::string remediation =
        "  maxHistory: 2\n  upgrade: {remediation: {retries: 0, remediateLastFailure: true}}\n";
    c.apply_yaml(release_yaml("web", "  values: {greeting: hello}\n" + remediation));
    c.wait_for(helm_release, "default", "web", history_version_is(1), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "web-config", "greeting") == "hello");

    // The upgrade renders an object of a kind the cluster does not know: it fails and is rolled back.
    c.apply_yaml(release_yaml("web", "  values: {greeting: bye, broken: true}\n" + remediation));
    value stalled = c.wait_for(
        helm_release, "default", "web",
        [](const value& o) { return test::condition_status(o, "Stalled") == "True"; },
        std::chrono::seconds(60));
    CHECK(test::condition_reason(stalled, "Stalled") == "RetriesExceeded");
    CHECK(test::condition_reason(stalled, "Released") == "UpgradeFailed");
    CHECK(test::condition_reason(stalled, "Remediated") == "RollbackSucceeded");
    CHECK(stalled.find_path({"status", "upgradeFailures"})->as_int() == 1);
    // History, newest first: the rollback (v3), the failed upgrade (v2), the first install (v1).
    const auto& history = stalled.find_path({"status", "history"})->as_array();
    REQUIRE(history.size() == 3);
    CHECK(history[0].find("version")->as_int() == 3);
    CHECK(history[0].get_string("status") == "deployed");
    CHECK(history[1].find("version")->as_int() == 2);
    CHECK(history[1].get_string("status") == "superseded");
    CHECK(history[2].get_string("status") == "superseded");
    CHECK(config_value(c, "default", "web-config", "greeting") == "hello");
    auto v2 = c.client().get(secret, "default", "sh.helm.release.v1.web.v2");
    auto v3 = c.client().get(secret, "default", "sh.helm.release.v1.web.v3");
    REQUIRE(v2);
    REQUIRE(v3);
    CHECK(decode_release(c, *v2).find_path({"info", "description"})->as_string().find("DoesNotExist") !=
          std::string::npos);
    value rolled = decode_release(c, *v3);
    CHECK(rolled.find_path({"info", "status"})->as_string() == "deployed");
    CHECK(rolled.find_path({"info", "description"})->as_string() == "Rollback to 1");

    // New values are a fresh attempt although the retries ran out.
    c.apply_yaml(release_yaml("web", "  values: {greeting: fixed}\n" + remediation));
    value fixed = c.wait_for(helm_release, "default", "web", history_version_is(4), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "web-config", "greeting") == "fixed");
    CHECK(test::condition_status(fixed, "Stalled").empty());
    CHECK_FALSE(fixed.find_path({"status", "upgradeFailures"}));
    // maxHistory: 2 keeps the two newest records.
    CHECK_FALSE(c.client().get(secret, "default", "sh.helm.release.v1.web.v2"));
    CHECK(c.client().get(secret, "default", "sh.helm.release.v1.web.v3"));
    CHECK(c.client().get(secret, "default", "sh.helm.release.v1.web.v4"));
    fs::remove_all(scratch);
}

TEST_CASE("helm-controller corrects drift and recovers a release record left pending by a crash",
          "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    setup_repository(c, repo);
    c.apply_yaml(release_yaml("drift", "  driftDetection: {mode: enabled}\n"));
    c.wait_for(helm_release, "default", "drift", history_version_is(1), std::chrono::seconds(60));

    REQUIRE(c.client().patch(config_map, "default", "drift-config", kube::patch_type::merge,
                             R"({"data":{"greeting":"tampered"}})"));
    REQUIRE(config_value(c, "default", "drift-config", "greeting") == "tampered");
    request_reconcile(c, "drift", "drift-1");
    c.wait_for(helm_release, "default", "drift", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "drift-1" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(config_value(c, "default", "drift-config", "greeting") == "hello");

    // Warn mode reports drift without touching it; ignored paths are not drift at all.
    c.apply_yaml(release_yaml("watch", "  driftDetection:\n    mode: warn\n    ignore: [{paths: "
                                       "[/data/greeting], target: {kind: ConfigMap}}]\n"));
    c.wait_for(helm_release, "default", "watch", history_version_is(1), std::chrono::seconds(60));
    REQUIRE(c.client().patch(config_map, "default", "watch-config", kube::patch_type::merge,
                             R"({"data":{"greeting":"ignored"}})"));
    request_reconcile(c, "watch", "watch-1");
    value quiet = c.wait_for(helm_release, "default", "watch", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "watch-1" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(test::condition_status(quiet, "Drifted") == "False");
    REQUIRE(c.client().patch(config_map, "default", "watch-config", kube::patch_type::merge,
                             R"({"data":{"replicas":"9"}})"));
    request_reconcile(c, "watch", "watch-2");
    value warned = c.wait_for(helm_release, "default", "watch", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "watch-2" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(test::condition_status(warned, "Drifted") == "True");
    CHECK(test::condition_message(warned, "Drifted").find("ConfigMap/default/watch-config changed") !=
          std::string::npos);
    CHECK(config_value(c, "default", "watch-config", "replicas") == "9");

    // A crash in the middle of an upgrade leaves the newest record pending-upgrade: write one.
    auto v1 = c.client().get(secret, "default", "sh.helm.release.v1.drift.v1");
    REQUIRE(v1);
    value pending = decode_release(c, *v1);
    pending["version"] = 2;
    pending["info"]["status"] = "pending-upgrade";
    fs::path json = c.dir() / "pending.json";
    std::ofstream(json) << to_json(pending);
    std::string encoded;
    REQUIRE(test::run_command(fmt::format("gzip -c {} | base64 -w0", json.string()), &encoded) == 0);
    value stuck = object{};
    stuck["apiVersion"] = "v1";
    stuck["kind"] = "Secret";
    stuck["type"] = "helm.sh/release.v1";
    stuck["metadata"]["name"] = "sh.helm.release.v1.drift.v2";
    stuck["metadata"]["namespace"] = "default";
    stuck["metadata"]["labels"] =
        object{{"name", "drift"}, {"owner", "helm"}, {"status", "pending-upgrade"}, {"version", "2"}};
    stuck["data"]["release"] = base64_encode(encoded);
    REQUIRE(c.client().create(stuck));

    // The next reconcile marks it failed and upgrades past it.
    c.apply_yaml(release_yaml("drift", "  driftDetection: {mode: enabled}\n  values: {greeting: again}\n"));
    c.wait_for(helm_release, "default", "drift", history_version_is(3), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "drift-config", "greeting") == "again");
    auto v2 = c.client().get(secret, "default", "sh.helm.release.v1.drift.v2");
    REQUIRE(v2);
    value recovered = decode_release(c, *v2);
    CHECK(recovered.find_path({"info", "description"})->as_string().find("pending-upgrade") !=
          std::string::npos);
    CHECK(recovered.find_path({"info", "status"})->as_string() != "pending-upgrade");
    fs::remove_all(scratch);
}

TEST_CASE(
    "helm-controller runs hooks by weight, waits for a hook Job to complete, then applies its delete policy",
    "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    repo.add(hooked_chart());
    setup_repository(c, repo);
    c.apply_yaml(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: db, namespace: default}\n"
        "spec:\n  interval: 10m\n  test: {enable: true}\n  chart:\n    spec: {chart: hooked, sourceRef: "
        "{kind: HelmRepository, name: charts}}\n");
    const kube::gvk job{"batch", "v1", "Job"};
    for (int i = 0; i < 600 && !c.client().get(job, "default", "db-migrate"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(c.client().get(job, "default", "db-migrate"));
    // The lighter hook ran first; the chart's objects wait for the pre-install hooks.
    CHECK(c.client().get(config_map, "default", "db-first"));
    CHECK_FALSE(c.client().get(config_map, "default", "db-main"));
    value waiting = *c.client().get(helm_release, "default", "db");
    CHECK(test::condition_status(waiting, "Ready") == "Unknown");

    // No kubelet here: the test completes the Job as the cluster would.
    REQUIRE(c.client().patch(job, "default", "db-migrate", kube::patch_type::merge,
                             R"({"status":{"conditions":[{"type":"Complete","status":"True"}]}})",
                             {.subresource = "status"}));
    value done = c.wait_for(helm_release, "default", "db", test::ready_is("True"), std::chrono::seconds(60));
    CHECK(test::condition_reason(done, "TestSuccess") == "TestSucceeded");
    CHECK(c.client().get(config_map, "default", "db-test")); // the test hook ran after the install
    CHECK(c.client().get(config_map, "default", "db-main"));
    CHECK_FALSE(c.client().get(job, "default", "db-migrate")); // hook-succeeded
    value rel = decode_release(c, *c.client().get(secret, "default", "sh.helm.release.v1.db.v1"));
    REQUIRE(rel.find("hooks"));
    bool job_recorded = false;
    for (const auto& h : rel.find("hooks")->as_array())
        if (h.get_string("kind") == "Job") {
            job_recorded = true;
            CHECK(h.find_path({"last_run", "phase"})->as_string() == "Succeeded");
        }
    CHECK(job_recorded);
    fs::remove_all(scratch);
}

TEST_CASE("helm-controller waits for dependsOn, reads a chartRef HelmChart and applies postRenderers patches",
          "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    setup_repository(c, repo);
    c.apply_yaml("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: shared, "
                 "namespace: default}\n"
                 "spec: {chart: app, interval: 10m, sourceRef: {kind: HelmRepository, name: charts}}\n");
    c.apply_yaml(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: front, namespace: "
        "default}\n"
        "spec:\n  interval: 10m\n  chartRef: {kind: HelmChart, name: shared}\n  dependsOn: [{name: base}]\n"
        "  postRenderers:\n  - kustomize:\n      patches:\n      - target: {kind: ConfigMap, name: "
        "front-config}\n"
        "        patch: |\n          - op: add\n            path: /data/extra\n            value: patched\n");
    value blocked = c.wait_for(helm_release, "default", "front", test::ready_is("False"));
    CHECK(test::condition_reason(blocked, "Ready") == "DependencyNotReady");
    CHECK_FALSE(c.client().get(config_map, "default", "front-config"));

    c.apply_yaml(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: base, namespace: "
        "default}\n"
        "spec: {interval: 10m, chartRef: {kind: HelmChart, name: shared}, values: {greeting: base}}\n");
    c.wait_for(helm_release, "default", "base", test::ready_is("True"), std::chrono::seconds(60));
    // The dependency becoming Ready wakes the dependent (well before --requeue-dependency's 30s).
    value front =
        c.wait_for(helm_release, "default", "front", test::ready_is("True"), std::chrono::seconds(20));
    CHECK(config_value(c, "default", "front-config", "extra") == "patched");
    CHECK(config_value(c, "default", "front-config", "greeting") == "hello");
    CHECK(config_value(c, "default", "base-config", "greeting") == "base");
    CHECK(test::string_at(front, {"status", "observedPostRenderersDigest"}).rfind("sha256:", 0) == 0);
    fs::remove_all(scratch);
}

TEST_CASE("helm-controller uninstalls a failed install between retries and stalls when they run out",
          "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    test::chart_repo repo(c.dir() / "charts");
    setup_repository(c, repo);
    std::string install = "  install: {remediation: {retries: 1}}\n";
    c.apply_yaml(release_yaml("bad", "  values: {broken: true}\n" + install));
    value stalled = c.wait_for(
        helm_release, "default", "bad",
        [](const value& o) { return test::condition_status(o, "Stalled") == "True"; },
        std::chrono::seconds(60));
    CHECK(test::condition_reason(stalled, "Stalled") == "RetriesExceeded");
    CHECK(test::condition_reason(stalled, "Released") == "InstallFailed");
    CHECK(test::condition_reason(stalled, "Remediated") == "UninstallSucceeded");
    CHECK(stalled.find_path({"status", "installFailures"})->as_int() == 2);
    auto failed = c.client().get(secret, "default", "sh.helm.release.v1.bad.v1");
    REQUIRE(failed); // the last failure is kept for inspection (remediateLastFailure is false for installs)
    CHECK(test::string_at(*failed, {"metadata", "labels", "status"}) == "failed");

    c.apply_yaml(release_yaml("bad", "  values: {broken: false}\n" + install));
    c.wait_for(helm_release, "default", "bad", history_version_is(1), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "bad-config", "greeting") == "hello");

    // Records deleted by hand: deleting the HelmRelease still removes what its inventory names.
    REQUIRE(c.client().remove(secret, "default", "sh.helm.release.v1.bad.v1"));
    REQUIRE(c.client().remove(helm_release, "default", "bad"));
    for (int i = 0; i < 300 && c.client().get(helm_release, "default", "bad"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(c.client().get(config_map, "default", "bad-config"));
    fs::remove_all(scratch);
}

TEST_CASE("helm-controller installs a chart packaged from a GitRepository", "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster c(with_helm(scratch));
    auto git = c.make_repo(
        "fleet", {{"charts/site/Chart.yaml", "apiVersion: v2\nname: site\nversion: 2.0.0\n"},
                  {"charts/site/values.yaml", "title: from git\n"},
                  {"charts/site/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                                    "  name: {{ .Release.Name }}-site\ndata:\n"
                                                    "  title: {{ .Values.title | quote }}\n"
                                                    "  subtitle: {{ .Values.extra.subtitle | quote }}\n"}});
    c.apply_yaml(fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: "
                             "{{name: fleet, namespace: default}}\n"
                             "spec: {{url: \"file://{}\", interval: 10m, ref: {{branch: main}}}}\n",
                             git.string()));
    c.apply_yaml(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: site, namespace: "
        "default}\n"
        "spec:\n  interval: 10m\n  chart:\n    spec: {chart: ./charts/site, reconcileStrategy: Revision, "
        "sourceRef: {kind: GitRepository, name: fleet}}\n"
        "  valuesFrom: [{kind: Secret, name: site-values, valuesKey: subtitle, targetPath: "
        "extra.subtitle}]\n");
    c.apply_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: site-values, namespace: default}\n"
                 "data: {subtitle: " +
                 base64_encode("from a secret") + "}\n");
    value ready =
        c.wait_for(helm_release, "default", "site", test::ready_is("True"), std::chrono::seconds(60));
    std::string head = c.head(git);
    CHECK(test::string_at(ready, {"status", "lastAttemptedRevision"}) == "2.0.0+" + head.substr(0, 12));
    CHECK(config_value(c, "default", "site-site", "title") == "from git");
    CHECK(config_value(c, "default", "site-site", "subtitle") == "from a secret");

    // A new commit is a new chart revision under the Revision strategy, hence an upgrade.
    c.commit(git, {{"charts/site/values.yaml", "title: second commit\n"}});
    REQUIRE(c.client().patch(test::git_repository_kind, "default", "fleet", kube::patch_type::merge,
                             R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"now-1"}}})"));
    c.wait_for(helm_release, "default", "site", history_version_is(2), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "site-site", "title") == "second commit");
    fs::remove_all(scratch);
}

TEST_CASE(
    "a Kustomization applying a HelmRepository and a HelmRelease from Git ends with the chart installed",
    "[integration][helm]")
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    test::local_cluster_options opts = with_helm(scratch);
    opts.kustomize_controller = WEIR_KUSTOMIZE_CONTROLLER_BIN;
    test::local_cluster c(opts);
    test::chart_repo repo(c.dir() / "charts");
    repo.add(app_chart("1.0.0"));
    auto fleet = c.make_repo(
        "fleet",
        {{"apps/repository.yaml",
          fmt::format(
              "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n"
              "metadata: {{name: charts, namespace: default}}\nspec: {{url: \"{}\", interval: 10m}}\n",
              repo.url())},
         {"apps/release.yaml", release_yaml("gitops", "  values: {greeting: from-git}\n")}});
    c.apply_yaml(fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: "
                             "{{name: fleet, namespace: default}}\n"
                             "spec: {{url: \"file://{}\", interval: 10m, ref: {{branch: main}}}}\n---\n"
                             "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: "
                             "{{name: apps, namespace: default}}\n"
                             "spec: {{interval: 10m, path: ./apps, prune: true, sourceRef: {{kind: "
                             "GitRepository, name: fleet}}}}\n",
                             fleet.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", test::ready_is("True"), std::chrono::seconds(60));
    c.wait_for(helm_release, "default", "gitops", test::ready_is("True"), std::chrono::seconds(60));
    CHECK(config_value(c, "default", "gitops-config", "greeting") == "from-git");
    fs::remove_all(scratch);
}
