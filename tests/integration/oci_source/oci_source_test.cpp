// OCIRepository on loopback: artifacts pushed to a real docker-registry the way `flux push
// artifact` makes them (a tar.gz layer, a Flux config blob, an OCI manifest with annotations),
// pulled by the source-controller and applied by the kustomize-controller.
#include "connect_proxy.hpp"
#include "oci_artifacts.hpp"
#include "registry.hpp"
#include "support/local_cluster.hpp"

#include <weir/artifact/fetcher.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/core/encoding.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/oci/client.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace weir;
using test::config_map_yaml;
using test::push_artifact;
using test::pushed;
namespace fs = std::filesystem;

namespace {

const kube::gvk oci_repository{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};
const kube::gvk config_map{"", "v1", "ConfigMap"};

std::string greeting(test::local_cluster& c)
{
    auto got = c.client().get(config_map, "default", "greeting");
    return got ? test::string_at(*got, {"data", "greeting"}) : "";
}

std::function<bool(const value&)> revision_is(const std::string& revision)
{
    return [revision](const value& o) {
        return test::string_at(o, {"status", "artifact", "revision"}) == revision &&
               test::condition_status(o, "Ready") == "True";
    };
}

struct oci_cluster {
    test::registry reg;
    test::local_cluster cluster{{.apiserver = WEIR_APISERVER_BIN,
                                 .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
                                 .kustomize_controller = WEIR_KUSTOMIZE_CONTROLLER_BIN}};
    std::string url(const std::string& repo) const { return "oci://" + reg.host() + "/" + repo; }
};

} // namespace

TEST_CASE("an OCIRepository artifact pushed like flux push artifact is applied by a Kustomization, and a new "
          "tag in the semver range moves both",
          "[oci][e2e]")
{
    oci_cluster t;
    auto v1 = push_artifact(t.reg, "fleet/manifests", "1.0.0", {{"apps/cm.yaml", config_map_yaml("hello")}});
    t.cluster.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "{}", interval: 1s, insecure: true, ref: {{semver: ">=1.0.0"}}}}
)",
                                     t.url("fleet/manifests")));
    std::string rev1 = "1.0.0@" + v1.manifest_digest;
    auto repo = t.cluster.wait_for(oci_repository, "default", "fleet", revision_is(rev1));
    // Applied once the source is Ready: the kustomize-controller watches GitRepositories only, so a
    // Kustomization created earlier would wait for its dependency requeue.
    t.cluster.apply_yaml(R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: default}
spec: {interval: 1h, path: ./apps, prune: true, sourceRef: {kind: OCIRepository, name: fleet}}
)");
    CHECK(test::string_at(repo, {"status", "artifact", "metadata", "org.opencontainers.image.source"}) ==
          "https://example.com/fleet.git");
    CHECK(test::condition_status(repo, "ArtifactInStorage") == "True");
    CHECK(test::string_at(repo, {"status", "artifact", "path"}) ==
          "ocirepository/default/fleet/" + v1.manifest_digest.substr(7) + ".tar.gz");
    t.cluster.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == rev1 &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(greeting(t.cluster) == "hello");

    // 0.9.0 is outside the range and 1.1.0 the newest in it.
    push_artifact(t.reg, "fleet/manifests", "0.9.0", {{"apps/cm.yaml", config_map_yaml("old")}});
    auto v2 =
        push_artifact(t.reg, "fleet/manifests", "1.1.0", {{"apps/cm.yaml", config_map_yaml("bonjour")}});
    std::string rev2 = "1.1.0@" + v2.manifest_digest;
    t.cluster.wait_for(oci_repository, "default", "fleet", revision_is(rev2));
    test::request_reconcile(t.cluster, test::kustomization_kind, "apps", "after-1.1.0");
    t.cluster.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == rev2 &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(greeting(t.cluster) == "bonjour");
}

TEST_CASE("an OCIRepository on an unknown tag reports FetchFailed naming the tag, operation copy stores the "
          "layer as pushed, and a digest ref gives a digest-only revision",
          "[oci][e2e]")
{
    oci_cluster t;
    auto v1 = push_artifact(t.reg, "fleet/manifests", "1.0.0", {{"apps/cm.yaml", config_map_yaml("hello")}});
    t.cluster.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: missing, namespace: default}}
