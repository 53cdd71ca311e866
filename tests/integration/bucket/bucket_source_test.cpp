// Bucket on loopback: the real source-controller (and kustomize-controller for the end-to-end
// case) against the S3 test server, which checks every request's signature with aws-sdk-go.
#include "connect_proxy.hpp"
#include "s3_server.hpp"
#include "support/local_cluster.hpp"

#include <weir/artifact/tarball.hpp>
#include <weir/core/temp_dir.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk bucket_kind{"source.toolkit.fluxcd.io", "v1", "Bucket"};
const kube::gvk config_map{"", "v1", "ConfigMap"};

// Flux's revision, computed here from the contents: sha256 over sorted "<key> <md5>\n" lines.
std::string expected_revision(const std::map<std::string, std::string>& objects)
{
    std::string lines;
    for (const auto& [key, content] : objects)
        lines += key + " " + test::md5_hex(content) + "\n";
    return "sha256:" + test::sha256_hex_of(lines);
}

// The files of the stored artifact, read from the storage directory and extracted.
std::map<std::string, std::string> artifact_files(test::local_cluster& c, const value& bucket)
{
    fs::path archive = c.dir() / "storage" / test::string_at(bucket, {"status", "artifact", "path"});
    temp_dir out(fs::temp_directory_path(), "bucket-artifact");
    REQUIRE(artifact::extract_tarball(archive, out.path()));
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(out.path())) {
        if (!e.is_regular_file()) continue;
        std::ostringstream s;
        s << std::ifstream(e.path(), std::ios::binary).rdbuf();
        files[fs::relative(e.path(), out.path()).generic_string()] = s.str();
    }
    return files;
}

std::function<bool(const value&)> revision_is(const std::string& revision)
{
    return [revision](const value& o) {
        return test::string_at(o, {"status", "artifact", "revision"}) == revision &&
               test::condition_status(o, "Ready") == "True";
    };
}

std::string secret_yaml(const test::s3_server& s3, const std::string& secret_key)
{
    return fmt::format(R"(apiVersion: v1
kind: Secret
metadata: {{name: s3-keys, namespace: default}}
stringData: {{accesskey: "{}", secretkey: "{}"}}
)",
                       s3.options().access_key, secret_key);
}

std::string bucket_yaml(const test::s3_server& s3, const std::string& name, const std::string& extra)
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {{name: {}, namespace: default}}
spec: {{bucketName: fleet, endpoint: "{}", insecure: true, interval: 1h, secretRef: {{name: s3-keys}}{}}}
)",
                       name, s3.host(), extra);
}

struct bucket_cluster {
    test::s3_server s3{{.page_size = 2}}; // every listing of more than two keys takes pages
    test::local_cluster cluster{
        {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}};
};

} // namespace

TEST_CASE(
    "a Bucket is Ready with the sha256 revision of its key/etag index, and its artifact holds the objects "
    "at their keys",
    "[bucket][integration]")
{
    bucket_cluster t;
    std::map<std::string, std::string> objects{{"apps/cm.yaml", "kind: ConfigMap\n"},
                                               {"apps/deep/x.yaml", "x: 1\n"},
                                               {"infra/ns.yaml", "kind: Namespace\n"},
                                               {"top.yaml", "top\n"},
                                               {"with space.yaml", "spaced\n"}};
    for (const auto& [k, v] : objects)
        t.s3.put("fleet", k, v);
    t.cluster.apply_yaml(secret_yaml(t.s3, t.s3.options().secret_key) + "---\n" +
                         bucket_yaml(t.s3, "fleet", ""));
    auto b = t.cluster.wait_for(bucket_kind, "default", "fleet", revision_is(expected_revision(objects)));

    CHECK(test::condition_status(b, "ArtifactInStorage") == "True");
    CHECK(test::condition_message(b, "Ready") ==
          fmt::format("stored artifact: revision '{}'", expected_revision(objects)));
    std::string path = test::string_at(b, {"status", "artifact", "path"});
    CHECK(path == "bucket/default/fleet/" + expected_revision(objects).substr(7) + ".tar.gz");
    CHECK(test::string_at(b, {"status", "artifact", "digest"}).rfind("sha256:", 0) == 0);
    CHECK(artifact_files(t.cluster, b) == objects);
    CHECK(t.s3.count("list", "fleet", "") >= 3); // 5 keys over pages of 2
}

