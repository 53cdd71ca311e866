// Runs a chart's own helm-unittest suites (tests/*_test.yaml): the chart authors' published
// expectations. The subset of helm-unittest that ingress-nginx's and cert-manager's suites use is
// implemented here: `templates` (suite or test), `release`, `set`, `capabilities`, and the
// asserts hasDocuments, isKind, equal, exists, notExists, contains, notContains, isSubset,
// matchRegex (each applied to every rendered document) and matchSnapshot (against the suite's
// committed __snapshot__ file), with helm-unittest's defaults (release RELEASE-NAME in namespace
// NAMESPACE).
#include "paths.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/helm/render.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace {

std::string slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const weir::yaml_parse_options k8s{.schema = weir::yaml_schema::kubernetes_1_1};

// Numbers compare by value (a YAML 3 and a rendered 3.0 are equal, as in Go's reflect on JSON).
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

// helm-unittest paths: a.b[0].c and a["x.y/z"].
const weir::value* at_path(const weir::value& doc, const std::string& path)
{
    const weir::value* cur = &doc;
    std::size_t i = 0;
    while (cur && i < path.size()) {
        if (path[i] == '.') {
            ++i;
            continue;
        }
        if (path[i] == '[') {
            auto close = path.find(']', i);
            std::string inside = path.substr(i + 1, close - i - 1);
            i = close + 1;
            if (!inside.empty() && (inside[0] == '"' || inside[0] == '\'')) {
                cur = cur->is_object() ? cur->find(inside.substr(1, inside.size() - 2)) : nullptr;
            } else {
                std::size_t n = std::stoul(inside);
                cur = cur->is_array() && n < cur->as_array().size() ? &cur->as_array()[n] : nullptr;
            }
            continue;
        }
        auto end = path.find_first_of(".[", i);
        std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
        cur = cur->is_object() ? cur->find(key) : nullptr;
        i = end == std::string::npos ? path.size() : end;
    }
    return cur;
}

// `set` keys are --set style paths; their values are YAML values.
void set_path(weir::value& root, const std::string& path, const weir::value& v)
{
    weir::value* cur = &root;
    std::size_t i = 0;
    while (i < path.size()) {
        std::string key;
        while (i < path.size() && path[i] != '.' && path[i] != '[') {
            if (path[i] == '\\' && i + 1 < path.size()) ++i;
            key += path[i++];
        }
        if (!cur->is_object()) *cur = weir::object{};
        cur = &cur->as_object()[key];
        while (i < path.size() && path[i] == '[') {
            auto close = path.find(']', i);
            std::size_t n = std::stoul(path.substr(i + 1, close - i - 1));
            i = close + 1;
            if (!cur->is_array()) *cur = weir::array{};
            if (cur->as_array().size() <= n) cur->as_array().resize(n + 1);
            cur = &cur->as_array()[n];
        }
        if (i < path.size() && path[i] == '.') ++i;
    }
    *cur = v;
}

struct outcome {
    int tests = 0, asserts = 0;
    std::vector<std::string> failures;
};

void run_assert(const std::string& kind, const weir::value& spec, const std::vector<weir::value>& docs,
                const std::string& where, outcome& out, const weir::value* snapshot = nullptr)
{
    ++out.asserts;
    if (kind == "matchSnapshot") {
        // The snapshot holds one entry per document, numbered from 1.
        if (!snapshot || !snapshot->is_object()) {
            out.failures.push_back(where + ": no snapshot recorded");
            return;
        }
        std::size_t i = 0;
        for (const auto& [n, text] : snapshot->as_object()) {
            auto want = weir::parse_yaml(text.as_string(), k8s);
            REQUIRE(want);
            if (i >= docs.size() || !same(docs[i], *want))
                out.failures.push_back(where + ": document " + n + " differs from the snapshot");
            ++i;
        }
        if (i != docs.size()) out.failures.push_back(where + ": snapshot has " + std::to_string(i) + " documents");
        return;
    }
    auto fail = [&](const std::string& why) { out.failures.push_back(where + ": " + kind + ": " + why); };
    if (kind == "hasDocuments") {
        auto want = spec.find("count")->as_int();
        if (std::int64_t(docs.size()) != want)
            fail("got " + std::to_string(docs.size()) + " documents, want " + std::to_string(want));
        return;
    }
    if (docs.empty()) return fail("no documents rendered");
    for (const auto& d : docs) {
        if (kind == "isKind") {
            if (d.get_string("kind") != spec.get_string("of")) fail("kind is " + std::string(d.get_string("kind")));
            continue;
        }
        std::string path = std::string(spec.get_string("path"));
        const weir::value* v = at_path(d, path);
        if (kind == "exists" && !v) fail(path + " is missing");
        if (kind == "notExists" && v) fail(path + " exists");
        if (kind == "equal" && (!v || !same(*v, *spec.find("value"))))
            fail(path + " is " + (v ? weir::to_json(*v) : "missing") + ", want " + weir::to_json(*spec.find("value")));
        if (kind == "contains" || kind == "notContains") {
            bool found = false;
            if (v && v->is_array())
                for (const auto& e : v->as_array()) found = found || same(e, *spec.find("content"));
            if (kind == "contains" && !found) fail(path + " lacks " + weir::to_json(*spec.find("content")));
            if (kind == "notContains" && found) fail(path + " has " + weir::to_json(*spec.find("content")));
        }
        if (kind == "isSubset") {
            bool okk = v && v->is_object();
            if (okk)
                for (const auto& [k, want] : spec.find("content")->as_object()) {
                    const weir::value* got = v->find(k);
                    okk = okk && got && same(*got, want);
                }
            if (!okk) fail(path + " is " + (v ? weir::to_json(*v) : "missing") + ", not a superset of " +
                           weir::to_json(*spec.find("content")));
        }
        if (kind == "matchRegex") {
            if (!v || !v->is_string() || !std::regex_search(v->as_string(), std::regex(std::string(spec.get_string("pattern")))))
                fail(path + " does not match " + std::string(spec.get_string("pattern")));
        }
    }
}

