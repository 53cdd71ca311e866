// HelmRelease options beyond the basic lifecycle, in the real helm-controller: a remote cluster
// (spec.kubeConfig), spec.commonMetadata, install.replace, upgrade.preserveValues and cleanupOnFail,
// uninstall.keepHistory, the forceAt/resetAt requests, and the --no-cross-namespace-refs and
// --default-service-account flags.
#include "release_support.hpp"

#include <sstream>

using namespace weir;
using namespace weir::test::hr;

namespace {

// "opts": app's ConfigMap plus an `extra` ConfigMap and a `slow` Job (no kubelet runs it, so a
// wait for it ends in the action's timeout).
test::chart_version opts_chart()
{
    auto c = app_chart("1.0.0");
    c.name = "opts";
    c.files["values.yaml"] = "greeting: hello\nreplicas: 1\nbroken: false\nextra: false\nslow: false\n";
    c.files.erase("templates/hook.yaml");
    c.files["templates/extra.yaml"] = "{{- if .Values.extra }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                      "  name: {{ .Release.Name }}-extra\ndata: {a: b}\n{{- end }}\n";
    c.files["templates/slow.yaml"] = "{{- if .Values.slow }}\napiVersion: batch/v1\nkind: Job\nmetadata:\n  "
                                     "name: {{ .Release.Name }}-slow\n"
                                     "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
                                     "      containers: [{name: slow, image: busybox}]\n{{- end }}\n";
    return c;
}

// The charts are all in the index before the HelmRepository first reads it (interval 10m).
struct cluster {
    scratch_dir scratch;
    test::local_cluster c;
    test::chart_repo repo;
    explicit cluster(test::local_cluster_options o, const std::vector<test::chart_version>& extra = {})
        : c(std::move(o)), repo(c.dir() / "charts")
    {
        repo.add(opts_chart());
        for (const auto& chart : extra)
            repo.add(chart);
        setup_repository(c, repo);
    }
    explicit cluster(const std::vector<test::chart_version>& extra = {})
        : cluster(with_helm(scratch_dir::default_path()), extra)
    {
    }
};

value secret_with_kubeconfig(const std::string& name, const std::string& kubeconfig)
{
    return object{{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", object{{"name", name}, {"namespace", "default"}}},
                  {"stringData", object{{"value", kubeconfig}}}};
}

std::string release_status_label(kube::client& client, const std::string& name)
{
    auto got = client.get(secret, "default", name);
    return got ? test::string_at(*got, {"metadata", "labels", "status"}) : "<none>";
}

} // namespace

TEST_CASE("helm-controller installs into the cluster of spec.kubeConfig, release records included, and "
          "uninstalls there",
          "[integration][helm]")
{
    cluster t;
    test::apiserver_process remote(WEIR_APISERVER_BIN);
    REQUIRE(remote.start());
    std::ifstream in(remote.kubeconfig_path());
    std::stringstream kubeconfig;
    kubeconfig << in.rdbuf();
    REQUIRE(t.c.client().apply(secret_with_kubeconfig("remote", kubeconfig.str()), {.field_manager = "e2e"}));
    t.c.apply_yaml(
        release_yaml("far", "  kubeConfig: {secretRef: {name: remote}}\n  values: {greeting: far}\n"));
    t.c.wait_for(helm_release, "default", "far", history_version_is(1), std::chrono::seconds(60));

    auto remote_client = kube::client::create(*remote.config());
    REQUIRE(remote_client);
    kube::client& far = **remote_client;
    CHECK(config_value(far, "default", "far-config", "greeting") == "far");
    CHECK(release_status_label(far, "sh.helm.release.v1.far.v1") == "deployed");
    CHECK(config_value(t.c, "default", "far-config", "greeting").empty()); // nothing here
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.far.v1") == "<none>");

    REQUIRE(t.c.client().remove(helm_release, "default", "far"));
    wait_deleted(t.c, "far");
    CHECK_FALSE(far.get(config_map, "default", "far-config"));
    CHECK_FALSE(far.get(secret, "default", "sh.helm.release.v1.far.v1"));
}

TEST_CASE("spec.commonMetadata labels and annotates every object of the release, and a change of it upgrades",
          "[integration][helm]")
{
    cluster t;
    std::string common = "  commonMetadata: {labels: {team: web, app.kubernetes.io/managed-by: ignored}, "
                         "annotations: {owner: alice}}\n";
    t.c.apply_yaml(release_yaml("meta", common + "  values: {extra: true}\n", "opts"));
    value ready =
        t.c.wait_for(helm_release, "default", "meta", history_version_is(1), std::chrono::seconds(60));
    CHECK(test::string_at(ready, {"status", "observedCommonMetadataDigest"}).rfind("sha256:", 0) == 0);
    for (const char* name : {"meta-config", "meta-extra"}) {
        auto cm = t.c.client().get(config_map, "default", name);
        REQUIRE(cm);
        CHECK(test::string_at(*cm, {"metadata", "labels", "team"}) == "web");
        CHECK(test::string_at(*cm, {"metadata", "annotations", "owner"}) == "alice");
        // Helm's ownership label is applied after commonMetadata, so the helm CLI still owns it.
        CHECK(test::string_at(*cm, {"metadata", "labels", "app.kubernetes.io/managed-by"}) == "Helm");
    }

    t.c.apply_yaml(
        release_yaml("meta", "  commonMetadata: {labels: {team: api}}\n  values: {extra: true}\n", "opts"));
    t.c.wait_for(helm_release, "default", "meta", history_version_is(2), std::chrono::seconds(60));
    auto cm = t.c.client().get(config_map, "default", "meta-extra");
    REQUIRE(cm);
    CHECK(test::string_at(*cm, {"metadata", "labels", "team"}) == "api");
}

TEST_CASE(
    "forceAt equal to requestedAt upgrades an unchanged release once, and resetAt gives exhausted retries a "
    "fresh attempt",
    "[integration][helm]")
{
    cluster t;
    t.c.apply_yaml(release_yaml("forced", "", "opts"));
    t.c.wait_for(helm_release, "default", "forced", history_version_is(1), std::chrono::seconds(60));

    // forceAt without a matching requestedAt is no request.
    REQUIRE(t.c.client().patch(
        helm_release, "default", "forced", kube::patch_type::merge,
        R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"r1","reconcile.fluxcd.io/forceAt":"f0"}}})"));
    value plain = t.c.wait_for(helm_release, "default", "forced", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "r1" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(plain.find_path({"status", "lastReleaseRevision"})->as_int() == 1);
    CHECK(test::string_at(plain, {"status", "lastHandledForceAt"}).empty());

    REQUIRE(t.c.client().patch(
        helm_release, "default", "forced", kube::patch_type::merge,
        R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"f1","reconcile.fluxcd.io/forceAt":"f1"}}})"));
    value forced =
        t.c.wait_for(helm_release, "default", "forced", history_version_is(2), std::chrono::seconds(60));
    CHECK(test::string_at(forced, {"status", "lastHandledForceAt"}) == "f1");
    CHECK(test::condition_reason(forced, "Released") == "UpgradeSucceeded");
    // Handled once: the next plain request does not upgrade again.
    request_reconcile(t.c, "forced", "r2");
    value after = t.c.wait_for(helm_release, "default", "forced", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "r2" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(after.find_path({"status", "lastReleaseRevision"})->as_int() == 2);

    // An install that fails for a reason outside the spec (a kind the cluster does not serve yet).
    t.c.apply_yaml(release_yaml("later", "  values: {broken: true}\n", "opts"));
    value stuck = t.c.wait_for(helm_release, "default", "later", stalled(), std::chrono::seconds(60));
    CHECK(test::condition_reason(stuck, "Stalled") == "RetriesExceeded");
    CHECK(stuck.find_path({"status", "installFailures"})->as_int() == 1);
    t.c.apply_yaml(R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: doesnotexists.example.invalid}
spec:
  group: example.invalid
  scope: Namespaced
  names: {kind: DoesNotExist, plural: doesnotexists, singular: doesnotexist, listKind: DoesNotExistList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
)");
    REQUIRE(t.c.client().patch(
        helm_release, "default", "later", kube::patch_type::merge,
        R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"x1","reconcile.fluxcd.io/resetAt":"x1"}}})"));
    value fixed =
        t.c.wait_for(helm_release, "default", "later", test::ready_is("True"), std::chrono::seconds(60));
    CHECK(test::string_at(fixed, {"status", "lastHandledResetAt"}) == "x1");
    CHECK(test::condition_status(fixed, "Stalled").empty());
    CHECK_FALSE(fixed.find_path({"status", "installFailures"}));
}

