// Differential tests of the schema fields: `openapi:` (a custom OpenAPI document) and `crds:`
// (OpenAPI definitions with x-kubernetes-* extensions), against `kubectl kustomize`.
#include "differential.hpp"

using namespace weir::test;

namespace {

// An OpenAPI v2 document defining MyCRD (example.com/v1alpha1 and v1alpha1) with a pod template
// whose containers merge by name and ports by containerPort+protocol; its one GET path has no
// namespace, so MyCRD is cluster-scoped.
const std::string custom_schema =
    R"json({"definitions":{"v1alpha1.MyCRD":{"properties":{"apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},"spec":{"properties":{"template":{"$ref":"#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}},"type":"object"},"status":{"properties":{"success":{"type":"boolean"}},"type":"object"}},"type":"object","x-kubernetes-group-version-kind":[{"group":"example.com","kind":"MyCRD","version":"v1alpha1"},{"group":"","kind":"MyCRD","version":"v1alpha1"}]},"io.k8s.api.core.v1.PodTemplateSpec":{"properties":{"metadata":{"$ref":"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},"spec":{"$ref":"#/definitions/io.k8s.api.core.v1.PodSpec"}},"type":"object"},"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta":{"properties":{"name":{"type":"string"}},"type":"object"},"io.k8s.api.core.v1.PodSpec":{"properties":{"containers":{"items":{"$ref":"#/definitions/io.k8s.api.core.v1.Container"},"type":"array","x-kubernetes-patch-merge-key":"name","x-kubernetes-patch-strategy":"merge"}},"type":"object"},"io.k8s.api.core.v1.Container":{"properties":{"command":{"items":{"type":"string"},"type":"array"},"image":{"type":"string"},"name":{"type":"string"},"ports":{"items":{"$ref":"#/definitions/io.k8s.api.core.v1.ContainerPort"},"type":"array","x-kubernetes-list-map-keys":["containerPort","protocol"],"x-kubernetes-list-type":"map","x-kubernetes-patch-merge-key":"containerPort","x-kubernetes-patch-strategy":"merge"}},"type":"object"},"io.k8s.api.core.v1.ContainerPort":{"properties":{"containerPort":{"format":"int32","type":"integer"},"name":{"type":"string"},"protocol":{"type":"string"}},"type":"object"}},"paths":{"/apis/example.com/v1alpha1/mycrds/{name}":{"get":{"x-kubernetes-group-version-kind":{"group":"example.com","kind":"MyCRD","version":"v1alpha1"}}}}})json";

