// The GitOps loop end to end: Git -> source-controller -> kustomize-controller -> objects in
// weir-apiserver, with every binary real and everything on loopback.
#include "support/local_cluster.hpp"

#include "support/paths.hpp"

#include <weir/kube/errors.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace weir;
using namespace std::chrono_literals;

namespace {

const kube::gvk config_map{"", "v1", "ConfigMap"};

test::local_cluster_options binaries()
{
    return {WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, WEIR_KUSTOMIZE_CONTROLLER_BIN};
}

std::string cm(const std::string& name, const std::string& data)
{
    return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  namespace: default\ndata:\n  value: \"{}\"\n",
                       name, data);
}

std::string sync_manifests(const std::string& url, const std::string& extra_ks = "")
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec:
  url: {}
  interval: 10m
  ref: {{branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: default}}
spec:
  interval: 10m
  path: ./deploy
  prune: true
  sourceRef: {{kind: GitRepository, name: fleet}}
{}
)",
                       url, extra_ks);
}

// Asks the source to fetch now, as `weir reconcile source git --with-source` would.
void request_reconcile(test::local_cluster& c, const kube::gvk& kind, const std::string& name, const std::string& token)
{
    auto r = c.client().patch(kind, "default", name, kube::patch_type::merge,
                              fmt::format(R"({{"metadata":{{"annotations":{{"reconcile.fluxcd.io/requestedAt":"{}"}}}}}})", token));
    REQUIRE(r);
}

std::function<bool(const value&)> applied(const std::string& sha)
{
    return [sha](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == "main@sha1:" + sha &&
               test::condition_status(o, "Ready") == "True";
    };
}

std::string data_of(test::local_cluster& c, const std::string& name)
{
    auto obj = c.client().get(config_map, "default", name);
    if (!obj) return "<" + obj.err().reason + ">";
    return test::string_at(*obj, {"data", "value"});
}

} // namespace

TEST_CASE("loop: commits are applied, changed and pruned in the cluster", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}, {"deploy/b.yaml", cm("b", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));

    value ks = c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    CHECK(test::condition_message(ks, "Ready") == "Applied revision: main@sha1:" + c.head(repo));
    CHECK(data_of(c, "a") == "one");
    auto a = c.client().get(config_map, "default", "a");
    REQUIRE(a);
    CHECK(test::string_at(*a, {"metadata", "labels", "kustomize.toolkit.fluxcd.io/name"}) == "apps");
    CHECK(ks.find_path({"status", "inventory", "entries"})->as_array().size() == 2);

    std::string second = c.commit(repo, {{"deploy/a.yaml", cm("a", "two")}, {"deploy/b.yaml", ""}, {"deploy/c.yaml", cm("c", "new")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(second));
    CHECK(data_of(c, "a") == "two");
    CHECK(data_of(c, "b") == "<NotFound>");
    CHECK(data_of(c, "c") == "new");
}

TEST_CASE("loop: a broken build changes and prunes nothing", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/kustomization.yaml", "resources: [a.yaml]\n"}, {"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));

    std::string broken = c.commit(repo, {{"deploy/kustomization.yaml", "resources: [a.yaml, missing.yaml]\n"}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::condition_status(o, "Ready") == "False" &&
               test::string_at(o, {"status", "lastAttemptedRevision"}) == "main@sha1:" + broken;
    });
    CHECK(test::condition_reason(ks, "Ready") == "BuildFailed");
    CHECK(test::condition_message(ks, "Ready").find("missing.yaml") != std::string::npos);
    CHECK(data_of(c, "a") == "one");
}

TEST_CASE("loop: a namespaced object without a namespace fails with what to set", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nons}\n"}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps",
                          [](const value& o) { return test::condition_status(o, "Stalled") == "True"; });
    CHECK(test::condition_message(ks, "Ready").find("ConfigMap/nons namespace not specified") != std::string::npos);
}