outcome run_suites(const std::filesystem::path& chart_dir)
{
    outcome out;
    auto chart = weir::helm::load_chart(chart_dir);
    REQUIRE(chart);
    std::vector<std::filesystem::path> suites;
    for (const auto& e : std::filesystem::recursive_directory_iterator(chart_dir / "tests"))
        if (e.path().string().ends_with("_test.yaml")) suites.push_back(e.path());
    std::sort(suites.begin(), suites.end());
    for (const auto& suite_path : suites) {
        auto suite = weir::parse_yaml(slurp(suite_path), k8s);
        REQUIRE(suite);
        std::vector<std::string> suite_templates;
        if (const auto* t = suite->find("templates"))
            for (const auto& e : t->as_array()) suite_templates.push_back(e.as_string());
        weir::value snapshots;
        auto snap_file = suite_path.parent_path() / "__snapshot__" / (suite_path.filename().string() + ".snap");
        if (std::filesystem::exists(snap_file)) {
            auto snap = weir::parse_yaml(slurp(snap_file), k8s);
            REQUIRE(snap);
            snapshots = std::move(*snap);
        }
        for (const auto& test : suite->find("tests")->as_array()) {
            ++out.tests;
            std::string it_name = std::string(test.get_string("it"));
            std::string where = suite_path.filename().string() + " / " + it_name;
            std::vector<std::string> templates = suite_templates;
            if (const auto* t = test.find("templates")) {
                templates.clear();
                for (const auto& e : t->as_array()) templates.push_back(e.as_string());
            }
            weir::value user = weir::object{};
            if (const auto* set = test.find("set"))
                for (const auto& [k, v] : set->as_object()) set_path(user, k, v);
            weir::helm::render_options o;
            o.release.name = "RELEASE-NAME";
            o.release.namespace_ = "NAMESPACE";
            const weir::value* suite_release = suite->find("release");
            for (const weir::value* r : {suite_release, test.find("release")}) {
                if (!r) continue;
                if (r->find("name")) o.release.name = std::string(r->get_string("name"));
                if (r->find("namespace")) o.release.namespace_ = std::string(r->get_string("namespace"));
            }
            if (const auto* caps = test.find("capabilities")) {
                auto num = [&](const char* k) {
                    const auto* v = caps->find(k);
                    return v->is_string() ? v->as_string() : std::to_string(v->as_int());
                };
                if (caps->find("majorVersion"))
                    o.release.caps.kube_version = "v" + num("majorVersion") + "." + num("minorVersion") + ".0";
                if (const auto* apis = caps->find("apiVersions"))
                    for (const auto& a : apis->as_array()) o.release.caps.api_versions.push_back(a.as_string());
            }
            auto rendered = weir::helm::render_chart(*chart, user, o);
            if (!rendered) {
                out.failures.push_back(where + ": render failed: " + rendered.err().message);
                continue;
            }
            for (const auto& a : test.find("asserts")->as_array()) {
                for (const auto& [kind, spec] : a.as_object()) {
                    if (kind == "template" || kind == "documentIndex") continue;
                    std::vector<std::string> selected = templates;
                    if (const auto* t = a.find("template")) selected = {t->as_string()};
                    std::vector<weir::value> docs;
                    for (auto t : selected) {
                        if (t.rfind("templates/", 0) == 0) t = t.substr(10);
                        auto it = rendered->templates.find(chart->metadata.name + "/templates/" + t);
                        if (it == rendered->templates.end()) continue;
                        auto stream = weir::parse_yaml_stream(it->second, k8s);
                        REQUIRE(stream);
                        for (auto& d : *stream)
                            if (!d.is_null()) docs.push_back(std::move(d));
                    }
                    run_assert(kind, spec, docs, where, out, snapshots.is_object() ? snapshots.find(it_name) : nullptr);
                }
            }
        }
    }
    return out;
}

} // namespace

TEST_CASE("ingress-nginx renders as its own helm-unittest suites expect", "[helm][charts][unittest]")
{
    auto out = run_suites(weir::test::source_dir() / "tests/unit/helm/testdata/ingress-nginx");
    for (const auto& f : out.failures) WARN(f);
    CHECK(out.tests > 100);
    CHECK(out.asserts > 250);
    CHECK(out.failures.empty());
    WARN("ingress-nginx helm-unittest: " << out.tests << " tests, " << out.asserts << " asserts, "
                                         << out.failures.size() << " failures");
}

TEST_CASE("cert-manager renders as its own helm-unittest suites and snapshots expect", "[helm][charts][unittest]")
{
    auto out = run_suites(weir::test::source_dir() / "tests/unit/helm/testdata/cert-manager");
    for (const auto& f : out.failures) WARN(f);
    CHECK(out.tests > 50);
    CHECK(out.failures.empty());
    WARN("cert-manager helm-unittest: " << out.tests << " tests, " << out.asserts << " asserts, "
                                        << out.failures.size() << " failures");
}
