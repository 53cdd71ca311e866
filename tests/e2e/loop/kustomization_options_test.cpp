// The Kustomization options beyond the basic loop: force, staging, deletionPolicy, impersonation,
// remote clusters, history and health checks.
#include "loop_support.hpp"

using namespace weir;
using namespace weir::test::loop;

TEST_CASE("loop: spec.force recreates an object whose immutable field changed; without it the apply fails",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto immutable_cm = [](const std::string& data) {
        return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: frozen, namespace: default}}\n"
                           "immutable: true\ndata: {{value: \"{}\"}}\n",
                           data);
    };
    auto repo = c.make_repo("fleet", {{"deploy/cm.yaml", immutable_cm("one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    std::string first_uid =
        test::string_at(*c.client().get(config_map, "default", "frozen"), {"metadata", "uid"});

    c.commit(repo, {{"deploy/cm.yaml", immutable_cm("two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    value failed = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_message(o, "Ready").find("immutable") != std::string::npos;
    });
    CHECK(test::condition_status(failed, "Ready") == "False");
    CHECK(data_of(c, "frozen") == "one");

    auto r = c.client().patch(test::kustomization_kind, "default", "apps", kube::patch_type::merge,
                              R"({"spec":{"force":true}})");
    REQUIRE(r);
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto recreated = c.client().get(config_map, "default", "frozen");
    REQUIRE(recreated);
    CHECK(test::string_at(*recreated, {"data", "value"}) == "two");
    CHECK(test::string_at(*recreated, {"metadata", "uid"}) != first_uid);
}

TEST_CASE("loop: a CRD and its custom resources in one build are applied in stages", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    std::string crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
)";
    std::string gadget =
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\n"
        "spec: {size: 3}\n";
    auto repo = c.make_repo("fleet", {{"deploy/crd.yaml", crd}, {"deploy/gadget.yaml", gadget}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto g = c.client().get({"example.com", "v1", "Gadget"}, "default", "g1");
    REQUIRE(g);
    CHECK(g->find_path({"spec", "size"})->as_int() == 3);
    CHECK(ks.find_path({"status", "inventory", "entries"})->as_array().size() == 2);
}

TEST_CASE("loop: deletionPolicy decides whether deleting a Kustomization deletes what it applied",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    SECTION("Delete removes the objects even without prune")
    {
        std::string manifests = sync_manifests("file://" + repo.string(), "  deletionPolicy: Delete");
        manifests.replace(manifests.find("prune: true"), 11, "prune: false");
        c.apply_yaml(manifests);
        c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
        REQUIRE(data_of(c, "a") == "one");
        REQUIRE(c.client().remove(test::kustomization_kind, "default", "apps"));
        test::wait_until([&] { return data_of(c, "a") == "<NotFound>"; }, "the ConfigMap to be deleted");
    }
    SECTION("Orphan keeps the objects even with prune")
    {
        c.apply_yaml(sync_manifests("file://" + repo.string(), "  deletionPolicy: Orphan"));
        c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
        REQUIRE(c.client().remove(test::kustomization_kind, "default", "apps"));
        test::wait_until([&] { return !c.client().get(test::kustomization_kind, "default", "apps"); },
                         "the Kustomization to be gone");
        CHECK(data_of(c, "a") == "one");
    }
}

TEST_CASE("loop: serviceAccountName applies as that account and RBAC refusals are reported", "[e2e][loop]")
{
    auto options = binaries();
    options.apiserver_args = {"--authorization", "rbac"};
    test::local_cluster c(options);
    c.apply_yaml(R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: configmaps-only, namespace: default}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmaps-only}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: default}
)");
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  serviceAccountName: deployer"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    CHECK(data_of(c, "a") == "one");

    std::string secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n"
                         "stringData: {k: v}\n";
    c.commit(repo, {{"deploy/s.yaml", secret}, {"deploy/a.yaml", ""}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_message(o, "Ready").find("forbidden") != std::string::npos;
    });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(test::condition_message(ks, "Ready").find("system:serviceaccount:default:deployer") !=
          std::string::npos);
    CHECK_FALSE(c.client().get({"", "v1", "Secret"}, "default", "s"));
    CHECK(data_of(c, "a") == "one"); // a failed apply prunes nothing
}

TEST_CASE("loop: spec.kubeConfig applies to a remote cluster and refuses kubeconfigs that read local files",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    test::apiserver_process remote(WEIR_APISERVER_BIN);
    REQUIRE(remote.start());
    std::ifstream in(remote.kubeconfig_path());
    std::stringstream kubeconfig;
    kubeconfig << in.rdbuf();
    REQUIRE(c.client().apply(value(object{{"apiVersion", "v1"},
                                          {"kind", "Secret"},
                                          {"metadata", object{{"name", "remote"}, {"namespace", "default"}}},
                                          {"stringData", object{{"value", kubeconfig.str()}}}}),
                             {.field_manager = "e2e"}));
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "remote")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  kubeConfig: {secretRef: {name: remote}}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));

    auto remote_client = kube::client::create(*remote.config());
    REQUIRE(remote_client);
    auto a = (*remote_client)->get(config_map, "default", "a");
    REQUIRE(a);
    CHECK(test::string_at(*a, {"data", "value"}) == "remote");
    CHECK(data_of(c, "a") == "<NotFound>"); // nothing on the cluster the controller runs in

    std::string with_file =
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        "    server: https://127.0.0.1:1\n    certificate-authority: /etc/ssl/certs/ca.pem\n"
        "users:\n- name: u\n  user: {tokenFile: /var/run/secrets/token}\n"
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n";
    REQUIRE(
        c.client().apply(value(object{{"apiVersion", "v1"},
                                      {"kind", "Secret"},
                                      {"metadata", object{{"name", "local-files"}, {"namespace", "default"}}},
                                      {"stringData", object{{"value", with_file}}}}),
                         {.field_manager = "e2e"}));
    REQUIRE(c.client().patch(test::kustomization_kind, "default", "apps", kube::patch_type::merge,
                             R"({"spec":{"kubeConfig":{"secretRef":{"name":"local-files"}}}})"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Ready") == "InvalidKubeConfig";
    });
    CHECK(test::condition_message(ks, "Ready").find("reads local files or runs programs") !=
          std::string::npos);
}

