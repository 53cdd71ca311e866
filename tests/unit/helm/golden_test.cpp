// `weir helm template` against the golden outputs the Helm project publishes for its own test
// charts (testdata/helm-cmd), compared as data: the same "# Source:" sequence and the same
// parsed documents.
#include "paths.hpp"

#include <weir/core/yaml.hpp>
#include <weir/helm/render.hpp>
#include <weir/helm/values.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace {

std::string slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct doc {
    std::string source;
    weir::value body;
};

// Numbers compare by value: Helm writes 1 where a float64 1.0 was rendered.
bool same(const weir::value& a, const weir::value& b)
{
    if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        if (a.as_array().size() != b.as_array().size()) return false;
        for (std::size_t i = 0; i < a.as_array().size(); ++i)
            if (!same(a.as_array()[i], b.as_array()[i])) return false;
        return true;
    }
    if (a.is_object()) {
        if (a.as_object().size() != b.as_object().size()) return false;
        for (const auto& [k, v] : a.as_object()) {
            const weir::value* o = b.find(k);
            if (!o || !same(v, *o)) return false;
        }
        return true;
    }
    return a == b;
}

std::vector<doc> parse_stream(const std::string& text)
{
    std::vector<doc> out;
    std::size_t pos = 0;
    const std::string marker = "# Source: ";
    while ((pos = text.find(marker, pos)) != std::string::npos) {
        auto eol = text.find('\n', pos);
        std::string source = text.substr(pos + marker.size(), eol - pos - marker.size());
        auto next = text.find("\n---", eol);
        std::string body = text.substr(eol + 1, next == std::string::npos ? std::string::npos : next - eol - 1);
        auto v = weir::parse_yaml(body, {.schema = weir::yaml_schema::kubernetes_1_1});
        REQUIRE(v);
        out.push_back({source, *v});
        pos = eol;
    }
    return out;
}

std::string run_weir(const std::string& args)
{
    auto dir = weir::test::source_dir() / "tests/unit/helm/testdata/helm-cmd";
    std::string cmd = "cd '" + dir.string() + "' && '" + (weir::test::binary_dir() / "bin/weir").string() +
                      "' helm template " + args + " 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

void check_golden(const std::string& args, const std::string& golden)
{
    INFO("weir helm template " << args << " vs " << golden);
    auto want = parse_stream(slurp(weir::test::source_dir() / "tests/unit/helm/testdata/helm-cmd/output" / golden));
    auto got = parse_stream(run_weir(args));
    REQUIRE(!want.empty());
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("document " << i << " from " << want[i].source);
        CHECK(got[i].source == want[i].source);
        CHECK(same(got[i].body, want[i].body));
    }
}

} // namespace

TEST_CASE("helm template output matches Helm's golden files for its subchart test chart", "[helm][golden]")
{
    if (!std::filesystem::exists(weir::test::binary_dir() / "bin/weir")) {
        WARN("skipped: build the weir target first");
        return;
    }
    const std::string base = "release-name testcharts/subchart --kube-version 1.20.0";
    check_golden(base, "template.txt");
    check_golden(base + " --set service.name=apache", "template-set.txt");
    check_golden(base + " --values testcharts/subchart/charts/subchartA/values.yaml", "template-values-files.txt");
    check_golden("release-name testcharts/subchart --kube-version 1.16.0", "template-with-kube-version.txt");
    check_golden(base + " --api-versions helm.k8s.io/test --api-versions helm.k8s.io/test2",
                 "template-with-api-version.txt");
    check_golden(base + " --include-crds", "template-with-crds.txt");
    check_golden(base + " --skip-tests", "template-skip-tests.txt");
}