// kustomize's own crds: example: MyKind names a Secret (v1) and a Bee (v1beta1).
const std::string crd_definitions =
    R"json({"github.com/example/pkg/apis/jingfang/v1beta1.Bee":{"Schema":{"description":"Bee","properties":{"apiVersion":{"description":"APIVersion defines the versioned schema of this representation of an object.","type":"string"},"kind":{"description":"Kind is a string value representing the REST resource this object represents.","type":"string"},"metadata":{"$ref":"k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"},"spec":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.BeeSpec"},"status":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.BeeStatus"}}},"Dependencies":["github.com/example/pkg/apis/jingfang/v1beta1.BeeSpec","github.com/example/pkg/apis/jingfang/v1beta1.BeeStatus","k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"]},"github.com/example/pkg/apis/jingfang/v1beta1.BeeList":{"Schema":{"required":["items"],"properties":{"apiVersion":{"description":"APIVersion defines the versioned schema of this representation of an object.","type":"string"},"items":{"type":"array","items":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.Bee"}},"kind":{"description":"Kind is a string value representing the REST resource this object represents.","type":"string"},"metadata":{"$ref":"k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta"}}},"Dependencies":["github.com/example/pkg/apis/jingfang/v1beta1.Bee","k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta"]},"github.com/example/pkg/apis/jingfang/v1beta1.BeeObjectReference":{"Schema":{"properties":{"name":{"type":"string"}}},"Dependencies":[]},"github.com/example/pkg/apis/jingfang/v1beta1.BeeSpec":{"Schema":{"description":"BeeSpec defines the desired state of Bee"},"Dependencies":[]},"github.com/example/pkg/apis/jingfang/v1beta1.BeeStatus":{"Schema":{"description":"BeeStatus defines the observed state of Bee"},"Dependencies":[]},"github.com/example/pkg/apis/jingfang/v1beta1.MyKind":{"Schema":{"description":"MyKind","properties":{"apiVersion":{"description":"APIVersion defines the versioned schema of this representation of an object.","type":"string"},"kind":{"description":"Kind is a string value representing the REST resource this object represents.","type":"string"},"metadata":{"$ref":"k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"},"spec":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.MyKindSpec"},"status":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.MyKindStatus"}}},"Dependencies":["github.com/example/pkg/apis/jingfang/v1beta1.MyKindSpec","github.com/example/pkg/apis/jingfang/v1beta1.MyKindStatus","k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"]},"github.com/example/pkg/apis/jingfang/v1beta1.MyKindList":{"Schema":{"required":["items"],"properties":{"apiVersion":{"description":"APIVersion defines the versioned schema of this representation of an object.","type":"string"},"items":{"type":"array","items":{"$ref":"github.com/example/pkg/apis/jingfang/v1beta1.MyKind"}},"kind":{"description":"Kind is a string value representing the REST resource this object represents.","type":"string"},"metadata":{"$ref":"k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta"}}},"Dependencies":["github.com/example/pkg/apis/jingfang/v1beta1.MyKind","k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta"]},"github.com/example/pkg/apis/jingfang/v1beta1.MyKindSpec":{"Schema":{"description":"MyKindSpec defines the desired state of MyKind","properties":{"beeRef":{"x-kubernetes-object-ref-api-version":"v1beta1","x-kubernetes-object-ref-kind":"Bee","$ref":"github.com/example/pkg/apis/jingfang/v1beta1.BeeObjectReference"},"secretRef":{"description":"If defined, use this secret for configuring the MYSQL_ROOT_PASSWORD","x-kubernetes-object-ref-api-version":"v1","x-kubernetes-object-ref-kind":"Secret","$ref":"k8s.io/api/core/v1.LocalObjectReference"}}},"Dependencies":["github.com/example/pkg/apis/jingfang/v1beta1.BeeObjectReference","k8s.io/api/core/v1.LocalObjectReference"]},"github.com/example/pkg/apis/jingfang/v1beta1.MyKindStatus":{"Schema":{"description":"MyKindStatus defines the observed state of MyKind"},"Dependencies":[]}})json";

const char* const my_crd = R"(apiVersion: example.com/v1alpha1
kind: MyCRD
metadata:
  name: service
spec:
  template:
    spec:
      containers:
      - name: server
        image: server
        command: [example]
        ports:
        - {name: grpc, protocol: TCP, containerPort: 8080}
)";

const char* const my_crd_patch = R"(- patch: |-
    apiVersion: example.com/v1alpha1
    kind: MyCRD
    metadata:
      name: service
    spec:
      template:
        spec:
          containers:
          - name: server
            image: nginx
)";

const char* const deploy_patch = R"(- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      finalizers: [b]
    spec:
      template:
        spec:
          containers:
          - name: web
            env: [{name: B, value: "2"}]
)";

} // namespace

TEST_CASE("differential: a patch replaces the lists of a custom resource no schema describes")
{
    temp_tree t{{"kustomization.yaml", std::string("resources: [crd.yaml]\npatches:\n") + my_crd_patch},
                {"crd.yaml", my_crd}};
    same_as_kubectl(t);
}