TEST_CASE("loop: status.history counts repeated outcomes of the same build", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    const value* history = ks.find_path({"status", "history"});
    REQUIRE(history);
    REQUIRE(history->as_array().size() == 1);
    const value& first = history->as_array()[0];
    CHECK(first.get_string("lastReconciledStatus") == "ReconciliationSucceeded");
    CHECK(first.get_string("digest").substr(0, 7) == "sha256:");
    CHECK(test::string_at(first, {"metadata", "revision"}) == "main@sha1:" + c.head(repo));

    // Same source, same build: the same snapshot, counted twice.
    auto r = c.client().patch(test::kustomization_kind, "default", "apps", kube::patch_type::merge,
                              R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"again"}}})");
    REQUIRE(r);
    ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "again" &&
               o.find_path({"status", "history"})->as_array()[0].find("totalReconciliations")->as_int() == 2;
    });
    CHECK(ks.find_path({"status", "history"})->as_array().size() == 1);
}

TEST_CASE("loop: a new source revision ends a health check wait instead of waiting out the timeout",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    // Nothing runs pods in weir-apiserver, so this Deployment never becomes ready.
    std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
)";
    auto repo = c.make_repo("fleet", {{"deploy/web.yaml", deployment}, {"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  wait: true\n  timeout: 10m"));
    c.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::string_at(o, {"status", "lastAttemptedRevision"}) == "main@sha1:" + c.head(repo);
    });
    REQUIRE(data_of(c, "a") == "one");

    std::string fixed = c.commit(repo, {{"deploy/web.yaml", ""}, {"deploy/a.yaml", cm("a", "two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(fixed));
    CHECK(data_of(c, "a") == "two");
}

#ifdef WEIR_HELM_CONTROLLER_BIN
TEST_CASE("loop: dependsOn may name a HelmRelease: the Kustomization waits until the release is Ready",
          "[e2e][loop]")
{
    auto options = binaries();
    options.kustomize_controller.clear();
    options.controllers = {
        {"kustomize-controller", WEIR_KUSTOMIZE_CONTROLLER_BIN, {"--requeue-dependency", "1s"}},
        {"helm-controller", WEIR_HELM_CONTROLLER_BIN, {}}};
    test::local_cluster c(options);
    std::string chart = "apiVersion: v2\nname: db\nversion: 0.1.0\n";
    std::string chart_cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '{{ .Release.Name }}-ready'}\ndata: {a: b}\n";
    std::string release = R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: db, namespace: default}
spec:
  interval: 10m
  chart:
    spec: {chart: ./charts/db, sourceRef: {kind: GitRepository, name: fleet}}
)";
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "after-db")},
                                      {"charts/db/Chart.yaml", chart},
                                      {"charts/db/templates/cm.yaml", chart_cm}});
    c.apply_yaml(sync_manifests(
        "file://" + repo.string(),
        "  dependsOn:\n  - {apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, name: db}"));
    value waiting = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Ready") == "DependencyNotReady";
    });
    CHECK(test::condition_message(waiting, "Ready").find("dependency 'default/db'") != std::string::npos);
    CHECK(data_of(c, "a") == "<NotFound>");

    c.apply_yaml(release);
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)), 60s);
    CHECK(data_of(c, "db-ready") == ""); // the release's ConfigMap exists (its data has no "value")
    CHECK(data_of(c, "a") == "after-db");
}
#endif