TEST_CASE(
    "install.replace takes over the name of a failed release and keeps its record, and uninstall.keepHistory "
    "leaves the records marked uninstalled",
    "[integration][helm]")
{
    cluster t;
    t.c.apply_yaml(release_yaml("again", "  values: {broken: true}\n", "opts"));
    t.c.wait_for(helm_release, "default", "again", stalled(), std::chrono::seconds(60));
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.again.v1") == "failed");

    std::string spec = "  install: {replace: true}\n  uninstall: {keepHistory: true}\n";
    t.c.apply_yaml(release_yaml("again", spec + "  values: {greeting: replaced}\n", "opts"));
    t.c.wait_for(helm_release, "default", "again", history_version_is(2), std::chrono::seconds(60));
    CHECK(config_value(t.c, "default", "again-config", "greeting") == "replaced");
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.again.v1") == "failed"); // Helm leaves it
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.again.v2") == "deployed");

    REQUIRE(t.c.client().remove(helm_release, "default", "again"));
    wait_deleted(t.c, "again");
    CHECK_FALSE(t.c.client().get(config_map, "default", "again-config"));
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.again.v2") == "uninstalled");
    value rel = decode_release(t.c, *t.c.client().get(secret, "default", "sh.helm.release.v1.again.v2"));
    CHECK(rel.find_path({"info", "description"})->as_string() == "Uninstallation complete");
    CHECK_FALSE(rel.find_path({"info", "deleted"})->as_string().empty());
}

