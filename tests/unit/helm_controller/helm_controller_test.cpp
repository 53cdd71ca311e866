#include "drift.hpp"
#include "helm_index.hpp"
#include "helm_package.hpp"
#include "release_status.hpp"
#include "values.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

value yaml(std::string_view text)
{
    auto v = parse_yaml(text);
    REQUIRE(v);
    return *v;
}

const char* index_text = R"(apiVersion: v1
entries:
  podinfo:
  - {name: podinfo, version: 6.1.0, urls: [podinfo-6.1.0.tgz], digest: abc}
  - {name: podinfo, version: 6.0.3, urls: ["https://cdn.example.com/podinfo-6.0.3.tgz"]}
  - {name: podinfo, version: 7.0.0-rc.1, urls: [podinfo-7.0.0-rc.1.tgz]}
  - {name: podinfo, version: 5.2.0, urls: [podinfo-5.2.0.tgz]}
)";

} // namespace

TEST_CASE("helm index: a range selects the highest matching stable version, an exact version wins",
          "[helm_controller]")
{
    auto idx = source::helm_index::parse(index_text);
    REQUIRE(idx);
    CHECK(idx->select("podinfo", "*")->version == "6.1.0");
    CHECK(idx->select("podinfo", "")->version == "6.1.0");
    CHECK(idx->select("podinfo", "6.0.x")->version == "6.0.3");
    CHECK(idx->select("podinfo", "<6.0.0")->version == "5.2.0");
    CHECK(idx->select("podinfo", ">=7.0.0-0")->version == "7.0.0-rc.1");
    CHECK(idx->select("podinfo", "6.1.0")->digest == "abc");
    auto none = idx->select("podinfo", ">=8");
    REQUIRE_FALSE(none);
    CHECK(none.err().message == "no 'podinfo' chart with version matching '>=8' found");
    CHECK_FALSE(idx->select("nginx", "*"));
    CHECK_FALSE(source::helm_index::parse("<html>not an index</html>"));
}

TEST_CASE("helm index: chart URLs resolve against the repository URL as a directory", "[helm_controller]")
{
    CHECK(source::resolve_chart_url("http://h:8080/charts", "a-1.0.0.tgz") ==
          "http://h:8080/charts/a-1.0.0.tgz");
    CHECK(source::resolve_chart_url("http://h:8080/charts/", "./a-1.0.0.tgz") ==
          "http://h:8080/charts/a-1.0.0.tgz");
    CHECK(source::resolve_chart_url("http://h/charts/", "/dl/a.tgz") == "http://h/dl/a.tgz");
    CHECK(source::resolve_chart_url("http://h/charts/", "https://cdn/a.tgz") == "https://cdn/a.tgz");
    CHECK(source::url_host("https://user:pw@charts.example.com:8443/x") == "charts.example.com:8443");
}

TEST_CASE("values files merge in order, maps deeply, and a missing file is an error unless ignored",
          "[helm_controller]")
{
    temp_dir dir(fs::temp_directory_path(), "weir-values");
    std::ofstream(dir.path() / "a.yaml") << "image: {repo: x, tag: '1'}\nlist: [1, 2]\n";
    std::ofstream(dir.path() / "b.yaml") << "image: {tag: '2'}\nlist: [3]\n";
    auto merged = source::merge_values_files(dir.path(), {"a.yaml", "b.yaml"}, false);
    REQUIRE(merged);
    REQUIRE(merged->has_value());
    CHECK(**merged == yaml("image: {repo: x, tag: '2'}\nlist: [3]\n"));
    CHECK_FALSE(source::merge_values_files(dir.path(), {"a.yaml", "missing.yaml"}, false));
    std::vector<std::string> used;
    auto tolerant = source::merge_values_files(dir.path(), {"a.yaml", "missing.yaml"}, true, &used);
    REQUIRE(tolerant);
    CHECK(used == std::vector<std::string>{"a.yaml"});
    CHECK_FALSE(source::merge_values_files(dir.path(), {"../etc/passwd"}, true));
}

