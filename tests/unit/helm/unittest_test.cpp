// Runs a chart's own helm-unittest suites (tests/*_test.yaml): the chart authors' published
// expectations. The subset of helm-unittest that ingress-nginx's and cert-manager's suites use is
// implemented here: `templates`/`template` (globs) and `excludeTemplates`, `release`, `set`
// (suite and test, merged), `capabilities`, `documentIndex`, `documentSelector`, and the asserts
// hasDocuments, isKind, isAPIVersion, equal, exists, notExists, contains (with `any`),
// notContains, isSubset, matchRegex over every selected document (paths with [n], [-1], [*] and
// ["key"]), matchSnapshot (against the suite's committed __snapshot__ file), failedTemplate and
// notFailedTemplate, with helm-unittest's defaults (release RELEASE-NAME in namespace NAMESPACE;
// Chart.yaml's kubeVersion is not checked, as helm-unittest drives Helm's engine directly).
#include "paths.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/helm/render.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fnmatch.h>

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

std::vector<const weir::value*> all_at_path(const weir::value& doc, const std::string& path);

// helm-unittest paths: a.b[0].c, a["x.y/z"], a[-1]; with [*] see all_at_path.
const weir::value* at_path(const weir::value& doc, const std::string& path)
{
    if (path.find("[*]") != std::string::npos) {
        auto all = all_at_path(doc, path);
        return all.empty() ? nullptr : all.front();
    }
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
                long n = std::stol(inside); // helm-unittest counts negative indices from the end
                if (cur->is_array() && n < 0) n += static_cast<long>(cur->as_array().size());
                cur = cur->is_array() && n >= 0 && std::size_t(n) < cur->as_array().size() ? &cur->as_array()[std::size_t(n)]
                                                                                          : nullptr;
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

// Every value a path with [*] wildcards reaches.
std::vector<const weir::value*> all_at_path(const weir::value& doc, const std::string& path)
{
    auto star = path.find("[*]");
    if (star == std::string::npos) {
        const weir::value* v = at_path(doc, path);
        return v ? std::vector<const weir::value*>{v} : std::vector<const weir::value*>{};
    }
    std::vector<const weir::value*> out;
    const weir::value* list = star == 0 ? &doc : at_path(doc, path.substr(0, star));
    if (!list || !list->is_array()) return out;
    std::string rest = path.substr(star + 3);
    if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
    for (const auto& e : list->as_array()) {
        if (rest.empty()) out.push_back(&e);
        else
            for (const auto* v : all_at_path(e, rest)) out.push_back(v);
    }
    return out;
}

// A test's `set` merges into its suite's: maps merge key by key, anything else replaces.
void merge_into(weir::value& dst, const weir::value& src)
{
    if (dst.is_object() && src.is_object()) {
        for (const auto& [k, v] : src.as_object()) merge_into(dst.as_object()[k], v);
        return;
    }
    dst = src;
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
    merge_into(*cur, v);
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
        if (kind == "isAPIVersion") {
            if (d.get_string("apiVersion") != spec.get_string("of"))
                fail("apiVersion is " + std::string(d.get_string("apiVersion")));
            continue;
        }
        std::string path = std::string(spec.get_string("path"));
        const weir::value* v = at_path(d, path);
        if (kind == "exists" && all_at_path(d, path).empty()) fail(path + " is missing");
        if (kind == "notExists" && v) fail(path + " exists");
        if (kind == "equal" && (!v || !same(*v, *spec.find("value"))))
            fail(path + " is " + (v ? weir::to_json(*v) : "missing") + ", want " + weir::to_json(*spec.find("value")));
        if (kind == "contains" || kind == "notContains") {
            bool found = false;
            const weir::value& content = *spec.find("content");
            bool any = spec.find("any") && spec.find("any")->is_bool() && spec.find("any")->as_bool();
            auto subset = [&](const weir::value& e) {
                if (!e.is_object() || !content.is_object()) return same(e, content);
                for (const auto& [k, w] : content.as_object()) {
                    const weir::value* g = e.find(k);
                    if (!g || !same(*g, w)) return false;
                }
                return true;
            };
            if (v && v->is_array())
                for (const auto& e : v->as_array()) found = found || (any ? subset(e) : same(e, content));
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
    for (const char* folder : {"tests", "unittests"})
        if (std::filesystem::exists(chart_dir / folder))
            for (const auto& e : std::filesystem::recursive_directory_iterator(chart_dir / folder))
                if (e.path().string().ends_with("_test.yaml")) suites.push_back(e.path());
    std::sort(suites.begin(), suites.end());
    for (const auto& suite_path : suites) {
        auto suite = weir::parse_yaml(slurp(suite_path), k8s);
        REQUIRE(suite);
        const weir::value* suite_set = suite->find("set");
        std::vector<std::string> excluded;
        if (const auto* x = suite->find("excludeTemplates"))
            for (const auto& e : x->as_array()) excluded.push_back(chart->metadata.name + "/templates/" + e.as_string());
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
            if (const auto* t = test.find("template")) templates = {t->as_string()};
            weir::value user = weir::object{};
            for (const weir::value* set : {suite_set, test.find("set")})
                if (set && set->is_object())
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
            // helm-unittest drives Helm's engine directly, which does not check Chart.yaml's
            // kubeVersion against the capabilities.
            weir::helm::chart unchecked = *chart;
            unchecked.metadata.kube_version.clear();
            auto rendered = weir::helm::render_chart(unchecked, user, o);
            const weir::value* failed = nullptr;
            for (const auto& a : test.find("asserts")->as_array())
                if (const auto* f = a.find("failedTemplate")) failed = f;
            if (failed) {
                ++out.asserts;
                std::string want = std::string(failed->get_string("errorMessage"));
                if (rendered) out.failures.push_back(where + ": failedTemplate: rendering succeeded");
                else if (!rendered.err().message.ends_with(want))
                    out.failures.push_back(where + ": failedTemplate: got " + rendered.err().message);
                continue;
            }
            if (!rendered) {
                out.failures.push_back(where + ": render failed: " + rendered.err().message);
                continue;
            }
            for (const auto& a : test.find("asserts")->as_array()) {
                for (const auto& [kind, spec] : a.as_object()) {
                    if (kind == "template" || kind == "documentIndex" || kind == "documentSelector") continue;
                    if (kind == "notFailedTemplate") { // rendering succeeded, or we would not be here
                        ++out.asserts;
                        continue;
                    }
                    std::vector<std::string> selected = templates;
                    if (const auto* t = a.find("template")) selected = {t->as_string()};
                    std::vector<weir::value> docs;
                    std::vector<const std::string*> texts;
                    for (auto t : selected) {
                        if (t.rfind("templates/", 0) == 0) t = t.substr(10);
                        std::string want = chart->metadata.name + "/templates/" + t;
                        for (const auto& [name, text] : rendered->templates) {
                            bool skip = false;
                            for (const auto& x : excluded) skip = skip || fnmatch(x.c_str(), name.c_str(), 0) == 0;
                            if (!skip && fnmatch(want.c_str(), name.c_str(), 0) == 0) texts.push_back(&text);
                        }
                    }
                    for (const std::string* text : texts) {
                        auto stream = weir::parse_yaml_stream(*text, k8s);
                        REQUIRE(stream);
                        for (auto& d : *stream)
                            if (!d.is_null()) docs.push_back(std::move(d));
                    }
                    const weir::value* index = a.find("documentIndex");
                    if (!index) index = test.find("documentIndex");
                    const weir::value* sel = a.find("documentSelector");
                    if (!sel) sel = test.find("documentSelector");
                    if (sel && kind != "hasDocuments") {
                        std::vector<weir::value> picked;
                        for (auto& d : docs) {
                            const weir::value* got = at_path(d, std::string(sel->get_string("path")));
                            if (got && same(*got, *sel->find("value"))) picked.push_back(d);
                        }
                        docs = std::move(picked);
                    }
                    if (index && index->is_int() && kind != "hasDocuments") {
                        auto i = static_cast<std::size_t>(index->as_int());
                        docs = i < docs.size() ? std::vector<weir::value>{docs[i]} : std::vector<weir::value>{};
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

// Hidden: runs the helm-unittest suites of any chart, for exploring charts that are not in the
// test data: WEIR_HELM_UNITTEST_CHART=/path/to/chart helm_test "[.explore]"
TEST_CASE("a chart named by WEIR_HELM_UNITTEST_CHART passes its helm-unittest suites", "[.explore]")
{
    const char* dir = std::getenv("WEIR_HELM_UNITTEST_CHART");
    REQUIRE(dir);
    auto out = run_suites(dir);
    for (const auto& f : out.failures) WARN(f);
    WARN(dir << ": " << out.tests << " tests, " << out.asserts << " asserts, " << out.failures.size() << " failures");
    CHECK(out.failures.empty());
}

TEST_CASE("kube-prometheus-stack and its grafana, kube-state-metrics and crds subcharts pass their helm-unittest "
          "suites",
          "[helm][charts][unittest]")
{
    const auto base = weir::test::source_dir() / "tests/unit/helm/testdata/kube-prometheus-stack";
    int tests = 0;
    for (const auto& dir : {base, base / "charts/grafana", base / "charts/kube-state-metrics", base / "charts/crds"}) {
        auto out = run_suites(dir);
        for (const auto& f : out.failures) WARN(f);
        CHECK(out.failures.empty());
        tests += out.tests;
    }
    CHECK(tests > 150);
}