TEST_CASE("differential: openapi at the top gives merge keys and scope, and is the only schema")
{
    auto t = overlay(
        std::string("resources: [crd.yaml]\nnamespace: prod\nopenapi:\n  path: schema.json\npatches:\n") +
            my_crd_patch + deploy_patch,
        {{"crd.yaml", my_crd}, {"schema.json", custom_schema}});
    t.write("base/deploy.yaml", std::string(deploy) + "  finalizers: [a]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: openapi in a base applies to the whole build, in front of the built-in schema")
{
    temp_tree t{{"base/kustomization.yaml", "resources: [crd.yaml]\nopenapi:\n  path: schema.json\n"},
                {"base/crd.yaml", my_crd},
                {"base/schema.json", custom_schema},
                {"overlay/kustomization.yaml",
                 std::string("resources: [../base, deploy.yaml]\npatches:\n") + my_crd_patch + deploy_patch},
                {"overlay/deploy.yaml", deploy}};
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: openapi version v1.21.2 is the built-in one, others are refused")
{
    temp_tree t{{"a/kustomization.yaml", "resources: [crd.yaml]\nopenapi:\n  version: v1.21.2\n"},
                {"a/crd.yaml", my_crd},
                {"b/kustomization.yaml", "resources: [crd.yaml]\nopenapi:\n  version: v1.20.0\n"},
                {"b/crd.yaml", my_crd}};
    same_as_kubectl(t, "a");
    same_as_kubectl(t, "b");
    auto r = weir::kustomize::build(t.path("b"));
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("v1.20.0") != std::string::npos);
}

TEST_CASE("kustomize build names a missing or invalid openapi schema file")
{
    temp_tree t{{"a/kustomization.yaml", "openapi:\n  path: nope.json\n"},
                {"b/kustomization.yaml", "openapi:\n  path: s.json\n"},
                {"b/s.json", "{not json"},
                {"c/kustomization.yaml", "openapi:\n  path: s.json\n  version: v1.21.2\n"},
                {"c/s.json", custom_schema}};
    auto a = weir::kustomize::build(t.path("a"));
    REQUIRE_FALSE(a);
    CHECK(a.err().message.find("nope.json") != std::string::npos);
    auto b = weir::kustomize::build(t.path("b"));
    REQUIRE_FALSE(b);
    CHECK(b.err().message.find("s.json") != std::string::npos);
    auto c = weir::kustomize::build(t.path("c"));
    REQUIRE_FALSE(c);
    CHECK(c.err().message.find("cannot use both") != std::string::npos);
}

TEST_CASE("differential: crds definitions add name references that follow prefixes")
{
    temp_tree t{
        {"base/kustomization.yaml", "crds: [mycrd.json]\nresources: [secret.yaml, mykind.yaml, bee.yaml]\n"
                                    "namePrefix: x-\n"},
        {"base/mycrd.json", crd_definitions},
        {"base/bee.yaml", "apiVersion: v1beta1\nkind: Bee\nmetadata:\n  name: bee\nspec:\n  action: fly\n"},
        {"base/mykind.yaml", "apiVersion: jingfang.example.com/v1\nkind: MyKind\nmetadata:\n  name: mykind\n"
                             "spec:\n  secretRef:\n    name: crdsecret\n  beeRef:\n    name: bee\n"},
        {"base/secret.yaml",
         "apiVersion: v1\nkind: Secret\nmetadata:\n  name: crdsecret\ndata:\n  PATH: eA==\n"},
        {"overlay/kustomization.yaml", "namePrefix: prod-\nresources: [../base]\n"
                                       "patchesStrategicMerge: [bee.yaml]\n"},
        {"overlay/bee.yaml",
         "apiVersion: v1beta1\nkind: Bee\nmetadata:\n  name: bee\nspec:\n  action: honey\n"}};
    same_as_kubectl(t, "base");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: crds annotation, label-selector and identity fields")
{
    const char* defs = R"({"x.v1.Thing": {"Schema": {"properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"$ref": "x.v1.ThingSpec"}}}},
      "x.v1.ThingSpec": {"Schema": {"properties": {
        "notes": {"x-kubernetes-annotation": ""},
        "selector": {"x-kubernetes-label-selector": ""},
        "peer": {"x-kubernetes-identity": ""},
        "cfg": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "ConfigMap",
                "x-kubernetes-object-ref-name-key": "ref"}}}}})";
    temp_tree t{{"kustomization.yaml", "crds: [defs.json]\nresources: [thing.yaml]\nnamePrefix: p-\n"
                                       "commonLabels: {team: a}\ncommonAnnotations: {note: x}\n"
                                       "configMapGenerator:\n- name: conf\n  literals: [a=1]\n"},
                {"defs.json", defs},
                {"thing.yaml", "apiVersion: x.example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n"
                               "  notes: {}\n  selector: {}\n  peer: other\n  cfg: {ref: conf}\n"}};
    same_as_kubectl(t);
}

TEST_CASE("kustomize build names a crds file that is not OpenAPI definitions")
{
    temp_tree t{{"kustomization.yaml", "crds: [bad.yaml]\n"}, {"bad.yaml", "- a\n- b\n"}};
    auto r = weir::kustomize::build(t.path());
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("bad.yaml") != std::string::npos);
}