spec: {{url: "{0}", interval: 1m, insecure: true, ref: {{tag: "9.9.9"}}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: copied, namespace: default}}
spec: {{url: "{0}", interval: 1m, insecure: true, ref: {{tag: "1.0.0"}}, layerSelector: {{mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: copy}}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: pinned, namespace: default}}
spec: {{url: "{0}", interval: 1m, insecure: true, ref: {{digest: "{1}"}}}}
)",
                                     t.url("fleet/manifests"), v1.manifest_digest));
    auto missing = t.cluster.wait_for(oci_repository, "default", "missing", [](const value& o) {
        return test::condition_status(o, "FetchFailed") == "True";
    });
    CHECK(test::condition_status(missing, "Ready") == "False");
    CHECK(test::condition_reason(missing, "FetchFailed") == "OCIArtifactPullFailed");
    CHECK(test::condition_message(missing, "FetchFailed").find("9.9.9") != std::string::npos);
    CHECK(test::condition_message(missing, "FetchFailed").find(t.url("fleet/manifests")) !=
          std::string::npos);

    auto copied =
        t.cluster.wait_for(oci_repository, "default", "copied", revision_is("1.0.0@" + v1.manifest_digest));
    CHECK(test::string_at(copied, {"status", "artifact", "digest"}) == v1.layer_digest);
    CHECK(test::string_at(copied, {"status", "observedLayerSelector", "operation"}) == "copy");

    t.cluster.wait_for(oci_repository, "default", "pinned", revision_is(v1.manifest_digest));
}

TEST_CASE("an OCIRepository semverFilter narrows the tags the semver range chooses from", "[oci][e2e]")
{
    oci_cluster t;
    push_artifact(t.reg, "fleet/manifests", "2.0.0", {{"cm.yaml", config_map_yaml("stable")}});
    auto rc = push_artifact(t.reg, "fleet/manifests", "1.1.0-rc.1", {{"cm.yaml", config_map_yaml("rc")}});
    t.cluster.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: candidates, namespace: default}}
spec: {{url: "{}", interval: 1m, insecure: true, ref: {{semver: ">=1.0.0-0", semverFilter: ".*-rc.*"}}}}
)",
                                     t.url("fleet/manifests")));
    t.cluster.wait_for(oci_repository, "default", "candidates",
                       revision_is("1.1.0-rc.1@" + rc.manifest_digest));
}

TEST_CASE("an extracted OCIRepository layer is re-archived with spec.ignore applied and echoed in "
          "status.observedIgnore",
          "[oci][e2e]")
{
    oci_cluster t;
    auto v1 = push_artifact(t.reg, "fleet/manifests", "latest",
                            {{"apps/cm.yaml", config_map_yaml("hello")},
                             {"apps/secret.yaml", "kind: Secret\n"},
                             {"README.md", "fleet\n"}});
    t.cluster.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: filtered, namespace: default}}
spec: {{url: "{}", interval: 1m, insecure: true, ignore: "apps/secret.yaml"}}
)",
                                     t.url("fleet/manifests")));
    auto repo = t.cluster.wait_for(oci_repository, "default", "filtered",
                                   revision_is("latest@" + v1.manifest_digest));
    CHECK(test::string_at(repo, {"status", "observedIgnore"}) == "apps/secret.yaml");
    fs::path stored = t.cluster.dir() / "storage" / test::string_at(repo, {"status", "artifact", "path"});
    temp_dir out(fs::temp_directory_path(), "oci-artifact");
    REQUIRE(artifact::extract_tarball(stored, out.path()));
    CHECK(fs::exists(out.path() / "apps/cm.yaml"));
    CHECK(fs::exists(out.path() / "README.md"));
    CHECK_FALSE(fs::exists(out.path() / "apps/secret.yaml"));
}

