// A chart pushed to a real docker-registry as Helm pushes it (`helm push`: the chart .tgz as a
// layer of media type application/vnd.cncf.helm.chart.content.v1.tar+gzip, Chart.yaml as the
// config blob), fetched by an OCIRepository in the real source-controller and installed by a
// HelmRelease's chartRef in the real helm-controller.
#include "registry.hpp"
#include "release_support.hpp"

#include <weir/core/temp_dir.hpp>

#include <sstream>

using namespace weir;
using namespace weir::test::hr;

namespace {

const kube::gvk oci_repository{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};

// Packages `chart` with the real tar and pushes it; returns the manifest digest.
std::string push_chart(test::registry& reg, const std::string& repository, const test::chart_version& chart)
{
    temp_dir scratch(fs::temp_directory_path(), "helm-push");
    test::write_chart_dir(scratch.path() / chart.name, chart);
    fs::path tgz = scratch.path() / "chart.tgz";
    REQUIRE(test::run_command(
                fmt::format("tar -czf {} -C {} {}", tgz.string(), scratch.path().string(), chart.name)) == 0);
    std::ostringstream bytes;
    bytes << std::ifstream(tgz, std::ios::binary).rdbuf();
    std::string layer = bytes.str();
    std::string config =
        fmt::format(R"({{"apiVersion":"v2","name":"{}","version":"{}"}})", chart.name, chart.version);
    oci::registry_client c(reg.host(), reg.client_options());
    auto ld = c.put_blob(repository, layer);
    auto cd = c.put_blob(repository, config);
    REQUIRE(ld);
    REQUIRE(cd);
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{}","size":{}}},)"
        R"("layers":[{{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"{}","size":{}}}],)"
        R"("annotations":{{"org.opencontainers.image.title":"{}","org.opencontainers.image.version":"{}"}}}})",
        *cd, config.size(), *ld, layer.size(), chart.name, chart.version);
    auto md = c.put_manifest(repository, chart.version, oci::media_oci_manifest, manifest);
    REQUIRE(md);
    return *md;
}

std::string oci_repository_yaml(const test::registry& reg, const std::string& tag)
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: app-chart, namespace: default}}
spec:
  url: oci://{}/charts/app
  interval: 10m
  insecure: true
  ref: {{tag: "{}"}}
  layerSelector: {{mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}}
)",
                       reg.host(), tag);
}

} // namespace

TEST_CASE(
    "a HelmRelease chartRef to an OCIRepository installs a chart pushed to a registry as helm push does, "
    "and upgrades when the OCIRepository moves to a new tag",
    "[integration][helm][oci]")
{
    scratch_dir scratch;
    test::registry reg;
    test::local_cluster c(with_helm(scratch.path));
    auto v1 = push_chart(reg, "charts/app", app_chart("1.0.0"));
    auto next = app_chart("1.1.0");
    next.files["values.yaml"] = "greeting: from 1.1.0\nreplicas: 1\nbroken: false\n";
    auto v2 = push_chart(reg, "charts/app", next);

    c.apply_yaml(oci_repository_yaml(reg, "1.0.0"));
    c.apply_yaml("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: oci, namespace: "
                 "default}\nspec:\n  interval: 10m\n  chartRef: {kind: OCIRepository, name: app-chart}\n");
    value ready = c.wait_for(helm_release, "default", "oci", history_version_is(1), std::chrono::seconds(60));
    // Flux's revision of an OCI chart: the chart version + the first 12 hex digits of the digest.
    std::string rev1 = "1.0.0+" + v1.substr(7, 12);
    CHECK(test::string_at(ready, {"status", "lastAttemptedRevision"}) == rev1);
    CHECK(ready.find_path({"status", "history"})->as_array()[0].get_string("chartVersion") == rev1);
    CHECK(test::condition_message(ready, "Ready") ==
          "Helm install succeeded for release default/oci.v1 with chart app@" + rev1);
    CHECK(config_value(c, "default", "oci-config", "greeting") == "hello");
    value rel = decode_release(c, *c.client().get(secret, "default", "sh.helm.release.v1.oci.v1"));
    CHECK(rel.find_path({"chart", "metadata", "version"})->as_string() == rev1);

    c.apply_yaml(oci_repository_yaml(reg, "1.1.0"));
    value upgraded =
        c.wait_for(helm_release, "default", "oci", history_version_is(2), std::chrono::seconds(60));
    CHECK(test::string_at(upgraded, {"status", "lastAttemptedRevision"}) == "1.1.0+" + v2.substr(7, 12));
    CHECK(config_value(c, "default", "oci-config", "greeting") == "from 1.1.0");
}