TEST_CASE(
    "a Bucket keeps only the objects under spec.prefix that the root .sourceignore and spec.ignore keep",
    "[bucket][integration]")
{
    bucket_cluster t;
    t.s3.put("fleet", ".sourceignore", "*.secret.yaml\n");
    t.s3.put("fleet", "apps/cm.yaml", "cm\n");
    t.s3.put("fleet", "apps/README.md", "docs\n");
    t.s3.put("fleet", "apps/db.secret.yaml", "secret\n");
    t.s3.put("fleet", "apps/logo.png", "png\n"); // a default exclusion, kept once user patterns exist
    t.s3.put("fleet", "other/x.yaml", "x\n");
    t.cluster.apply_yaml(secret_yaml(t.s3, t.s3.options().secret_key) + "---\n" +
                         bucket_yaml(t.s3, "fleet", ", prefix: apps/, ignore: \"*.md\""));
    std::map<std::string, std::string> kept{{"apps/cm.yaml", "cm\n"}, {"apps/logo.png", "png\n"}};
    auto b = t.cluster.wait_for(bucket_kind, "default", "fleet", revision_is(expected_revision(kept)));
    CHECK(artifact_files(t.cluster, b) == kept);
    CHECK(test::string_at(b, {"status", "observedIgnore"}) == "*.md");
}

TEST_CASE(
    "a changed object gives a new revision and downloads only that object; an unchanged bucket gives no new "
    "artifact and no download",
    "[bucket][integration]")
{
    bucket_cluster t;
    std::map<std::string, std::string> objects{{"a.yaml", "a\n"}, {"b.yaml", "b\n"}, {"c.yaml", "c\n"}};
    for (const auto& [k, v] : objects)
        t.s3.put("fleet", k, v);
    t.cluster.apply_yaml(secret_yaml(t.s3, t.s3.options().secret_key) + "---\n" +
                         bucket_yaml(t.s3, "fleet", ""));
    auto first = t.cluster.wait_for(bucket_kind, "default", "fleet", revision_is(expected_revision(objects)));
    std::string updated_at = test::string_at(first, {"status", "artifact", "lastUpdateTime"});
    for (const auto& [k, v] : objects)
        CHECK(t.s3.count("get", "fleet", k) == 1);

    test::request_reconcile(t.cluster, bucket_kind, "fleet", "unchanged");
    auto same = t.cluster.wait_for(bucket_kind, "default", "fleet", [](const value& o) {
        return test::string_at(o, {"status", "lastHandledReconcileAt"}) == "unchanged";
    });
    CHECK(test::string_at(same, {"status", "artifact", "revision"}) == expected_revision(objects));
    CHECK(test::string_at(same, {"status", "artifact", "lastUpdateTime"}) == updated_at);
    for (const auto& [k, v] : objects)
        CHECK(t.s3.count("get", "fleet", k) == 1);

    objects["b.yaml"] = "b changed\n";
    objects.erase("c.yaml");
    objects["d.yaml"] = "d\n";
    t.s3.put("fleet", "b.yaml", objects["b.yaml"]);
    t.s3.remove("fleet", "c.yaml");
    t.s3.put("fleet", "d.yaml", objects["d.yaml"]);
    test::request_reconcile(t.cluster, bucket_kind, "fleet", "changed");
    auto next = t.cluster.wait_for(bucket_kind, "default", "fleet", revision_is(expected_revision(objects)));
    CHECK(artifact_files(t.cluster, next) == objects);
    CHECK(t.s3.count("get", "fleet", "a.yaml") == 1);
    CHECK(t.s3.count("get", "fleet", "b.yaml") == 2);
    CHECK(t.s3.count("get", "fleet", "d.yaml") == 1);
}