TEST_CASE("helm template --show-only selects documents by template path and glob as Helm does", "[helm][golden]")
{
    if (!std::filesystem::exists(weir::test::binary_dir() / "bin/weir")) {
        WARN("skipped: build the weir target first");
        return;
    }
    const std::string base = "release-name testcharts/subchart --kube-version 1.20.0";
    check_golden(base + " --show-only templates/service.yaml", "template-show-only-one.txt");
    check_golden(base + " --show-only templates/service.yaml --show-only charts/subcharta/templates/service.yaml",
                 "template-show-only-multiple.txt");
    check_golden(base + " --show-only 'templates/subdir/role*'", "template-show-only-glob.txt");
}

TEST_CASE("helm template sorts objects in Helm's install order and renders library dependencies", "[helm][golden]")
{
    if (!std::filesystem::exists(weir::test::binary_dir() / "bin/weir")) {
        WARN("skipped: build the weir target first");
        return;
    }
    check_golden("release-name testcharts/object-order", "object-order.txt");
    check_golden("release-name testcharts/chart-with-template-lib-dep", "template-chart-with-template-lib-dep.txt");
    check_golden("release-name testcharts/chart-with-template-lib-archive-dep",
                 "template-chart-with-template-lib-archive-dep.txt");
}

namespace {

// Helm prints "Error: INSTALLATION FAILED: " + the error; the rest must be ours exactly.
void check_schema_golden(const std::string& chart_dir, const std::vector<std::string>& sets, const std::string& golden)
{
    INFO(chart_dir << " vs " << golden);
    auto base = weir::test::source_dir() / "tests/unit/helm/testdata/helm-cmd";
    std::string want = slurp(base / "output" / golden);
    const std::string prefix = "Error: INSTALLATION FAILED: ";
    REQUIRE(want.rfind(prefix, 0) == 0);
    want = want.substr(prefix.size());
    want.pop_back(); // the newline Helm's error printer adds
    auto c = weir::helm::load_chart(base / "testcharts" / chart_dir);
    REQUIRE(c);
    weir::value user = weir::object{};
    for (const auto& s : sets) REQUIRE(weir::helm::parse_set(s, user));
    auto out = weir::helm::render_chart(*c, user, {});
    REQUIRE_FALSE(out);
    CHECK(out.err().message == want);
}

} // namespace

TEST_CASE("schema violations read exactly as Helm's golden install errors", "[helm][golden]")
{
    check_schema_golden("chart-with-schema-negative", {}, "schema-negative.txt");
    check_schema_golden("chart-with-schema", {"age=-5"}, "schema-negative-cli.txt");
    check_schema_golden("chart-with-schema-and-subchart", {}, "subchart-schema-negative.txt");
    check_schema_golden("chart-with-schema-and-subchart", {"lastname=doe", "subchart-with-schema.age=-25"},
                        "subchart-schema-cli-negative.txt");
    // The same chart with valid values installs (Helm's "extra values from cli" case).
    auto c = weir::helm::load_chart(weir::test::source_dir() /
                                    "tests/unit/helm/testdata/helm-cmd/testcharts/chart-with-schema-and-subchart");
    REQUIRE(c);
    weir::value user = weir::object{};
    REQUIRE(weir::helm::parse_set("lastname=doe", user));
    REQUIRE(weir::helm::parse_set("subchart-with-schema.age=25", user));
    CHECK(weir::helm::render_chart(*c, user, {}));
}

TEST_CASE("helm template output matches Helm's golden files for null deletion and imported subchart values",
          "[helm][golden]")
{
    if (!std::filesystem::exists(weir::test::binary_dir() / "bin/weir")) {
        WARN("skipped: build the weir target first");
        return;
    }
    check_golden("release-name testcharts/issue-9027 --kube-version 1.20.0", "issue-9027.txt");
    const std::string base = "release-name testcharts/subchart --kube-version 1.20.0";
    check_golden(base + " --set configmap.enabled=true --set subchartb.enabled=true", "template-subchart-cm.txt");
    check_golden(base + " --set configmap.enabled=true --set subchartb.enabled=true --set configmap.value=baz",
                 "template-subchart-cm-set.txt");
    check_golden(base + " -f testcharts/subchart/extra_values.yaml", "template-subchart-cm-set-file.txt");
}