TEST_CASE("loop: drift is corrected on the next reconcile", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));

    REQUIRE(c.client().patch(config_map, "default", "a", kube::patch_type::merge, R"({"data":{"value":"edited"}})"));
    CHECK(data_of(c, "a") == "edited");
    request_reconcile(c, test::kustomization_kind, "apps", "drift-1");
    c.wait_for(test::kustomization_kind, "default", "apps",
               [](const value& o) { return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "drift-1"; });
    CHECK(data_of(c, "a") == "one");
}

TEST_CASE("loop: dependsOn holds a Kustomization until its dependency is ready", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}, {"infra/i.yaml", cm("infra", "x")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  dependsOn: [{name: infra}]"));
    value waiting = c.wait_for(test::kustomization_kind, "default", "apps",
                               [](const value& o) { return test::condition_reason(o, "Ready") == "DependencyNotReady"; });
    CHECK(test::condition_message(waiting, "Ready").find("dependency 'default/infra'") != std::string::npos);
    CHECK(data_of(c, "a") == "<NotFound>");

    c.apply_yaml(R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: default}
spec: {interval: 10m, path: ./infra, prune: true, sourceRef: {kind: GitRepository, name: fleet}}
)");
    c.wait_for(test::kustomization_kind, "default", "infra", applied(c.head(repo)));
    request_reconcile(c, test::kustomization_kind, "apps", "after-infra");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)), 60s);
    CHECK(data_of(c, "a") == "one");
}

TEST_CASE("loop: postBuild substitutes variables from the spec and a ConfigMap", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "${cluster}-${region}")}});
    c.apply_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: default}\ndata: {region: eu-1}\n");
    c.apply_yaml(sync_manifests("file://" + repo.string(), R"(  postBuild:
    substitute: {cluster: prod}
    substituteFrom: [{kind: ConfigMap, name: vars}])"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    CHECK(data_of(c, "a") == "prod-eu-1");
}

