#include <weir/core/yaml.hpp>
#include <weir/kustomization/build.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;
using api::kustomize_v1::kustomization_spec;

namespace {

struct scratch {
    fs::path dir;
    scratch()
    {
        dir = fs::temp_directory_path() / ("weir-ks-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir);
    }
    ~scratch() { fs::remove_all(dir); }
    void write(const std::string& rel, std::string_view text) const
    {
        fs::create_directories((dir / rel).parent_path());
        std::ofstream(dir / rel) << text;
    }
};

kustomization_spec spec_of(std::string_view yaml)
{
    auto s = kustomization_spec::from(*parse_yaml(yaml));
    REQUIRE(s);
    return *s;
}

constexpr std::string_view base_spec = R"(
metadata: {name: apps, namespace: flux-system}
spec: {interval: 1m, prune: true, path: ./deploy, sourceRef: {kind: GitRepository, name: repo}}
)";

} // namespace

TEST_CASE("kustomization build generates a kustomization from plain manifests and stamps owner labels",
          "[kustomization]")
{
    scratch s;
    s.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n");
    s.write("deploy/sub/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: b}\n");
    s.write("deploy/notes.yaml", "just: text\n");
    auto spec = spec_of(base_spec);
    auto objs =
        kustomization::build({.root = s.dir, .spec = spec, .name = "apps", .namespace_ = "flux-system"});
    REQUIRE(objs);
    REQUIRE(objs->size() == 2);
    for (const auto& o : *objs) {
        CHECK(o.find_path({"metadata", "labels", "kustomize.toolkit.fluxcd.io/name"})->as_string() == "apps");
        CHECK(o.find_path({"metadata", "labels", "kustomize.toolkit.fluxcd.io/namespace"})->as_string() ==
              "flux-system");
    }
    // The build only reads the artifact: the generated kustomization lives in memory, so one
    // extraction can serve many builds.
    CHECK_FALSE(fs::exists(s.dir / "deploy" / "kustomization.yaml"));
}

TEST_CASE("kustomization build overlays targetNamespace, prefix, images, patches and commonMetadata",
          "[kustomization]")
{
    scratch s;
    s.write("deploy/kustomization.yaml", "resources: [deploy.yaml]\n");
    s.write("deploy/deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: web, image: nginx:1.0}]
)");
    auto spec = spec_of(R"(
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 1m
  prune: true
  path: deploy
  sourceRef: {kind: GitRepository, name: repo}
  targetNamespace: prod
  namePrefix: p-
  images: [{name: nginx, newTag: "2.0"}]
  patches:
  - patch: '[{"op": "replace", "path": "/spec/replicas", "value": 3}]'
    target: {kind: Deployment}
  commonMetadata: {labels: {team: web}, annotations: {owner: me}}
)");
    auto objs =
        kustomization::build({.root = s.dir, .spec = spec, .name = "apps", .namespace_ = "flux-system"});
    REQUIRE(objs);
    REQUIRE(objs->size() == 1);
    const value& d = objs->front();
    CHECK(d.find_path({"metadata", "name"})->as_string() == "p-web");
    CHECK(d.find_path({"metadata", "namespace"})->as_string() == "prod");
    CHECK(d.find_path({"spec", "replicas"})->as_int() == 3);
    CHECK(d.find_path({"spec", "template", "spec", "containers"})->as_array()[0].get_string("image") ==
          "nginx:2.0");
    CHECK(d.find_path({"metadata", "labels", "team"})->as_string() == "web");
    CHECK(d.find_path({"metadata", "annotations", "owner"})->as_string() == "me");
}

TEST_CASE("kustomization build refuses paths outside the artifact and missing paths", "[kustomization]")
{
    scratch s;
    s.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    auto escape = spec_of(R"(
metadata: {name: apps, namespace: ns}
spec: {interval: 1m, prune: true, path: ../.., sourceRef: {kind: GitRepository, name: repo}}
)");
    auto r = kustomization::build({.root = s.dir, .spec = escape, .name = "apps", .namespace_ = "ns"});
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(r.err().message.find("outside the source artifact") != std::string::npos);
    auto missing = spec_of(R"(
metadata: {name: apps, namespace: ns}
spec: {interval: 1m, prune: true, path: ./nope, sourceRef: {kind: GitRepository, name: repo}}
)");
    auto m = kustomization::build({.root = s.dir, .spec = missing, .name = "apps", .namespace_ = "ns"});
    REQUIRE_FALSE(m);
    CHECK(m.err().message == "kustomization path not found: './nope'");
}

TEST_CASE("kustomization build reports a broken kustomization as BuildFailed", "[kustomization]")
{
    scratch s;
    s.write("deploy/kustomization.yaml", "resources: [missing.yaml]\n");
    auto spec = spec_of(base_spec);
    auto r = kustomization::build({.root = s.dir, .spec = spec, .name = "apps", .namespace_ = "flux-system"});
    REQUIRE_FALSE(r);
    CHECK(r.err().reason == "BuildFailed");
    CHECK(r.err().message.find("missing.yaml") != std::string::npos);
}

TEST_CASE("kustomization build runs the post-build step on every object before labelling", "[kustomization]")
{
    scratch s;
    s.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    auto spec = spec_of(base_spec);
    int calls = 0;
    auto objs = kustomization::build({.root = s.dir,
                                      .spec = spec,
                                      .name = "apps",
                                      .namespace_ = "flux-system",
                                      .post_build = [&](value& o) {
                                          ++calls;
                                          o["data"]["seen"] = "yes";
                                          return ok();
                                      }});
    REQUIRE(objs);
    CHECK(calls == 1);
    CHECK(objs->front().find_path({"data", "seen"})->as_string() == "yes");
    auto failing = kustomization::build(
        {.root = s.dir, .spec = spec, .name = "apps", .namespace_ = "flux-system", .post_build = [](value&) {
             return status{terminal_error("bad var")};
         }});
    REQUIRE_FALSE(failing);
    CHECK(failing.err().message == "bad var");
}

TEST_CASE("kustomization build overlays the spec in memory and leaves the artifact's files unchanged",
          "[kustomization]")
{
    scratch s;
    std::string kust =
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n";
    s.write("deploy/kustomization.yaml", kust);
    s.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    auto spec = spec_of(R"(
metadata: {name: apps, namespace: flux-system}
spec: {interval: 1m, prune: true, path: ./deploy, sourceRef: {kind: GitRepository, name: repo},
       targetNamespace: tenant, namePrefix: p-}
)");
    auto objs =
        kustomization::build({.root = s.dir, .spec = spec, .name = "apps", .namespace_ = "flux-system"});
    REQUIRE(objs);
    REQUIRE(objs->size() == 1);
    CHECK((*objs)[0].find_path({"metadata", "name"})->as_string() == "p-a");
    CHECK((*objs)[0].find_path({"metadata", "namespace"})->as_string() == "tenant");
    std::ifstream in(s.dir / "deploy/kustomization.yaml");
    std::stringstream now;
    now << in.rdbuf();
    CHECK(now.str() == kust);
}