TEST_CASE("upgrade.preserveValues keeps the values of the deployed release under the new ones",
          "[integration][helm]")
{
    cluster t;
    std::string preserve = "  upgrade: {preserveValues: true}\n";
    t.c.apply_yaml(release_yaml("keep", preserve + "  values: {greeting: one, replicas: 5}\n", "opts"));
    t.c.wait_for(helm_release, "default", "keep", history_version_is(1), std::chrono::seconds(60));
    t.c.apply_yaml(release_yaml("keep", preserve + "  values: {greeting: two}\n", "opts"));
    t.c.wait_for(helm_release, "default", "keep", history_version_is(2), std::chrono::seconds(60));
    CHECK(config_value(t.c, "default", "keep-config", "greeting") == "two");
    CHECK(config_value(t.c, "default", "keep-config", "replicas") == "5"); // not the chart's 1
    value rel = decode_release(t.c, *t.c.client().get(secret, "default", "sh.helm.release.v1.keep.v2"));
    CHECK(rel.find_path({"config", "replicas"})->as_int() == 5);
    // In sync afterwards: a reconcile request does not upgrade again.
    request_reconcile(t.c, "keep", "k1");
    value after = t.c.wait_for(helm_release, "default", "keep", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "k1" &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(after.find_path({"status", "lastReleaseRevision"})->as_int() == 2);
}

TEST_CASE("upgrade.cleanupOnFail deletes what a failed upgrade created and keeps what was there before",
          "[integration][helm]")
{
    cluster t;
    std::string upgrade = "  upgrade: {cleanupOnFail: true, timeout: 1s}\n";
    t.c.apply_yaml(release_yaml("tidy", upgrade, "opts"));
    t.c.wait_for(helm_release, "default", "tidy", history_version_is(1), std::chrono::seconds(60));
    // The upgrade creates tidy-extra and a Job that never completes: the wait fails.
    t.c.apply_yaml(
        release_yaml("tidy", upgrade + "  values: {extra: true, slow: true, greeting: new}\n", "opts"));
    value failed = t.c.wait_for(helm_release, "default", "tidy", stalled(), std::chrono::seconds(60));
    CHECK(test::condition_reason(failed, "Released") == "UpgradeFailed");
    CHECK(release_status_label(t.c.client(), "sh.helm.release.v1.tidy.v2") == "failed");
    CHECK_FALSE(t.c.client().get(config_map, "default", "tidy-extra"));
    CHECK_FALSE(t.c.client().get({"batch", "v1", "Job"}, "default", "tidy-slow"));
    CHECK(config_value(t.c, "default", "tidy-config", "greeting") == "new"); // existed before: kept
}

TEST_CASE("with --no-cross-namespace-refs, the helm-controller stalls a release whose chart source is in another namespace, and "
          "--default-service-account acts as that account",
          "[integration][helm]")
{
    scratch_dir scratch;
    auto options =
        with_helm(scratch.path, {"--no-cross-namespace-refs", "--default-service-account", "deployer"});
    options.apiserver_args = {"--authorization", "rbac"};
    cluster t(options);
    t.c.apply_yaml(R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: release, namespace: default}
rules:
- {apiGroups: [""], resources: [configmaps, secrets], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: release}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: default}
---
apiVersion: v1
kind: Namespace
metadata: {name: elsewhere}
)");
    t.c.apply_yaml(release_yaml("own", "", "opts"));
    t.c.wait_for(helm_release, "default", "own", history_version_is(1), std::chrono::seconds(60));
    CHECK(config_value(t.c, "default", "own-config", "greeting") == "hello");

    // The account may not write to namespace elsewhere.
    t.c.apply_yaml(release_yaml("outside", "  targetNamespace: elsewhere\n", "opts"));
    value denied = t.c.wait_for(
        helm_release, "default", "outside",
        [](const value& o) {
            return test::condition_message(o, "Ready").find("forbidden") != std::string::npos;
        },
        std::chrono::seconds(60));
    CHECK(test::condition_message(denied, "Ready").find("system:serviceaccount:default:deployer") !=
          std::string::npos);

    t.c.apply_yaml("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: across, "
                   "namespace: default}\nspec:\n  interval: 10m\n  chartRef: {kind: HelmChart, name: shared, "
                   "namespace: elsewhere}\n");
    value refused = t.c.wait_for(helm_release, "default", "across", stalled());
    CHECK(test::condition_reason(refused, "Stalled") == "AccessDenied");
    CHECK(test::condition_reason(refused, "Ready") == "AccessDenied");
    CHECK(test::condition_message(refused, "Ready").find("cross-namespace references are disabled") !=
          std::string::npos);
}