namespace {
std::string fixture(const std::string& name)
{
    std::ifstream in(test::source_dir() / "tests/unit/sops/testdata/flux" / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The age key as a Secret's stringData entry, indented for the block scalar.
std::string age_key_secret()
{
    std::string key = fixture("age.txt"), indented;
    for (std::size_t start = 0; start < key.size();) {
        auto end = key.find('\n', start);
        if (end == std::string::npos) end = key.size();
        indented += "    " + key.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return "apiVersion: v1\nkind: Secret\nmetadata: {name: sops-age, namespace: default}\nstringData:\n  age.agekey: |\n" +
           indented;
}
} // namespace

TEST_CASE("loop: SOPS-encrypted Secrets are decrypted with the age key of spec.decryption", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    // A Secret encrypted by the real sops 3.9 for Flux's public test key.
    auto repo = c.make_repo("fleet", {{"deploy/secret.yaml", fixture("age.yaml")}});
    c.apply_yaml(age_key_secret());
    c.apply_yaml(sync_manifests("file://" + repo.string(),
                                "  targetNamespace: default\n  decryption: {provider: sops, secretRef: {name: sops-age}}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto secret = c.client().get({"", "v1", "Secret"}, "default", "age");
    REQUIRE(secret);
    std::string stored = test::string_at(*secret, {"data", "key"});
    if (stored.empty()) stored = test::string_at(*secret, {"stringData", "key"});
    CHECK((stored == "dmFsdWU=" || stored == "value")); // base64 of "value", or as written
    CHECK_FALSE(secret->find("sops"));
}

TEST_CASE("loop: an encrypted Secret without spec.decryption is refused, not applied", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/secret.yaml", fixture("age.yaml")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  targetNamespace: default"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps",
                          [](const value& o) { return test::condition_reason(o, "Ready") == "DecryptionFailed"; });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(test::condition_message(ks, "Ready").find("configure spec.decryption") != std::string::npos);
    CHECK_FALSE(c.client().get({"", "v1", "Secret"}, "default", "age"));
}

TEST_CASE("loop: SOPS-encrypted secretGenerator sources are decrypted in memory, never on disk", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    std::string kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                "secretGenerator:\n- name: from-env\n  envs: [env.env]\n"
                                "- name: from-file\n  files: [file.txt]\n"
                                "generatorOptions: {disableNameSuffixHash: true}\n";
    auto repo = c.make_repo("fleet", {{"deploy/kustomization.yaml", kustomization},
                                      {"deploy/env.env", fixture("env.env")},
                                      {"deploy/file.txt", fixture("file.txt")}});
    c.apply_yaml(age_key_secret());
    c.apply_yaml(sync_manifests("file://" + repo.string(),
                                "  targetNamespace: default\n  decryption: {provider: sops, secretRef: {name: sops-age}}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto from_env = c.client().get({"", "v1", "Secret"}, "default", "from-env");
    REQUIRE(from_env);
    CHECK(test::string_at(*from_env, {"data", "key"}) == "dmFsdWU="); // "value"
    CHECK_FALSE(from_env->find_path({"data", "sops_mac"}));
    auto from_file = c.client().get({"", "v1", "Secret"}, "default", "from-file");
    REQUIRE(from_file);
    std::string file = test::string_at(*from_file, {"data", "file.txt"});
    CHECK_FALSE(file.empty());
    CHECK(file.find("ENC[") == std::string::npos);
    // The scratch directory holds what was fetched, never a decrypted copy.
    std::string found;
    test::run_command("grep -rl '^key=value' " + c.dir().string() + " 2>/dev/null", &found);
    CHECK(found.empty());
}

TEST_CASE("loop: an encrypted secretGenerator source without spec.decryption is refused", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    std::string kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                "secretGenerator:\n- name: from-env\n  envs: [env.env]\n";
    auto repo = c.make_repo("fleet", {{"deploy/kustomization.yaml", kustomization},
                                      {"deploy/env.env", fixture("env.env")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  targetNamespace: default"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_message(o, "Ready").find("is SOPS-encrypted") != std::string::npos;
    });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(test::condition_message(ks, "Ready").find("'env.env' is SOPS-encrypted: configure spec.decryption") !=
          std::string::npos);
    CHECK_FALSE(c.client().get({"", "v1", "Secret"}, "default", "from-env"));
}

TEST_CASE("loop: spec.force recreates an object whose immutable field changed; without it the apply fails", "[e2e][loop]")
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
    std::string first_uid = test::string_at(*c.client().get(config_map, "default", "frozen"), {"metadata", "uid"});

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
    std::string gadget = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\n"
                         "spec: {size: 3}\n";
    auto repo = c.make_repo("fleet", {{"deploy/crd.yaml", crd}, {"deploy/gadget.yaml", gadget}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto g = c.client().get({"example.com", "v1", "Gadget"}, "default", "g1");
    REQUIRE(g);
    CHECK(g->find_path({"spec", "size"})->as_int() == 3);
    CHECK(ks.find_path({"status", "inventory", "entries"})->as_array().size() == 2);
}

TEST_CASE("loop: deletionPolicy decides whether deleting a Kustomization deletes what it applied", "[e2e][loop]")
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
    CHECK(test::condition_message(ks, "Ready").find("system:serviceaccount:default:deployer") != std::string::npos);
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

    std::string with_file = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                            "    server: https://127.0.0.1:1\n    certificate-authority: /etc/ssl/certs/ca.pem\n"
                            "users:\n- name: u\n  user: {tokenFile: /var/run/secrets/token}\n"
                            "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n";
    REQUIRE(c.client().apply(value(object{{"apiVersion", "v1"},
                                          {"kind", "Secret"},
                                          {"metadata", object{{"name", "local-files"}, {"namespace", "default"}}},
                                          {"stringData", object{{"value", with_file}}}}),
                             {.field_manager = "e2e"}));
    REQUIRE(c.client().patch(test::kustomization_kind, "default", "apps", kube::patch_type::merge,
                             R"({"spec":{"kubeConfig":{"secretRef":{"name":"local-files"}}}})"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Ready") == "InvalidKubeConfig";
    });
    CHECK(test::condition_message(ks, "Ready").find("reads local files or runs programs") != std::string::npos);
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

TEST_CASE("loop: a new source revision ends a health check wait instead of waiting out the timeout", "[e2e][loop]")
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