TEST_CASE("a packaged chart has its entries under the chart name and leaves out .helmignore matches",
          "[helm_controller]")
{
    temp_dir dir(fs::temp_directory_path(), "weir-package");
    fs::create_directories(dir.path() / "chart" / "templates");
    std::ofstream(dir.path() / "chart" / "Chart.yaml") << "apiVersion: v2\nname: demo\nversion: 0.1.0\n";
    std::ofstream(dir.path() / "chart" / "templates" / "cm.yaml") << "kind: ConfigMap\n";
    std::ofstream(dir.path() / "chart" / "secret.txt") << "x\n";
    std::ofstream(dir.path() / "chart" / ".helmignore") << "*.txt\n";
    auto meta = source::read_chart_metadata(dir.path() / "chart", "chart");
    REQUIRE(meta);
    CHECK(meta->name == "demo");
    REQUIRE(source::write_chart(dir.path() / "chart", "0.1.0+abc", yaml("a: 1")));
    auto built = source::package_chart(dir.path() / "chart", "demo", dir.path() / "demo.tgz");
    REQUIRE(built);
    auto x = artifact::extract_tarball(dir.path() / "demo.tgz", dir.path() / "out");
    REQUIRE(x);
    CHECK(fs::exists(dir.path() / "out" / "demo" / "templates" / "cm.yaml"));
    CHECK_FALSE(fs::exists(dir.path() / "out" / "demo" / "secret.txt"));
    CHECK(source::read_chart_metadata(dir.path() / "out" / "demo", "demo")->version == "0.1.0+abc");
    // The same tree packs to the same bytes.
    auto again = source::package_chart(dir.path() / "chart", "demo", dir.path() / "demo2.tgz");
    REQUIRE(again);
    CHECK(again->digest == built->digest);
}

TEST_CASE("the config digest does not depend on key order and changes with any value", "[helm_controller]")
{
    std::string a = helm_controller::config_digest(yaml("a: 1\nb: {c: 2, d: 3}\n"));
    CHECK(a == helm_controller::config_digest(yaml("b: {d: 3, c: 2}\na: 1\n")));
    CHECK(a != helm_controller::config_digest(yaml("a: 1\nb: {c: 2, d: 4}\n")));
    CHECK(a.rfind("sha256:", 0) == 0);
    CHECK(helm_controller::values_checksum(yaml("a: 1")).size() == 40);
}

TEST_CASE("drift ignore rules remove JSON pointer paths, escapes included", "[helm_controller]")
{
    value obj = yaml("spec: {replicas: 3, template: {x: 1}}\nmetadata: {annotations: {a/b: c, keep: "
                     "d}}\nlist: [a, b, c]\n");
    helm_controller::remove_pointer(obj, "/spec/replicas");
    helm_controller::remove_pointer(obj, "/metadata/annotations/a~1b");
    helm_controller::remove_pointer(obj, "/list/1");
    helm_controller::remove_pointer(obj, "/does/not/exist");
    CHECK(obj == yaml("spec: {template: {x: 1}}\nmetadata: {annotations: {keep: d}}\nlist: [a, c]\n"));
}

TEST_CASE("release names follow Flux: target namespace prefix, and a hash suffix past 53 characters",
          "[helm_controller]")
{
    auto spec_of = [](const std::string& y) {
        auto s = api::helm_v2::helm_release_spec::from(yaml(y));
        REQUIRE(s);
        return *s;
    };
    value hr = yaml("metadata: {name: podinfo, namespace: apps}");
    const char* base = "metadata: {name: podinfo, namespace: apps}\nspec: {interval: 1m, chartRef: {kind: "
                       "HelmChart, name: c}";
    CHECK(helm_controller::release_name_for(hr, spec_of(std::string(base) + "}")) == "podinfo");
    CHECK(helm_controller::release_name_for(hr, spec_of(std::string(base) + ", targetNamespace: prod}")) ==
          "prod-podinfo");
    CHECK(helm_controller::release_name_for(hr, spec_of(std::string(base) + ", releaseName: web}")) == "web");
    std::string long_ns(60, 'n');
    std::string name = helm_controller::release_name_for(
        hr, spec_of(std::string(base) + ", targetNamespace: " + long_ns + "}"));
    CHECK(name.size() == 53);
    CHECK(name.substr(0, 41) == std::string(40, 'n') + "-");
}

TEST_CASE("history keeps five snapshots, newest first, one per release version", "[helm_controller]")
{
    value status = object{};
    for (int v = 1; v <= 7; ++v) {
        helm::release r;
        r.name = "web";
        r.namespace_ = "apps";
        r.version = v;
        r.info.status = "deployed";
        r.info.last_deployed = "2026-11-22T02:42:19.123456789Z";
        r.chart = yaml("metadata: {name: web, version: 1.0.0, appVersion: '2'}");
        helm_controller::record_snapshot(status, helm_controller::snapshot_of(r, "sha256:x"));
    }
    helm::release again;
    again.name = "web";
    again.version = 7;
    again.chart = yaml("metadata: {name: web, version: 1.0.1}");
    helm_controller::record_snapshot(status, helm_controller::snapshot_of(again, "sha256:y"));
    const auto& h = status.find("history")->as_array();
    REQUIRE(h.size() == 5);
    CHECK(h[0].find("version")->as_int() == 7);
    CHECK(h[0].get_string("chartVersion") == "1.0.1");
    CHECK(h[1].find("version")->as_int() == 6);
    CHECK(h[4].find("version")->as_int() == 3);
    CHECK(h[1].get_string("lastDeployed") == "2026-11-22T02:42:19Z");
    CHECK(h[1].get_string("appVersion") == "2");
}