TEST_CASE("an OCIRepository pulls with a dockerconfigjson Secret, keeps an unchanged artifact untouched, and "
          "stalls with a clear message on an unsupported provider or spec.verify",
          "[oci][e2e]")
{
    test::registry reg({.username = "bot", .password = "s3cret"});
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
    auto v1 = push_artifact(reg, "fleet/private", "latest", {{"cm.yaml", config_map_yaml("private")}});
    std::string url = "oci://" + reg.host() + "/fleet/private";
    std::string docker_config =
        fmt::format(R"({{"auths":{{"{}":{{"username":"bot","password":"s3cret"}}}}}})", reg.host());
    cluster.apply_yaml(fmt::format(R"(apiVersion: v1
kind: Secret
metadata: {{name: pull, namespace: default}}
type: kubernetes.io/dockerconfigjson
data: {{.dockerconfigjson: {1}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: private, namespace: default}}
spec: {{url: "{0}", interval: 1h, insecure: true, secretRef: {{name: pull}}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: anonymous, namespace: default}}
spec: {{url: "{0}", interval: 1h, insecure: true}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: aws, namespace: default}}
spec: {{url: "{0}", interval: 1h, provider: aws}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: signed, namespace: default}}
spec: {{url: "{0}", interval: 1h, insecure: true, verify: {{provider: cosign}}}}
)",
                                   url, base64_encode(docker_config)));
    auto first =
        cluster.wait_for(oci_repository, "default", "private", revision_is("latest@" + v1.manifest_digest));

    auto anonymous = cluster.wait_for(oci_repository, "default", "anonymous", [](const value& o) {
        return test::condition_status(o, "FetchFailed") == "True";
    });
    CHECK(test::condition_status(anonymous, "Ready") == "False");

    // Same manifest digest: the stored artifact stays as it was, without pulling the layer again
    // (its blob is gone from the registry, so a pull would fail).
    std::string hex = v1.layer_digest.substr(7);
    REQUIRE(fs::remove_all(reg.data_dir() / "docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex) > 0);
    test::request_reconcile(cluster, oci_repository, "private", "again");
    auto again = cluster.wait_for(oci_repository, "default", "private", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "again";
    });
    CHECK(test::string_at(again, {"status", "artifact", "lastUpdateTime"}) ==
          test::string_at(first, {"status", "artifact", "lastUpdateTime"}));
    CHECK(test::condition_status(again, "Ready") == "True");

    auto aws = cluster.wait_for(oci_repository, "default", "aws", [](const value& o) {
        return test::condition_status(o, "Stalled") == "True";
    });
    CHECK(test::condition_message(aws, "Ready").find("spec.provider") != std::string::npos);
    CHECK(test::condition_message(aws, "Ready").find("not supported") != std::string::npos);
    auto signed_repo = cluster.wait_for(oci_repository, "default", "signed", [](const value& o) {
        return test::condition_status(o, "Stalled") == "True";
    });
    CHECK(test::condition_message(signed_repo, "Ready").find("spec.verify") != std::string::npos);
    CHECK(test::condition_reason(signed_repo, "Ready") == "VerificationError");
}

TEST_CASE("an OCIRepository reaches a TLS registry trusting the ca.crt of its certSecretRef", "[oci][e2e]")
{
    test::registry reg({.tls = true});
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
    auto v1 = push_artifact(reg, "fleet/tls", "1.0.0", {{"cm.yaml", config_map_yaml("tls")}});
    cluster.apply_yaml(fmt::format(R"(apiVersion: v1
kind: Secret
metadata: {{name: registry-ca, namespace: default}}
data: {{ca.crt: {1}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: trusted, namespace: default}}
spec: {{url: "{0}", interval: 1h, ref: {{tag: "1.0.0"}}, certSecretRef: {{name: registry-ca}}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: untrusted, namespace: default}}
spec: {{url: "{0}", interval: 1h, ref: {{tag: "1.0.0"}}}}
)",
                                   "oci://" + reg.host() + "/fleet/tls", base64_encode(reg.ca_pem())));
    cluster.wait_for(oci_repository, "default", "trusted", revision_is("1.0.0@" + v1.manifest_digest));
    auto untrusted = cluster.wait_for(oci_repository, "default", "untrusted", [](const value& o) {
        return test::condition_status(o, "FetchFailed") == "True";
    });
    CHECK(test::condition_status(untrusted, "Ready") == "False");
}