TEST_CASE(
    "differential: inline IAMPolicyGenerator and HashTransformer plugins, local-config objects left out")
{
    temp_tree t{
        {"kustomization.yaml", R"(resources: [cm.yaml]
generators:
- |-
  apiVersion: builtin
  kind: IAMPolicyGenerator
  metadata:
    name: gke
  cloud: gke
  kubernetesService: {namespace: apps, name: ksa}
  serviceAccount: {name: gsa, projectId: proj}
- gen.yaml
transformers: [hash.yaml]
namePrefix: p-
)"},
        {"gen.yaml",
         "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: gen\nliterals: [a=1]\n"},
        {"hash.yaml", "apiVersion: builtin\nkind: HashTransformer\nmetadata:\n  name: h\n"},
        {"cm.yaml",
         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  annotations:\n"
         "    config.kubernetes.io/local-config: \"true\"\n---\napiVersion: v1\nkind: ConfigMap\n"
         "metadata:\n  name: keep\n  annotations:\n    config.kubernetes.io/local-config: \"false\"\n"}};
    same_as_kubectl(t);
}

TEST_CASE(
    "differential: sortOptions legacy with only orderFirst, ties broken by namespace|name as one string")
{
    temp_tree t{
        {"kustomization.yaml", "resources: [r.yaml]\nsortOptions:\n  order: legacy\n  legacySortOptions:\n"
                               "    orderFirst: [Service]\n"},
        {"r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a-b}\n---\n"
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: a}\n---\n"
                   "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
                   "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
                   "metadata: {name: w}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: invalid sortOptions and a SortOrderTransformer plugin are errors")
{
    temp_tree t{
        {"a/kustomization.yaml", "sortOptions: {}\n"},
        {"b/kustomization.yaml", "sortOptions: {order: fifo, legacySortOptions: {orderFirst: [Service]}}\n"},
        {"c/kustomization.yaml", "transformers: [s.yaml]\n"},
        {"c/s.yaml", "apiVersion: builtin\nkind: SortOrderTransformer\nmetadata: {name: s}\n"}};
    for (const char* d : {"a", "b", "c"}) {
        same_as_kubectl(t, d);
        auto r = weir::kustomize::build(t.path(d));
        REQUIRE_FALSE(r);
        CHECK(r.err().message.find("kustomization.yaml") != std::string::npos);
    }
}

TEST_CASE("differential: buildMetadata transformerAnnotations list every transformer run, base and overlay")
{
    temp_tree t{{"base/kustomization.yaml", "resources: [cm.yaml]\nnamePrefix: b-\n"},
                {"base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n"},
                {"top/kustomization.yaml", R"(resources: [../base]
buildMetadata: [transformerAnnotations, originAnnotations, managedByLabel]
commonLabels: {a: b}
namespace: x
configMapGenerator:
- name: g
  literals: [a=1]
images:
- {name: nginx, newTag: "2"}
transformers: [t.yaml]
patches:
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: keep}
    data: {z: "1"}
)"},
                {"top/t.yaml",
                 "apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata: {name: ann}\n"
                 "annotations: {x: y}\nfieldSpecs: [{path: metadata/annotations, create: true}]\n"}};
    same_as_kubectl(t, "top");
}

TEST_CASE("differential: JSON patches read their values as YAML 1.1 through JSON (y, on, yes, 0755, 1.0)")
{
    temp_tree t{{"c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
                {"kustomization.yaml", R"(resources: [c.yaml]
patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: add, path: /data, value: {a: y, b: on, c: "0755", d: 0755, e: 1.0, f: ~, g: yes, h: 1.5}}
patchesJson6902:
- target: {version: v1, kind: ConfigMap, name: c}
  patch: |-
    - {op: add, path: /metadata/labels, value: {x: y, z: off}}
)"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: transformerAnnotations through a component, a suffixed base and a legacy JSON patch")
{
    temp_tree t{{"comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                            "resources: [extra.yaml]\ncommonAnnotations: {c: d}\nreplicas:\n"
                                            "- {name: web, count: 3}\n"},
                {"comp/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n"},
                {"base/kustomization.yaml",
                 "resources: [d.yaml]\nnameSuffix: -s\nsecretGenerator:\n- name: sec\n"
                 "  literals: [a=b]\n"},
                {"base/d.yaml",
                 "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n"},
                {"top/kustomization.yaml",
                 "resources: [../base]\ncomponents: [../comp]\n"
                 "buildMetadata: [transformerAnnotations, originAnnotations]\nnamePrefix: p-\n"
                 "patchesJson6902:\n- target: {kind: Deployment, name: web}\n  patch: |-\n"
                 "    - {op: add, path: /metadata/labels, value: {x: z}}\n"}};
    same_as_kubectl(t, "top");
}
