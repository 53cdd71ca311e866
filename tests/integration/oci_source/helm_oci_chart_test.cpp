// HelmChart from a HelmRepository of type oci: charts pushed to the real docker-registry in the
// format `helm push` uses (config application/vnd.cncf.helm.config.v1+json, one layer
// application/vnd.cncf.helm.chart.content.v1.tar+gzip), pulled by the real source-controller.
#include "oci_artifacts.hpp"
#include "support/local_cluster.hpp"

#include <weir/artifact/fetcher.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk helm_chart{"source.toolkit.fluxcd.io", "v1", "HelmChart"};

// `helm package` + `helm push`: <name>/Chart.yaml ... in a tar.gz, tagged with the version.
std::string push_chart(test::registry& reg, const std::string& repository, const std::string& name,
                       const std::string& version)
{
    temp_dir scratch(fs::temp_directory_path(), "oci-chart");
    fs::path root = scratch.path() / "tree" / name;
    fs::create_directories(root / "templates");
    std::ofstream(root / "Chart.yaml")
        << "apiVersion: v2\nname: " << name << "\nversion: " << version << "\n";
    std::ofstream(root / "values.yaml") << "greeting: hello\n";
    std::ofstream(root / "templates" / "cm.yaml")
        << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {g: '{{ .Values.greeting }}'}\n";
    fs::path tgz = scratch.path() / "chart.tgz";
    REQUIRE(artifact::build_tarball(scratch.path() / "tree", tgz));
    std::ostringstream bytes;
    bytes << std::ifstream(tgz, std::ios::binary).rdbuf();
    std::string layer = bytes.str();
    std::string config = fmt::format(R"({{"apiVersion":"v2","name":"{}","version":"{}"}})", name, version);
    oci::registry_client c(reg.host(), reg.client_options());
    auto ld = c.put_blob(repository + "/" + name, layer);
    auto cd = c.put_blob(repository + "/" + name, config);
    REQUIRE(ld);
    REQUIRE(cd);
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{}","size":{}}},)"
        R"("layers":[{{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"{}","size":{}}}]}})",
        *cd, config.size(), *ld, layer.size());
    std::string tag = version;
    std::replace(tag.begin(), tag.end(), '+', '_');
    auto md = c.put_manifest(repository + "/" + name, tag, oci::media_oci_manifest, manifest);
    REQUIRE(md);
    return *md;
}

std::string chart_yaml(const std::string& name, const std::string& version, const std::string& verify = "")
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {{name: {}, "
                       "namespace: default}}\n"
                       "spec: {{chart: podinfo, version: '{}', interval: 1h, sourceRef: {{kind: "
                       "HelmRepository, name: charts}}{}}}\n",
                       name, version, verify.empty() ? "" : ", verify: " + verify);
}

std::string revision_of(const value& o)
{
    return test::string_at(o, {"status", "artifact", "revision"});
}

} // namespace

TEST_CASE(
    "a HelmChart from an OCI HelmRepository pulls the highest version in its range with the repository's "
    "credentials, and one with cosign verify stores only a signed chart",
    "[oci][e2e][helm]")
{
    test::registry reg({.username = "bot", .password = "s3cret"});
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    push_chart(reg, "charts", "podinfo", "1.0.0");
    push_chart(reg, "charts", "podinfo", "1.2.0");
    push_chart(reg, "charts", "podinfo", "2.0.0");
    test::cosign_keypair key;
    c.apply_yaml(fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: "
                             "default}}\ndata: {{username: {}, password: {}}}\n"
                             "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: cosign-pub, namespace: "
                             "default}}\ndata: {{cosign.pub: {}}}\n"
                             "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: "
                             "{{name: charts, namespace: default}}\n"
                             "spec: {{type: oci, url: 'oci://{}/charts', insecure: true, interval: 1h, "
                             "secretRef: {{name: creds}}}}\n",
                             base64_encode("bot"), base64_encode("s3cret"), base64_encode(key.public_pem()),
                             reg.host()));
    c.apply_yaml(chart_yaml("ranged", "^1.0.0"));

    value ready = c.wait_for(helm_chart, "default", "ranged", test::ready_is("True"));
    CHECK(revision_of(ready) == "1.2.0");
    CHECK(test::condition_message(ready, "Ready") == "pulled 'podinfo' chart with version '1.2.0'");
    CHECK(test::condition_status(ready, "SourceVerified").empty());
    fs::path out = c.dir() / "fetched";
    auto fetched = artifact::fetch_artifact(test::string_at(ready, {"status", "artifact", "url"}),
                                            test::string_at(ready, {"status", "artifact", "digest"}), out);
    REQUIRE(fetched);
    std::ostringstream chart;
    chart << std::ifstream(out / "podinfo" / "Chart.yaml").rdbuf();
    CHECK_THAT(chart.str(), Catch::Contains("version: 1.2.0"));

    // verify: the exact version 2.0.0 is unsigned at first, then signed by the Secret's key.
    std::string v2 = push_chart(reg, "charts", "podinfo", "2.0.0");
    c.apply_yaml(chart_yaml("signed", "2.0.0", "{provider: cosign, secretRef: {name: cosign-pub}}"));
    value unsigned_ = c.wait_for(helm_chart, "default", "signed", [](const value& o) {
        return test::condition_status(o, "SourceVerified") == "False";
    });
    CHECK_THAT(
        test::condition_message(unsigned_, "SourceVerified"),
        Catch::StartsWith("failed to verify the signature using provider 'cosign': no signature found"));
    CHECK_FALSE(unsigned_.find_path({"status", "artifact"}));
    test::cosign_sign(reg, "charts/podinfo", v2, key);
    test::request_reconcile(c, helm_chart, "signed", "signed");
    value verified = c.wait_for(helm_chart, "default", "signed", test::ready_is("True"));
    CHECK(revision_of(verified) == "2.0.0");
    CHECK(test::condition_message(verified, "SourceVerified") ==
          "verified signature of revision 2.0.0@" + v2);
}
