// Real charts and chart forms: a Bitnami chart with its `common` library, .tgz archives,
// lookup through the cluster interface, and a release record built from a render.
#include "paths.hpp"

#include <weir/core/yaml.hpp>
#include <weir/helm/release.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {

std::filesystem::path data(const std::string& rel) { return weir::test::source_dir() / "tests/unit/helm/testdata" / rel; }

weir::value parse(const std::string& text)
{
    auto v = weir::parse_yaml(text, {.schema = weir::yaml_schema::kubernetes_1_1});
    REQUIRE(v);
    return *v;
}

struct fake_cluster final : weir::helm::cluster_lookup {
    std::vector<std::string> calls;
    weir::result<weir::value> lookup(std::string_view api_version, std::string_view kind, std::string_view ns,
                                     std::string_view name) override
    {
        calls.push_back(std::string(api_version) + "/" + std::string(kind) + "/" + std::string(ns) + "/" +
                        std::string(name));
        if (kind == "Secret" && name == "existing")
            return parse("apiVersion: v1\nkind: Secret\nmetadata: {name: existing}\ndata: {password: c2VjcmV0}\n");
        return weir::value(weir::object{});
    }
};

} // namespace

TEST_CASE("Bitnami nginx renders through its common library with Helm's names, labels, order and schema",
          "[helm][charts]")
{
    auto c = weir::helm::load_chart(data("bitnami/nginx"));
    REQUIRE(c);
    REQUIRE(c->dependencies.size() == 1);
    CHECK(c->dependencies[0].metadata.is_library());
    weir::helm::render_options o;
    o.release.name = "web";
    o.release.namespace_ = "prod";
    auto out = weir::helm::render_chart(*c, parse("service: {type: ClusterIP}\ningress: {enabled: true, hostname: web.example.com}\n"), o);
    INFO((out ? std::string() : out.err().message));
    REQUIRE(out);
    std::vector<std::string> kinds;
    for (const auto& m : out->manifests) kinds.push_back(m.kind);
    // Helm's install order: NetworkPolicy < PodDisruptionBudget < ServiceAccount < Secret < Service
    // < Deployment < Ingress.
    CHECK(kinds == std::vector<std::string>{"NetworkPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret",
                                            "Service", "Deployment", "Ingress"});
    for (const auto& m : out->manifests) {
        INFO(m.path);
        auto doc = parse(m.content);
        // common.names.fullname: release name + chart name; labels from common.labels.standard.
        CHECK(m.name.rfind("web-nginx", 0) == 0);
        CHECK(doc.find_path({"metadata", "namespace"})->as_string() == "prod");
        const weir::value* labels = doc.find_path({"metadata", "labels"});
        REQUIRE(labels);
        CHECK(labels->get_string("app.kubernetes.io/instance") == "web");
        CHECK(labels->get_string("app.kubernetes.io/managed-by") == "Helm");
        CHECK(labels->get_string("helm.sh/chart") == "nginx-" + c->metadata.version);
        CHECK(labels->get_string("app.kubernetes.io/version") == c->metadata.app_version);
    }
    auto dep = parse(out->manifests[5].content);
    const auto& ctr = dep.find_path({"spec", "template", "spec", "containers"})->as_array()[0];
    const weir::value* img = c->values.find_path({"image"});
    CHECK(ctr.get_string("image") == std::string(img->get_string("registry")) + "/" +
                                         std::string(img->get_string("repository")) + ":" +
                                         std::string(img->get_string("tag")));
    auto svc = parse(out->manifests[4].content);
    CHECK(svc.find_path({"spec", "type"})->as_string() == "ClusterIP");
    auto ing = parse(out->manifests[6].content);
    CHECK(ing.find_path({"spec", "rules"})->as_array()[0].get_string("host") == "web.example.com");
    // The auto-generated TLS Secret holds a certificate made by genCA/genSignedCert.
    auto tls = parse(out->manifests[3].content);
    CHECK(tls.get_string("type") == "kubernetes.io/tls");
    CHECK(!tls.find_path({"data", "tls.crt"})->as_string().empty());
    // values.schema.json is enforced.
    auto bad = weir::helm::render_chart(*c, parse("replicaCount: many\n"), o);
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("- at '/replicaCount': got string, want integer") != std::string::npos);
}

TEST_CASE("a .tgz chart loads from bytes as from a directory; a corrupt archive is a clear error", "[helm][charts]")
{
    auto dir = data("helm-cmd/testcharts/chart-with-template-lib-archive-dep/charts");
    std::filesystem::path tgz;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".tgz") tgz = e.path();
    REQUIRE(!tgz.empty());
    std::ifstream in(tgz, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto c = weir::helm::load_chart_archive(ss.str(), tgz.filename().string());
    REQUIRE(c);
    CHECK(!c->metadata.name.empty());
    CHECK(!c->templates.empty());
    auto from_file = weir::helm::load_chart(tgz);
    REQUIRE(from_file);
    CHECK(from_file->metadata.name == c->metadata.name);
    auto bad = weir::helm::load_chart_archive("not a tarball", "broken.tgz");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("broken.tgz") != std::string::npos);
    CHECK(bad.err().terminal());
    auto missing = weir::helm::load_chart_files({{"values.yaml", "a: 1"}}, "nochart");
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message == "nochart: Chart.yaml file is missing");
}