TEST_CASE(
    "wrong keys make a Bucket FetchFailed with the store's error and what to fix, and keep its last artifact",
    "[bucket][integration]")
{
    bucket_cluster t;
    t.s3.put("fleet", "a.yaml", "a\n");
    t.cluster.apply_yaml(secret_yaml(t.s3, t.s3.options().secret_key) + "---\n" +
                         bucket_yaml(t.s3, "fleet", ""));
    std::string good = expected_revision({{"a.yaml", "a\n"}});
    auto before = t.cluster.wait_for(bucket_kind, "default", "fleet", revision_is(good));

    t.s3.put("fleet", "a.yaml", "a changed\n");
    t.cluster.apply_yaml(secret_yaml(t.s3, "wrong-secret"));
    test::request_reconcile(t.cluster, bucket_kind, "fleet", "wrong-keys");
    auto failed = t.cluster.wait_for(bucket_kind, "default", "fleet", [](const value& o) {
        return test::condition_status(o, "FetchFailed") == "True";
    });
    CHECK(test::condition_status(failed, "Ready") == "False");
    CHECK(test::condition_reason(failed, "FetchFailed") == "BucketOperationFailed");
    std::string msg = test::condition_message(failed, "FetchFailed");
    CHECK(msg.find("SignatureDoesNotMatch") != std::string::npos);
    CHECK(msg.find("secretkey") != std::string::npos);
    CHECK(msg.find("fleet") != std::string::npos);
    CHECK(test::string_at(failed, {"status", "artifact", "revision"}) == good);
    CHECK(test::string_at(failed, {"status", "artifact", "digest"}) ==
          test::string_at(before, {"status", "artifact", "digest"}));
    CHECK(fs::exists(t.cluster.dir() / "storage" / test::string_at(failed, {"status", "artifact", "path"})));
}

TEST_CASE("a Bucket with provider gcp, or aws without a secretRef, stalls naming what weir does not support",
          "[bucket][integration]")
{
    bucket_cluster t;
    t.cluster.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {{name: gcs, namespace: default}}
spec: {{bucketName: fleet, endpoint: "{0}", interval: 1h, provider: gcp}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {{name: iam, namespace: default}}
spec: {{bucketName: fleet, endpoint: "s3.amazonaws.com", interval: 1h, provider: aws, region: us-east-1}}
)",
                                     t.s3.host()));
    auto stalled = [](const value& o) { return test::condition_status(o, "Stalled") == "True"; };
    auto gcs = t.cluster.wait_for(bucket_kind, "default", "gcs", stalled);
    CHECK(test::condition_reason(gcs, "Stalled") == "InvalidProviderConfiguration");
    CHECK(test::condition_message(gcs, "Ready").find("\"gcp\" is not supported") != std::string::npos);
    auto iam = t.cluster.wait_for(bucket_kind, "default", "iam", stalled);
    CHECK(test::condition_message(iam, "Ready").find("instance credentials") != std::string::npos);
    CHECK(t.s3.log().empty()); // nothing was asked of any store
}

TEST_CASE(
    "a Bucket reaches an https store through an authenticating proxy from proxySecretRef, trusting the CA "
    "of certSecretRef",
    "[bucket][integration]")
{
    test::s3_server s3({.tls = true});
    test::connect_proxy proxy("pu", "pp");
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    s3.put("fleet", "a.yaml", "over tls\n");
    std::string ca;
    for (char ch : s3.ca_pem())
        ca += ch == '\n' ? std::string("\n    ") : std::string(1, ch);
    c.apply_yaml(secret_yaml(s3, s3.options().secret_key) + fmt::format(R"(---
apiVersion: v1
kind: Secret
metadata: {{name: s3-ca, namespace: default}}
stringData:
  ca.crt: |
    {}
---
apiVersion: v1
kind: Secret
metadata: {{name: s3-proxy, namespace: default}}
stringData: {{address: "{}", username: pu, password: pp}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {{name: fleet, namespace: default}}
spec: {{bucketName: fleet, endpoint: "{}", interval: 1h, secretRef: {{name: s3-keys}}, certSecretRef: {{name: s3-ca}},
        proxySecretRef: {{name: s3-proxy}}}}
)",
                                                                        ca, proxy.url(), s3.host()));
    auto b = c.wait_for(bucket_kind, "default", "fleet",
                        revision_is(expected_revision({{"a.yaml", "over tls\n"}})));
    CHECK(artifact_files(c, b) == std::map<std::string, std::string>{{"a.yaml", "over tls\n"}});
    CHECK(proxy.tunnels() >= 2); // the listing and the download
}

