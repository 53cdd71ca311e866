// The real source-controller against a real HTTP chart repository and a Git repository: indexes
// and charts become verified artifacts in Flux's format, failures become conditions.
#include "chart_repo.hpp"
#include "support/local_cluster.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/fetcher.hpp>
#include <weir/core/encoding.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk helm_repository{"source.toolkit.fluxcd.io", "v1", "HelmRepository"};
const kube::gvk helm_chart{"source.toolkit.fluxcd.io", "v1", "HelmChart"};

test::local_cluster_options source_only()
{
    return {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN};
}

std::string repository_yaml(const std::string& name, const std::string& url, const std::string& extra = "")
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {{name: {}, "
                       "namespace: default}}\n"
                       "spec: {{url: \"{}\", interval: 10m{}}}\n",
                       name, url, extra);
}

std::string chart_yaml(const std::string& name, const std::string& spec)
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {{name: {}, "
                       "namespace: default}}\n"
                       "spec: {{interval: 10m, {}}}\n",
                       name, spec);
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Downloads the object's artifact, checking its digest, to `file`.
void download_artifact(const value& obj, const fs::path& file)
{
    auto got = artifact::download(test::string_at(obj, {"status", "artifact", "url"}),
                                  test::string_at(obj, {"status", "artifact", "digest"}), file);
    INFO((got ? "" : got.err().message));
    REQUIRE(got);
}

test::chart_version podinfo(const std::string& version)
{
    return {"podinfo",
            version,
            {{"values.yaml", "replicas: 1\nimage: {tag: " + version + "}\n"},
             {"values-prod.yaml", "replicas: 3\n"},
             {"templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}}};
}

} // namespace

TEST_CASE(
    "source-controller stores a Helm repository index with basic auth and resolves chart versions from it",
    "[integration][helm]")
{
    test::local_cluster c(source_only());
    test::chart_repo repo(c.dir() / "charts", "alice:s3cret");
    repo.add(podinfo("6.0.0"));
    repo.add(podinfo("6.1.0"));
    repo.add(podinfo("7.0.0-rc.1"));
    repo.add({"moved", "1.0.0", {{"templates/cm.yaml", "kind: ConfigMap\n"}}}, "", "redirect/");
    c.apply_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: default}\n"
                 "data: {username: YWxpY2U=, password: czNjcmV0}\n");
    c.apply_yaml(repository_yaml("charts", repo.url(), ", secretRef: {name: creds}"));
    value ready = c.wait_for(helm_repository, "default", "charts", test::ready_is("True"));

    // The artifact is the index verbatim: revision and digest are its sha256, the file index-<hex>.yaml.
    auto index_digest = artifact::file_digest(repo.dir() / "index.yaml");
    REQUIRE(index_digest);
    CHECK(test::string_at(ready, {"status", "artifact", "revision"}) == *index_digest);
    CHECK(test::string_at(ready, {"status", "artifact", "digest"}) == *index_digest);
    CHECK(test::string_at(ready, {"status", "artifact", "path"}) ==
          "helmrepository/default/charts/index-" + index_digest->substr(7) + ".yaml");
    CHECK(test::condition_message(ready, "Ready") == "stored artifact: revision '" + *index_digest + "'");
    CHECK(test::condition_status(ready, "ArtifactInStorage") == "True");
    download_artifact(ready, c.dir() / "index.yaml");
    CHECK(read_file(c.dir() / "index.yaml") == read_file(repo.dir() / "index.yaml"));

    // A range picks the highest stable match; the pre-release is skipped.
    c.apply_yaml(chart_yaml(
        "podinfo", "chart: podinfo, version: '>=6.0.0', sourceRef: {kind: HelmRepository, name: charts}"));
    value chart = c.wait_for(helm_chart, "default", "podinfo", test::ready_is("True"));
    CHECK(test::string_at(chart, {"status", "artifact", "revision"}) == "6.1.0");
    CHECK(test::string_at(chart, {"status", "artifact", "path"}) ==
          "helmchart/default/podinfo/podinfo-6.1.0.tgz");
    CHECK(test::string_at(chart, {"status", "observedChartName"}) == "podinfo");
    CHECK(test::string_at(chart, {"status", "observedSourceArtifactRevision"}) == *index_digest);
    CHECK(test::condition_reason(chart, "Ready") == "ChartPullSucceeded");
    CHECK(test::condition_message(chart, "Ready") == "pulled 'podinfo' chart with version '6.1.0'");
    // Pulled charts are stored byte for byte.
    download_artifact(chart, c.dir() / "pulled.tgz");
    CHECK(*artifact::file_digest(c.dir() / "pulled.tgz") ==
          *artifact::file_digest(repo.dir() / "podinfo-6.1.0.tgz"));

    // A chart URL that redirects is followed (the credentials stay with the repository host).
    c.apply_yaml(chart_yaml("moved", "chart: moved, sourceRef: {kind: HelmRepository, name: charts}"));
    value moved = c.wait_for(helm_chart, "default", "moved", test::ready_is("True"));
    CHECK(test::string_at(moved, {"status", "artifact", "revision"}) == "1.0.0");

    // Values files are merged into the packaged values.yaml and the version carries the generation.
    c.apply_yaml(chart_yaml(
        "prod", "chart: podinfo, version: '6.0.x', sourceRef: {kind: HelmRepository, name: charts}, "
                "valuesFiles: [values.yaml, values-prod.yaml]"));
    value prod = c.wait_for(helm_chart, "default", "prod", test::ready_is("True"));
    CHECK(test::string_at(prod, {"status", "artifact", "revision"}) == "6.0.0+1");
    download_artifact(prod, c.dir() / "prod.tgz");
    auto values =
        parse_yaml(test::read_from_tgz(c.dir() / "prod.tgz", c.dir() / "prod", "podinfo/values.yaml"));
    REQUIRE(values);
    CHECK(values->find("replicas")->as_int() == 3);
    CHECK(values->find_path({"image", "tag"})->as_string() == "6.0.0");
    CHECK(test::read_from_tgz(c.dir() / "prod.tgz", c.dir() / "prod", "podinfo/Chart.yaml")
              .find("version: 6.0.0+1") != std::string::npos);

    // An OCI repository has no index to fetch: Ready without an artifact.
    c.apply_yaml("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: oci, "
                 "namespace: default}\n"
                 "spec: {url: \"oci://registry.example.com/charts\", type: oci}\n");
    value oci = c.wait_for(helm_repository, "default", "oci", test::ready_is("True"));
    CHECK_FALSE(oci.find_path({"status", "artifact"}));
}

TEST_CASE(
    "source-controller reports wrong Helm repository credentials and a chart whose digest does not match",
    "[integration][helm]")
{
    test::local_cluster c(source_only());
    test::chart_repo locked(c.dir() / "locked", "alice:s3cret");
    c.apply_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: wrong, namespace: default}\n"
                 "data: {username: YWxpY2U=, password: bm9wZQ==}\n");
    c.apply_yaml(repository_yaml("locked", locked.url(), ", secretRef: {name: wrong}"));
    value denied = c.wait_for(helm_repository, "default", "locked", test::ready_is("False"));
    CHECK(test::condition_status(denied, "FetchFailed") == "True");
    CHECK(test::condition_reason(denied, "Ready") == "AuthenticationFailed");
    CHECK(test::condition_message(denied, "Ready").find("401") != std::string::npos);
    CHECK_FALSE(denied.find_path({"status", "artifact"}));

    // Credentials go to the index's host only, unless passCredentials: a chart served from another
    // host name (localhost rather than 127.0.0.1) gets them only then.
    std::string other_host = locked.url();
    other_host.replace(other_host.find("127.0.0.1"), 9, "localhost");
    locked.add(podinfo("3.0.0"), "", other_host);
    c.apply_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: right, namespace: default}\n"
                 "data: {username: YWxpY2U=, password: czNjcmV0}\n");
    c.apply_yaml(repository_yaml("guarded", locked.url(), ", secretRef: {name: right}"));
    c.apply_yaml(
        repository_yaml("passing", locked.url(), ", secretRef: {name: right}, passCredentials: true"));
    c.wait_for(helm_repository, "default", "guarded", test::ready_is("True"));
    c.wait_for(helm_repository, "default", "passing", test::ready_is("True"));
    c.apply_yaml(chart_yaml("guarded", "chart: podinfo, sourceRef: {kind: HelmRepository, name: guarded}"));
    c.apply_yaml(chart_yaml("passing", "chart: podinfo, sourceRef: {kind: HelmRepository, name: passing}"));
    value kept = c.wait_for(helm_chart, "default", "guarded", test::ready_is("False"));
    CHECK(test::condition_message(kept, "Ready").find("401") != std::string::npos);
    value passed = c.wait_for(helm_chart, "default", "passing", test::ready_is("True"));
    CHECK(test::string_at(passed, {"status", "artifact", "revision"}) == "3.0.0");

    test::chart_repo open(c.dir() / "open");
    open.add(podinfo("1.0.0"), std::string(64, 'a'));
    c.apply_yaml(repository_yaml("open", open.url()));
    c.wait_for(helm_repository, "default", "open", test::ready_is("True"));
    c.apply_yaml(chart_yaml("tampered", "chart: podinfo, sourceRef: {kind: HelmRepository, name: open}"));
    value bad = c.wait_for(helm_chart, "default", "tampered", test::ready_is("False"));
    CHECK(test::condition_message(bad, "Ready").find("expected sha256:aaaa") != std::string::npos);
    CHECK_FALSE(bad.find_path({"status", "artifact"}));

    c.apply_yaml(chart_yaml("missing", "chart: nginx, sourceRef: {kind: HelmRepository, name: open}"));
    value missing = c.wait_for(helm_chart, "default", "missing", test::ready_is("False"));
    CHECK(test::condition_message(missing, "Ready") == "no chart name 'nginx' found in the repository index");
}

