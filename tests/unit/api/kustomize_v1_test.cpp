#include <weir/api/kustomize_v1.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::api::kustomize_v1;
using namespace std::chrono_literals;

namespace {
value doc(std::string_view text) { return *parse_yaml(text); }
} // namespace

TEST_CASE("kustomization spec applies Flux's defaults", "[api][kustomize]")
{
    auto s = kustomization_spec::from(doc(R"(
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
)"));
    REQUIRE(s);
    CHECK(s->source_ref.namespace_ == "flux-system");
    CHECK(s->path == "./");
    CHECK(s->retry_interval == 10min);
    CHECK(s->timeout == 9min + 30s);
    CHECK(s->deletion_policy == "MirrorPrune");
    CHECK(s->substitute_strategy == "WithVariables");
}

TEST_CASE("kustomization timeout is never under 30s by default", "[api][kustomize]")
{
    auto s = kustomization_spec::from(doc(
        "metadata: {namespace: a}\nspec: {interval: 40s, prune: false, sourceRef: {kind: GitRepository, name: x}}"));
    REQUIRE(s);
    CHECK(s->timeout == 30s);
}

TEST_CASE("kustomization spec reads patches, images, dependsOn and postBuild", "[api][kustomize]")
{
    auto s = kustomization_spec::from(doc(R"(
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 1m
  prune: true
  path: ./apps/staging
  sourceRef: {kind: GitRepository, name: repo, namespace: other}
  dependsOn: [{name: infra}]
  images: [{name: nginx, newTag: "1.27"}]
  patches:
  - patch: '[{"op": "replace", "path": "/spec/replicas", "value": 2}]'
    target: {kind: Deployment, labelSelector: "app=web"}
  postBuild:
    substitute: {cluster: staging}
    substituteFrom: [{kind: ConfigMap, name: vars, optional: true}]
  commonMetadata: {labels: {team: a}}
)"));
    REQUIRE(s);
    CHECK(s->source_ref.namespace_ == "other");
    CHECK(s->depends_on.at(0).namespace_ == "flux-system");
    CHECK(s->depends_on.at(0).kind == "Kustomization");
    CHECK(s->images.at(0).new_tag == "1.27");
    CHECK(s->patches.at(0).target->label_selector == "app=web");
    CHECK(s->substitute.at("cluster") == "staging");
    CHECK(s->substitute_from.at(0).optional);
    CHECK(s->common_labels.at("team") == "a");
}

TEST_CASE("kustomization spec errors name the field", "[api][kustomize]")
{
    auto s = kustomization_spec::from(doc("metadata: {namespace: a}\nspec: {interval: 1m, prune: true}"));
    REQUIRE_FALSE(s);
    CHECK(s.err().message == "spec.sourceRef: is required");
    auto bad = kustomization_spec::from(doc(R"(
metadata: {namespace: a}
spec:
  interval: 1m
  prune: true
  sourceRef: {kind: GitRepository, name: x}
  postBuild: {substituteFrom: [{kind: Pod, name: p}]}
)"));
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message == "spec.postBuild.substituteFrom[0].kind: must be Secret or ConfigMap");
}