TEST_CASE(
    "an OCIRepository with proxySecretRef pulls from a TLS registry through an authenticating CONNECT proxy",
    "[oci][e2e][proxy]")
{
    test::registry reg({.tls = true});
    test::connect_proxy proxy("proxy-user", "proxy-pass");
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
    auto v1 = push_artifact(reg, "fleet/proxied", "1.0.0", {{"cm.yaml", config_map_yaml("proxied")}});
    cluster.apply_yaml(fmt::format(R"(apiVersion: v1
kind: Secret
metadata: {{name: registry-ca, namespace: default}}
data: {{ca.crt: {1}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: proxy, namespace: default}}
data: {{address: {2}, username: {3}, password: {4}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: proxied, namespace: default}}
spec: {{url: "{0}", interval: 1h, ref: {{tag: "1.0.0"}}, certSecretRef: {{name: registry-ca}}, proxySecretRef: {{name: proxy}}}}
)",
                                   "oci://" + reg.host() + "/fleet/proxied", base64_encode(reg.ca_pem()),
                                   base64_encode(proxy.url()), base64_encode("proxy-user"),
                                   base64_encode("proxy-pass")));
    cluster.wait_for(oci_repository, "default", "proxied", revision_is("1.0.0@" + v1.manifest_digest));
    CHECK(proxy.tunnels() > 0);
}

TEST_CASE("an OCIRepository on an image index stores the linux/amd64 entry under the index digest",
          "[oci][e2e][index]")
{
    test::registry reg;
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
    auto arm = push_artifact(reg, "fleet/multi", "arm", {{"cm.yaml", config_map_yaml("arm64")}});
    auto amd = push_artifact(reg, "fleet/multi", "amd", {{"cm.yaml", config_map_yaml("amd64")}});
    oci::registry_client c(reg.host(), reg.client_options());
    auto size_of = [&](const std::string& digest) {
        return c.get_manifest("fleet/multi", digest)->body.size();
    };
    std::string index = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
        R"({{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"arm64"}}}},)"
        R"({{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}]}})",
        arm.manifest_digest, size_of(arm.manifest_digest), amd.manifest_digest, size_of(amd.manifest_digest));
    auto index_digest = c.put_manifest("fleet/multi", "multi", oci::media_oci_index, index);
    REQUIRE(index_digest);
    cluster.apply_yaml(fmt::format(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\n"
        "metadata: {{name: multi, namespace: default}}\n"
        "spec: {{url: \"oci://{}/fleet/multi\", insecure: true, interval: 1h, ref: {{tag: multi}}}}\n",
        reg.host()));
    value ready = cluster.wait_for(oci_repository, "default", "multi", revision_is("multi@" + *index_digest));
    fs::path out = cluster.dir() / "fetched";
    auto fetched = artifact::fetch_artifact(test::string_at(ready, {"status", "artifact", "url"}),
                                            test::string_at(ready, {"status", "artifact", "digest"}), out);
    REQUIRE(fetched);
    std::ostringstream cm;
    cm << std::ifstream(out / "cm.yaml").rdbuf();
    CHECK_THAT(cm.str(), Catch::Contains("amd64"));
}

TEST_CASE("an OCIRepository with serviceAccountName pulls with the imagePullSecrets of that ServiceAccount",
          "[oci][e2e][serviceaccount]")
{
    test::registry reg({.username = "bot", .password = "s3cret"});
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
    auto v1 = push_artifact(reg, "fleet/sa", "latest", {{"cm.yaml", config_map_yaml("sa")}});
    std::string docker_config =
        fmt::format(R"({{"auths":{{"{}":{{"username":"bot","password":"s3cret"}}}}}})", reg.host());
    cluster.apply_yaml(fmt::format(R"(apiVersion: v1
kind: Secret
metadata: {{name: pull, namespace: default}}
type: kubernetes.io/dockerconfigjson
data: {{.dockerconfigjson: {1}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: puller, namespace: default}}
imagePullSecrets: [{{name: pull}}]
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: by-sa, namespace: default}}
spec: {{url: "oci://{0}/fleet/sa", interval: 1h, insecure: true, serviceAccountName: puller}}
)",
                                   reg.host(), base64_encode(docker_config)));
    cluster.wait_for(oci_repository, "default", "by-sa", revision_is("latest@" + v1.manifest_digest));
}