TEST_CASE("lookup asks the cluster interface and is an empty map offline", "[helm][charts]")
{
    weir::helm::chart c;
    c.metadata = {.api_version = "v2", .name = "l", .version = "1.0.0"};
    c.templates.push_back({"templates/s.yaml",
                           "{{- $s := lookup \"v1\" \"Secret\" .Release.Namespace \"existing\" -}}\n"
                           "pw: {{ if $s }}{{ $s.data.password | b64dec }}{{ else }}none{{ end }}\n"
                           "other: {{ len (lookup \"v1\" \"ConfigMap\" \"\" \"\") }}\n"});
    fake_cluster cluster;
    weir::helm::render_options o;
    o.release.namespace_ = "apps";
    o.cluster = &cluster;
    auto out = weir::helm::render_chart(c, weir::value(), o);
    REQUIRE(out);
    CHECK(out->templates["l/templates/s.yaml"] == "pw: secret\nother: 0\n");
    CHECK(cluster.calls == std::vector<std::string>{"v1/Secret/apps/existing", "v1/ConfigMap//"});
    o.cluster = nullptr;
    auto offline = weir::helm::render_chart(c, weir::value(), o);
    REQUIRE(offline);
    CHECK(offline->templates["l/templates/s.yaml"] == "pw: none\nother: 0\n");
}

TEST_CASE("make_release records a render as helm install does: config, manifest without hooks, hooks, notes",
          "[helm][charts]")
{
    auto c = weir::helm::load_chart(data("podinfo/podinfo"));
    REQUIRE(c);
    weir::helm::render_options o;
    o.release.name = "web";
    o.release.namespace_ = "apps";
    auto out = weir::helm::render_chart(*c, parse("replicaCount: 2\n"), o);
    REQUIRE(out);
    auto rel = weir::helm::make_release(*c, *out, o.release, weir::helm::status_deployed, "Install complete",
                                        "2026-11-22T03:00:00Z");
    CHECK(rel.version == 1);
    CHECK(rel.info.first_deployed == "2026-11-22T03:00:00Z");
    CHECK(rel.config == parse("replicaCount: 2\n"));
    CHECK(rel.manifest.find("# Source: podinfo/templates/deployment.yaml") != std::string::npos);
    CHECK(rel.manifest.find("helm.sh/hook") == std::string::npos);
    CHECK(rel.hooks.size() == 3);
    CHECK(!rel.info.notes.empty());
    auto secret = weir::helm::release_secret(rel);
    REQUIRE(secret);
    auto back = weir::helm::release_from_secret(*secret);
    REQUIRE(back);
    auto chart_back = weir::helm::chart_from_json(back->chart);
    REQUIRE(chart_back);
    // The stored chart renders the same manifest again (what helm rollback relies on).
    auto again = weir::helm::render_chart(*chart_back, back->config, o);
    REQUIRE(again);
    CHECK(weir::helm::release_manifest(*again) == rel.manifest);
}

TEST_CASE("kube-prometheus-stack renders with its subcharts in install order with the names its helpers define",
          "[helm][charts]")
{
    auto c = weir::helm::load_chart(data("kube-prometheus-stack"));
    REQUIRE(c);
    weir::helm::render_options o;
    o.release.name = "kps";
    o.release.namespace_ = "monitoring";
    auto out = weir::helm::render_chart(*c, weir::value(), o);
    INFO((out ? std::string() : out.err().message));
    REQUIRE(out);
    // Install order holds across the whole release (Helm's InstallOrder, unknown kinds last).
    int last = -1;
    bool unknown_seen = false;
    std::map<std::string, int> kinds;
    for (const auto& m : out->manifests) {
        ++kinds[m.kind];
        int order = weir::helm::install_order(m.kind);
        if (order < 0) {
            unknown_seen = true;
            continue;
        }
        CHECK_FALSE(unknown_seen);
        CHECK(order >= last);
        last = order;
    }
    // The operator's custom resources, the exporters' DaemonSet and the three Deployments
    // (operator, kube-state-metrics, grafana) of the default values.
    CHECK(kinds["Prometheus"] == 1);
    CHECK(kinds["Alertmanager"] == 1);
    CHECK(kinds["DaemonSet"] == 1);
    CHECK(kinds["Deployment"] == 3);
    CHECK(kinds["PrometheusRule"] > 10);
    std::set<std::string> deployments;
    for (const auto& m : out->manifests)
        if (m.kind == "Deployment") deployments.insert(m.name);
    // kube-prometheus-stack.fullname = release + "-" + chart name, truncated to 26; the operator
    // appends "-operator"; the subcharts' fullnames are release + "-" + their chart name.
    CHECK(deployments == std::set<std::string>{"kps-kube-prometheus-stack-operator", "kps-kube-state-metrics", "kps-grafana"});
    // The admission webhook's certificate jobs run as hooks.
    bool webhook_hook = false;
    for (const auto& h : out->hooks)
        webhook_hook = webhook_hook || (h.kind == "Job" && std::find(h.events.begin(), h.events.end(), "pre-install") != h.events.end());
    CHECK(webhook_hook);
}