TEST_CASE("source-controller packages a chart directory of a GitRepository, with the revision under "
          "reconcileStrategy Revision",
          "[integration][helm]")
{
    test::local_cluster c(source_only());
    test::chart_repo remote(c.dir() / "remote");
    remote.add(podinfo("1.0.0"));
    std::string chart_yaml_text = "apiVersion: v2\nname: app\nversion: 1.2.0\ndependencies:\n"
                                  "- {name: common, version: 0.1.0, repository: 'file://../common'}\n"
                                  "- {name: podinfo, version: '1.x', repository: '" +
                                  remote.url() + "'}\n";
    auto git = c.make_repo(
        "app", {{"charts/app/Chart.yaml", chart_yaml_text},
                {"charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n"},
                {"charts/common/templates/_helpers.tpl", "{{- define \"common.name\" -}}x{{- end }}\n"},
                {"charts/app/values.yaml", "greeting: hello\nsize: 1\n"},
                {"charts/app/templates/cm.yaml", "kind: ConfigMap\n"},
                {"charts/app/.helmignore", "*.bak\n"},
                {"charts/app/notes.bak", "left out\n"},
                {"env/prod.yaml", "size: 5\n"}});
    c.apply_yaml(fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: "
                             "{{name: app, namespace: default}}\n"
                             "spec: {{url: \"file://{}\", interval: 10m, ref: {{branch: main}}}}\n",
                             git.string()));
    c.apply_yaml(chart_yaml(
        "app",
        "chart: ./charts/app, reconcileStrategy: Revision, sourceRef: {kind: GitRepository, name: app}, "
        "valuesFiles: [charts/app/values.yaml, env/prod.yaml]"));
    value chart = c.wait_for(helm_chart, "default", "app", test::ready_is("True"));
    std::string head = c.head(git);
    CHECK(test::string_at(chart, {"status", "artifact", "revision"}) == "1.2.0+" + head.substr(0, 12) + ".1");
    CHECK(test::string_at(chart, {"status", "observedSourceArtifactRevision"}) == "main@sha1:" + head);
    CHECK(test::condition_reason(chart, "Ready") == "ChartPackageSucceeded");
    download_artifact(chart, c.dir() / "app.tgz");
    auto values = parse_yaml(test::read_from_tgz(c.dir() / "app.tgz", c.dir() / "app", "app/values.yaml"));
    REQUIRE(values);
    CHECK(values->find("greeting")->as_string() == "hello");
    CHECK(values->find("size")->as_int() == 5);
    CHECK(fs::exists(c.dir() / "app" / "app" / "templates" / "cm.yaml"));
    CHECK_FALSE(fs::exists(c.dir() / "app" / "app" / "notes.bak"));
    // Dependencies are vendored into charts/: a file:// one copied, an http one from its repository.
    CHECK(fs::exists(c.dir() / "app" / "app" / "charts" / "common" / "templates" / "_helpers.tpl"));
    CHECK(fs::exists(c.dir() / "app" / "app" / "charts" / "podinfo-1.0.0.tgz"));

    // A new commit is a new chart revision under the Revision strategy.
    c.commit(git, {{"charts/app/templates/cm.yaml", "kind: ConfigMap # changed\n"}});
    REQUIRE(c.client().patch(test::git_repository_kind, "default", "app", kube::patch_type::merge,
                             R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"now-1"}}})"));
    std::string next = c.head(git);
    c.wait_for(helm_chart, "default", "app", [&](const value& o) {
        return test::string_at(o, {"status", "artifact", "revision"}) == "1.2.0+" + next.substr(0, 12) + ".1";
    });

    // A chart path that is not there stalls with a message naming it.
    c.apply_yaml(chart_yaml("nope", "chart: ./charts/nope, sourceRef: {kind: GitRepository, name: app}"));
    value stalled = c.wait_for(helm_chart, "default", "nope", test::ready_is("False"));
    CHECK(test::condition_message(stalled, "Ready").find("./charts/nope") != std::string::npos);
}

