// Helm's TestDependencyEnabled and TestProcessDependencyImportValues (helm/helm
// pkg/chart/v2/util/dependencies_test.go) on its `subpop` chart: which subcharts tags and
// conditions keep, and what import-values bring into the parent.
#include "paths.hpp"

#include <weir/core/yaml.hpp>
#include <weir/helm/values.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace {

weir::helm::chart subpop()
{
    auto c = weir::helm::load_chart(weir::test::source_dir() / "tests/unit/helm/testdata/helm-util/subpop");
    REQUIRE(c);
    return *c;
}

void names(const weir::helm::chart& c, const std::string& prefix, std::vector<std::string>& out)
{
    std::string me = prefix.empty() ? c.metadata.name : prefix + "." + c.metadata.name;
    out.push_back(me);
    for (const auto& d : c.dependencies) names(d, me, out);
}

std::vector<std::string> enabled(const std::string& user_yaml)
{
    auto c = subpop();
    REQUIRE(weir::helm::process_dependencies(c, *weir::parse_yaml(user_yaml)));
    std::vector<std::string> out;
    names(c, "", out);
    std::sort(out.begin(), out.end());
    return out;
}

std::string show(const weir::value& v)
{
    if (v.is_string()) return v.as_string();
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    if (v.is_int()) return std::to_string(v.as_int());
    if (v.is_double()) {
        std::ostringstream s;
        s.precision(15);
        s << v.as_double();
        return s.str();
    }
    return "<" + std::string(v.type_name()) + ">";
}

} // namespace

TEST_CASE("tags and conditions enable subcharts as in Helm's TestDependencyEnabled", "[helm][dependencies]")
{
    using v = std::vector<std::string>;
    const std::string p = "parentchart", s1 = p + ".subchart1", s2 = p + ".subchart2";
    CHECK(enabled("tags: {nothinguseful: false}") == v{p, s1, s1 + ".subcharta", s1 + ".subchartb"});
    CHECK(enabled("tags: {front-end: false}") == v{p});
    CHECK(enabled("tags: {front-end: false, back-end: true}") == v{p, s2, s2 + ".subchartb", s2 + ".subchartc"});
    CHECK(enabled("tags: {subcharta: false, subchartb: false}") == v{p, s1, s1 + ".subcharta", s1 + ".subchartb"});
    CHECK(enabled("tags: {front-end: false, subchart1: true, back-end: false}") == v{p, s1});
    CHECK(enabled("subchart1: {enabled: true}\nsubchart2: {enabled: true}") ==
          v{p, s1, s1 + ".subcharta", s1 + ".subchartb", s2});
    CHECK(enabled("subchart1: {enabled: false}\nsubchart2: {enabled: false}") == v{p});
    CHECK(enabled("subchart1: {subcharta: {enabled: false}}") == v{p, s1, s1 + ".subchartb"});
    CHECK(enabled("subchart2: {subchartc: {enabled: false}}\ntags: {back-end: true}") ==
          v{p, s1, s1 + ".subcharta", s1 + ".subchartb", s2, s2 + ".subchartb"});
    CHECK(enabled("subchart1: {enabled: false}\ntags: {front-end: true}") == v{p});
    CHECK(enabled("subchart1: {enabled: false}\nsubchart2alias: {enabled: true, subchartb: {enabled: true}}") ==
          v{p, p + ".subchart2alias", p + ".subchart2alias.subchartb"});
}

TEST_CASE("import-values bring child values into the parent with parent values winning, as in Helm's "
          "TestProcessDependencyImportValues",
          "[helm][dependencies]")
{
    auto c = subpop();
    REQUIRE(weir::helm::process_dependencies(c, weir::object{}));
    const std::pair<const char*, const char*> expect[] = {
        {"imported-chart1.SC1bool", "true"}, {"imported-chart1.SC1float", "3.14"}, {"imported-chart1.SC1int", "100"},
        {"imported-chart1.SC1string", "dollywood"}, {"imported-chart1.SC1extra1", "11"},
        {"imported-chart1.SPextra1", "helm rocks"},
        {"imported-chartA.SCAbool", "false"}, {"imported-chartA.SCAfloat", "3.1"}, {"imported-chartA.SCAint", "55"},
        {"imported-chartA.SCAstring", "jabba"}, {"imported-chartA.SPextra3", "1.337"},
        {"imported-chartA.SC1extra2", "1.337"}, {"imported-chartA.SCAnested1.SCAnested2", "true"},
        {"imported-chartA-B.SCAbool", "false"}, {"imported-chartA-B.SCAfloat", "3.1"},
        {"imported-chartA-B.SCAint", "55"}, {"imported-chartA-B.SCAstring", "jabba"},
        {"imported-chartA-B.SCBbool", "true"}, {"imported-chartA-B.SCBfloat", "7.77"},
        {"imported-chartA-B.SCBint", "33"}, {"imported-chartA-B.SCBstring", "boba"},
        {"imported-chartA-B.SPextra5", "k8s"}, {"imported-chartA-B.SC1extra5", "tiller"},
        {"overridden-chart1.SC1bool", "false"}, {"overridden-chart1.SC1float", "3.141592"},
        {"overridden-chart1.SC1int", "99"}, {"overridden-chart1.SC1string", "pollywog"},
        {"overridden-chart1.SPextra2", "42"},
        {"overridden-chartA.SCAbool", "true"}, {"overridden-chartA.SCAfloat", "41.3"},
        {"overridden-chartA.SCAint", "808"}, {"overridden-chartA.SCAstring", "jabberwocky"},
        {"overridden-chartA.SPextra4", "true"},
        {"overridden-chartA-B.SCAbool", "true"}, {"overridden-chartA-B.SCAfloat", "41.3"},
        {"overridden-chartA-B.SCAint", "808"}, {"overridden-chartA-B.SCAstring", "jabberwocky"},
        {"overridden-chartA-B.SCBbool", "false"}, {"overridden-chartA-B.SCBfloat", "1.99"},
        {"overridden-chartA-B.SCBint", "77"}, {"overridden-chartA-B.SCBstring", "jango"},
        {"overridden-chartA-B.SPextra6", "111"}, {"overridden-chartA-B.SCAextra1", "23"},
        {"overridden-chartA-B.SCBextra1", "13"}, {"overridden-chartA-B.SC1extra6", "77"},
        {"SCBexported1B", "1965"}, {"SC1extra7", "true"}, {"SCBexported2A", "blaster"},
        {"global.SC1exported2.all.SC1exported3", "SC1expstr"},
    };
    for (const auto& [path, want] : expect) {
        INFO(path);
        const weir::value* cur = &c.values;
        std::string p = path;
        std::size_t st = 0;
        while (cur) {
            auto dot = p.find('.', st);
            cur = cur->is_object() ? cur->find(p.substr(st, dot == std::string::npos ? std::string::npos : dot - st)) : nullptr;
            if (dot == std::string::npos) break;
            st = dot + 1;
        }
        REQUIRE(cur);
        CHECK(show(*cur) == want);
    }
    // Helm processes with merge semantics, so a null default survives as null.
    const weir::value* null_kept = c.values.find("ensurenull");
    REQUIRE(null_kept);
    CHECK(null_kept->is_null());
}