TEST_CASE("a Kustomization with sourceRef kind Bucket applies the bucket's objects, and a changed object is "
          "applied without a reconcile request",
          "[bucket][e2e]")
{
    test::s3_server s3;
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN,
                           .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
                           .kustomize_controller = WEIR_KUSTOMIZE_CONTROLLER_BIN});
    auto cm = [](const std::string& greeting) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: default\ndata:\n"
               "  greeting: " +
               greeting + "\n";
    };
    s3.put("fleet", "apps/cm.yaml", cm("hello"));
    s3.put("fleet", "README.md", "not applied\n");
    c.apply_yaml(secret_yaml(s3, s3.options().secret_key) + "---\n" + bucket_yaml(s3, "fleet", "") +
                 R"(---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: default}
spec: {interval: 1h, path: ./apps, prune: true, sourceRef: {kind: Bucket, name: fleet}}
)");
    auto greeting = [&] {
        auto got = c.client().get(config_map, "default", "greeting");
        return got ? test::string_at(*got, {"data", "greeting"}) : std::string();
    };
    std::string rev1 = expected_revision({{"apps/cm.yaml", cm("hello")}, {"README.md", "not applied\n"}});
    c.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == rev1 &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(greeting() == "hello");

    s3.put("fleet", "apps/cm.yaml", cm("bonjour"));
    std::string rev2 = expected_revision({{"apps/cm.yaml", cm("bonjour")}, {"README.md", "not applied\n"}});
    test::request_reconcile(c, bucket_kind, "fleet",
                            "new-object"); // the Bucket's 1h interval, not the Kustomization's
    c.wait_for(test::kustomization_kind, "default", "apps", [&](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == rev2 &&
               test::condition_status(o, "Ready") == "True";
    });
    CHECK(greeting() == "bonjour");
}

TEST_CASE("a HelmChart from a Bucket packages the chart at its path, and a changed chart in the bucket is "
          "packaged again without a request",
          "[bucket][integration]")
{
    bucket_cluster t;
    auto put_chart = [&](const std::string& version) {
        t.s3.put("fleet", "charts/hello/Chart.yaml",
                 "apiVersion: v2\nname: hello\nversion: " + version + "\n");
        t.s3.put("fleet", "charts/hello/templates/cm.yaml",
                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n");
    };
    put_chart("0.1.0");
    t.cluster.apply_yaml(secret_yaml(t.s3, t.s3.options().secret_key) + "---\n" +
                         bucket_yaml(t.s3, "fleet", "") +
                         R"(---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: hello, namespace: default}
spec:
  chart: ./charts/hello
  interval: 1h
  sourceRef: {kind: Bucket, name: fleet}
)");
    const kube::gvk helm_chart{"source.toolkit.fluxcd.io", "v1", "HelmChart"};
    auto chart_at = [](const std::string& version) {
        return [version](const value& o) {
            return test::string_at(o, {"status", "artifact", "revision"}) == version &&
                   test::condition_status(o, "Ready") == "True";
        };
    };
    auto hc = t.cluster.wait_for(helm_chart, "default", "hello", chart_at("0.1.0"));
    CHECK(test::string_at(hc, {"status", "observedChartName"}) == "hello");
    CHECK(test::condition_message(hc, "Ready") == "packaged 'hello' chart with version '0.1.0'");

    put_chart("0.2.0");
    test::request_reconcile(t.cluster, bucket_kind, "fleet", "chart-0.2.0");
    t.cluster.wait_for(helm_chart, "default", "hello", chart_at("0.2.0"));
}