TEST_CASE("source-controller fetches a Helm repository over HTTPS with the CA of certSecretRef, and refuses "
          "it without",
          "[integration][helm]")
{
    test::local_cluster c(source_only());
    test::chart_repo repo(c.dir() / "secure", "", true);
    repo.add(podinfo("2.0.0"));
    c.apply_yaml(fmt::format(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: tls, namespace: default}}\ndata: {{ca.crt: {}}}\n",
        base64_encode(repo.ca_pem())));
    c.apply_yaml(repository_yaml("untrusted", repo.url()));
    c.apply_yaml(repository_yaml("secure", repo.url(), ", certSecretRef: {name: tls}"));
    value ready = c.wait_for(helm_repository, "default", "secure", test::ready_is("True"));
    CHECK(test::string_at(ready, {"status", "artifact", "revision"}) ==
          *artifact::file_digest(repo.dir() / "index.yaml"));
    c.apply_yaml(chart_yaml("secure", "chart: podinfo, sourceRef: {kind: HelmRepository, name: secure}"));
    value chart = c.wait_for(helm_chart, "default", "secure", test::ready_is("True"));
    CHECK(test::string_at(chart, {"status", "artifact", "revision"}) == "2.0.0");

    value refused = c.wait_for(helm_repository, "default", "untrusted", test::ready_is("False"));
    CHECK(test::condition_message(refused, "Ready").find("TLS handshake") != std::string::npos);
}
