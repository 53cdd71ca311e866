// Multi-tenancy lockdown and secret hygiene, on the real loop (weir-apiserver, source-controller,
// kustomize-controller): --no-cross-namespace-refs, --default-service-account, and secret values
// that never reach the logs or the events.
#include "../e2e/loop/loop_support.hpp"

#include <weir/core/json.hpp>

using namespace weir;
using namespace weir::test::loop;

namespace {

// The loop with kustomize-controller started with extra flags (as an extra controller, since the
// standard one takes none).
test::local_cluster_options with_kustomize_flags(std::vector<std::string> flags,
                                                 std::vector<std::string> apiserver_args = {})
{
    test::local_cluster_options o{
        WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, {}, {}, std::move(apiserver_args)};
    o.controllers.push_back({"kustomize-controller", WEIR_KUSTOMIZE_CONTROLLER_BIN, std::move(flags)});
    return o;
}

std::string tenant_kustomization(const std::string& ns, const std::string& source_ns,
                                 const std::string& extra = "")
{
    return fmt::format(R"(apiVersion: v1
kind: Namespace
metadata: {{name: {0}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: tenant, namespace: {0}}}
spec:
  interval: 10m
  path: ./deploy
  prune: true
  targetNamespace: {0}
  sourceRef: {{kind: GitRepository, name: fleet, namespace: {1}}}
{2}
)",
                       ns, source_ns, extra);
}

} // namespace

TEST_CASE("kustomize-controller --no-cross-namespace-refs refuses a sourceRef in another namespace",
          "[security][tenancy]")
{
    test::local_cluster c(with_kustomize_flags({"--no-cross-namespace-refs"}));
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    // The same-namespace reference still works: the flag refuses only the crossing.
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    c.apply_yaml(tenant_kustomization("team-a", "default"));
    value ks = c.wait_for(test::kustomization_kind, "team-a", "tenant", [](const value& o) {
        return test::condition_message(o, "Ready").find("cross-namespace references are disabled") !=
               std::string::npos;
    });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK_FALSE(c.client().get(config_map, "team-a", "a"));
}

TEST_CASE("kustomize-controller --default-service-account applies a tenant's Kustomization as that account",
          "[security][tenancy]")
{
    test::local_cluster c(
        with_kustomize_flags({"--default-service-account", "tenant-deployer"}, {"--authorization", "rbac"}));
    auto repo = c.make_repo("fleet", {{"deploy/a.yaml", cm("a", "one")}});
    std::string sync = sync_manifests("file://" + repo.string());
    c.apply_yaml(sync.substr(0, sync.find("---"))); // the GitRepository only
    // The tenant namespace has the account but no binding: every apply as it is forbidden.
    c.apply_yaml(
        tenant_kustomization("team-b", "default") +
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: tenant-deployer, namespace: team-b}\n");
    value ks = c.wait_for(test::kustomization_kind, "team-b", "tenant", [](const value& o) {
        return test::condition_message(o, "Ready").find("forbidden") != std::string::npos;
    });
    CHECK(test::condition_message(ks, "Ready").find("system:serviceaccount:team-b:tenant-deployer") !=
          std::string::npos);
    CHECK_FALSE(c.client().get(config_map, "team-b", "a"));

    // Bound to a Role for ConfigMaps in its namespace, the same account applies.
    c.apply_yaml(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: configmaps, namespace: team-b}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, update, patch, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tenant-deployer, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmaps}
subjects:
- {kind: ServiceAccount, name: tenant-deployer, namespace: team-b}
)");
    std::string again = tenant_kustomization("team-b", "default");
    std::string meta = "metadata: {name: tenant, namespace: team-b}";
    again.replace(
        again.find(meta), meta.size(),
        "metadata: {name: tenant, namespace: team-b, annotations: {reconcile.fluxcd.io/requestedAt: bound}}");
    c.apply_yaml(again);
    c.wait_for(test::kustomization_kind, "team-b", "tenant", applied(c.head(repo)));
    CHECK(c.client().get(config_map, "team-b", "a"));
}

TEST_CASE("secret values from Git, SOPS and postBuild never reach the controllers' logs or the events",
          "[security][secrets]")
{
    test::local_cluster c(binaries());
    const std::string plain = "plain-secret-7f3a9c1e", from_vars = "substituted-secret-b41d07";
    auto plain_b64 = std::string("cGxhaW4tc2VjcmV0LTdmM2E5YzFl"); // base64 of `plain`
    std::string secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: plain, namespace: default}\n"
                         "stringData: {token: " +
                         plain + "}\n";
    // A postBuild variable from a Secret, substituted into a Secret.
    std::string templated = "apiVersion: v1\nkind: Secret\nmetadata: {name: templated, namespace: default}\n"
                            "stringData:\n  password: ${DB_PASSWORD}\n";
    auto repo = c.make_repo("fleet", {{"deploy/plain.yaml", secret},
                                      {"deploy/templated.yaml", templated},
                                      {"deploy/age.yaml", fixture("age.yaml")}});
    c.apply_yaml(age_key_secret());
    c.apply_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: vars, namespace: default}\nstringData: "
                 "{DB_PASSWORD: " +
                 from_vars + "}\n");
    c.apply_yaml(sync_manifests("file://" + repo.string(),
                                "  targetNamespace: default\n"
                                "  decryption: {provider: sops, secretRef: {name: sops-age}}\n"
                                "  postBuild: {substituteFrom: [{kind: Secret, name: vars}]}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    REQUIRE(c.client().get({"", "v1", "Secret"}, "default", "templated"));

    // Drift on a Secret and a change in Git: the change sets are logged and sent as events.
    auto live = c.client().get({"", "v1", "Secret"}, "default", "plain");
    REQUIRE(live);
    c.commit(repo,
             {{"deploy/plain.yaml", secret + "type: Opaque\n"}, {"deploy/extra.yaml", cm("extra", "x")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "1");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    // A failing build that names the Secret: errors are logged and sent as events too.
    c.commit(repo,
             {{"deploy/broken.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: Not_A_Valid_Name}\n"
                                     "stringData: {token: " +
                                         plain + "}\n"}});
    request_reconcile(c, test::git_repository_kind, "fleet", "2");
    c.wait_for(test::kustomization_kind, "default", "apps",
               [](const value& o) { return test::condition_status(o, "Ready") == "False"; });

    std::string logs = c.controller_logs();
    REQUIRE(logs.find("Secret/default/Not_A_Valid_Name") != std::string::npos); // the failure was logged
    auto events = c.client().list({"", "v1", "Event"});
    REQUIRE(events);
    std::string event_text;
    for (const auto& e : events->items)
        event_text += to_json(e) + "\n";
    INFO(event_text);
    REQUIRE(event_text.find("Secret/default/plain") != std::string::npos); // the change set was sent
    for (const std::string& needle : {plain, plain_b64, from_vars, std::string("dmFsdWU="),
                                      std::string("key: value"), std::string("\"key\":\"value\"")}) {
        INFO(needle);
        CHECK(logs.find(needle) == std::string::npos);
        CHECK(event_text.find(needle) == std::string::npos);
    }
}