TEST_CASE("release records carry what helm history, get and rollback read, filled as Helm fills them",
          "[integration][helm]")
{
    auto chart = app_chart("2.0.0");
    chart.name = "noted";
    chart.files["Chart.yaml"] = "apiVersion: v2\nname: noted\nversion: 2.0.0\nappVersion: \"9.9\"\n";
    chart.files["templates/NOTES.txt"] = "Thanks for installing {{ .Release.Name }}.\n";
    chart.files["templates/hook.yaml"] =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n"
        "    helm.sh/hook: post-install,post-upgrade\n    helm.sh/hook-weight: \"3\"\n"
        "    helm.sh/hook-delete-policy: before-hook-creation\ndata: {a: b}\n";
    cluster t({chart});
    t.c.apply_yaml(release_yaml("rec", "  values: {greeting: first}\n", "noted"));
    t.c.wait_for(helm_release, "default", "rec", history_version_is(1), std::chrono::seconds(60));
    t.c.apply_yaml(release_yaml("rec", "  values: {greeting: second}\n", "noted"));
    t.c.wait_for(helm_release, "default", "rec", history_version_is(2), std::chrono::seconds(60));

    value v1 = decode_release(t.c, *t.c.client().get(secret, "default", "sh.helm.release.v1.rec.v1"));
    value v2 = decode_release(t.c, *t.c.client().get(secret, "default", "sh.helm.release.v1.rec.v2"));
    // helm history: revision, updated, status, chart, app version, description.
    CHECK(v1.find("version")->as_int() == 1);
    CHECK(v1.find_path({"info", "status"})->as_string() == "superseded");
    CHECK(v1.find_path({"info", "description"})->as_string() == "Install complete");
    CHECK(v2.find_path({"info", "status"})->as_string() == "deployed");
    CHECK(v2.find_path({"info", "description"})->as_string() == "Upgrade complete");
    CHECK(v2.find_path({"info", "first_deployed"})->as_string() ==
          v1.find_path({"info", "first_deployed"})->as_string());
    // Go's time.Time JSON: RFC 3339 with nanoseconds.
    const std::string updated = v2.find_path({"info", "last_deployed"})->as_string();
    CHECK(updated.size() >= 20);
    CHECK(updated[4] == '-');
    CHECK(updated[10] == 'T');
    CHECK(v2.find_path({"chart", "metadata", "name"})->as_string() == "noted");
    CHECK(v2.find_path({"chart", "metadata", "version"})->as_string() == "2.0.0");
    CHECK(v2.find_path({"chart", "metadata", "appVersion"})->as_string() == "9.9");
    // helm get notes / values / manifest / hooks.
    CHECK(v2.find_path({"info", "notes"})->as_string() == "Thanks for installing rec.\n");
    CHECK(v2.find_path({"config", "greeting"})->as_string() == "second");
    CHECK(v2.find_path({"chart", "values", "greeting"})->as_string() == "hello");
    CHECK(v2.get_string("manifest").find("name: rec-config") != std::string::npos);
    CHECK(v2.get_string("manifest").find("rec-hook") == std::string::npos); // hooks are apart
    // helm rollback and upgrade re-render from the stored chart: templates as base64 like Go's []byte.
    bool template_found = false;
    for (const auto& tpl : v2.find_path({"chart", "templates"})->as_array())
        if (tpl.get_string("name") == "templates/configmap.yaml") {
            template_found = true;
            fs::path b64 = t.c.dir() / "tpl.b64";
            std::ofstream(b64) << tpl.get_string("data");
            std::string text;
            REQUIRE(test::run_command("base64 -d " + b64.string(), &text) == 0);
            CHECK(text == chart.files["templates/configmap.yaml"]);
        }
    CHECK(template_found);
    const value* hooks = v2.find("hooks");
    REQUIRE(hooks);
    REQUIRE(hooks->as_array().size() == 1);
    const value& hook = hooks->as_array()[0];
    CHECK(hook.get_string("name") == "rec-hook");
    CHECK(hook.get_string("kind") == "ConfigMap");
    CHECK(hook.get_string("path") == "noted/templates/hook.yaml");
    CHECK(hook.find("weight")->as_int() == 3);
    CHECK(hook.find("events")->as_array().size() == 2);
    CHECK(hook.find("delete_policies")->as_array()[0].as_string() == "before-hook-creation");
    CHECK(hook.find_path({"last_run", "phase"})->as_string() == "Succeeded");
    CHECK_FALSE(hook.find_path({"last_run", "started_at"})->as_string().empty());
    // The Secret's labels, which `helm list` selects on.
    auto s2 = t.c.client().get(secret, "default", "sh.helm.release.v1.rec.v2");
    CHECK(test::string_at(*s2, {"metadata", "labels", "owner"}) == "helm");
    CHECK(test::string_at(*s2, {"metadata", "labels", "name"}) == "rec");
    CHECK(test::string_at(*s2, {"metadata", "labels", "status"}) == "deployed");
    CHECK(test::string_at(*s2, {"metadata", "labels", "version"}) == "2");
    CHECK(test::string_at(*s2, {"type"}) == "helm.sh/release.v1");
}

TEST_CASE("values that break the chart's values.schema.json fail the install until "
          "install.disableSchemaValidation is set",
          "[integration][helm]")
{
    auto chart = app_chart("1.0.0");
    chart.name = "typed";
    chart.files["values.schema.json"] = R"({"type":"object","properties":{"replicas":{"type":"integer"}}})";
    cluster t({chart});
    t.c.apply_yaml(release_yaml("typed", "  values: {replicas: many}\n", "typed"));
    value refused = t.c.wait_for(helm_release, "default", "typed", stalled(), std::chrono::seconds(60));
    CHECK(test::condition_reason(refused, "Released") == "InstallFailed");
    CHECK(test::condition_message(refused, "Ready")
              .find("values don't meet the specifications of the schema") != std::string::npos);
    CHECK_FALSE(t.c.client().get(config_map, "default", "typed-config"));

    t.c.apply_yaml(release_yaml(
        "typed", "  install: {disableSchemaValidation: true}\n  values: {replicas: many}\n", "typed"));
    t.c.wait_for(helm_release, "default", "typed", history_version_is(1), std::chrono::seconds(60));
    CHECK(config_value(t.c, "default", "typed-config", "replicas") == "many");
}
