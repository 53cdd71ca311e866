// The GitOps loop end to end: Git -> source-controller -> kustomize-controller -> objects in
// weir-apiserver, with every binary real and everything on loopback.
#include "loop_support.hpp"

using namespace weir;
using namespace weir::test::loop;

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

    std::string second = c.commit(
        repo, {{"deploy/a.yaml", cm("a", "two")}, {"deploy/b.yaml", ""}, {"deploy/c.yaml", cm("c", "new")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(second));
    CHECK(data_of(c, "a") == "two");
    CHECK(data_of(c, "b") == "<NotFound>");
    CHECK(data_of(c, "c") == "new");
}

TEST_CASE("loop: a broken build changes and prunes nothing", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo(
        "fleet", {{"deploy/kustomization.yaml", "resources: [a.yaml]\n"}, {"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));

    std::string broken =
        c.commit(repo, {{"deploy/kustomization.yaml", "resources: [a.yaml, missing.yaml]\n"}});
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
    auto repo = c.make_repo(
        "fleet", {{"deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nons}\n"}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps",
                          [](const value& o) { return test::condition_status(o, "Stalled") == "True"; });
    CHECK(test::condition_message(ks, "Ready").find("ConfigMap/nons namespace not specified") !=
          std::string::npos);
}

TEST_CASE("loop: drift is corrected on the next reconcile", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));

    REQUIRE(c.client().patch(config_map, "default", "a", kube::patch_type::merge,
                             R"({"data":{"value":"edited"}})"));
    CHECK(data_of(c, "a") == "edited");
    request_reconcile(c, test::kustomization_kind, "apps", "drift-1");
    c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "drift-1";
    });
    CHECK(data_of(c, "a") == "one");
}

TEST_CASE("loop: dependsOn holds a Kustomization until its dependency is ready", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}, {"infra/i.yaml", cm("infra", "x")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  dependsOn: [{name: infra}]"));
    value waiting = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Ready") == "DependencyNotReady";
    });
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
    c.apply_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: default}\ndata: "
                 "{region: eu-1}\n");
    c.apply_yaml(sync_manifests("file://" + repo.string(), R"(  postBuild:
    substitute: {cluster: prod}
    substituteFrom: [{kind: ConfigMap, name: vars}])"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    CHECK(data_of(c, "a") == "prod-eu-1");
}

TEST_CASE("loop: spec.include copies another repository's artifact, and a push there is applied",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto shared =
        c.make_repo("shared", {{"components/cm.yaml", cm("shared", "v1")}, {"README.md", "not copied"}});
    auto fleet = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: shared, namespace: default}
spec: {url: "file://)" +
                 shared.string() + R"(", interval: 10m, ref: {branch: main}}
)");
    std::string manifests = sync_manifests("file://" + fleet.string());
    manifests.replace(manifests.find("  ref: {branch: main}"), 21,
                      "  ref: {branch: main}\n  include:\n  - repository: {name: shared}\n"
                      "    fromPath: components\n    toPath: deploy/shared");
    c.apply_yaml(manifests);
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(fleet)));
    CHECK(data_of(c, "shared") == "v1");
    auto repo = c.client().get(test::git_repository_kind, "default", "fleet");
    REQUIRE(repo);
    REQUIRE(repo->find_path({"status", "includedArtifacts"}));
    CHECK(repo->find_path({"status", "includedArtifacts"})->as_array().size() == 1);

    c.commit(shared, {{"components/cm.yaml", cm("shared", "v2")}});
    request_reconcile(c, test::git_repository_kind, "shared", "1");
    c.wait_for(
        test::kustomization_kind, "default", "apps",
        [&](const value&) { return data_of(c, "shared") == "v2"; }, 60s);
    CHECK(data_of(c, "a") == "one");
}

TEST_CASE("loop: spec.sparseCheckout builds the artifact from the listed directories only", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto fleet = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}, {"other/b.yaml", cm("b", "one")}});
    std::string manifests = sync_manifests("file://" + fleet.string());
    manifests.replace(manifests.find("  ref: {branch: main}"), 21,
                      "  ref: {branch: main}\n  sparseCheckout: [deploy]");
    manifests.replace(manifests.find("path: ./deploy"), 14, "path: ./");
    c.apply_yaml(manifests);
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(fleet)));
    CHECK(data_of(c, "a") == "one");
    CHECK(data_of(c, "b") == "<NotFound>");
}
