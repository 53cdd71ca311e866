// Differential tests: small trees made here, built by weir and by `kubectl kustomize`, compared
// as data (document order included).
#include "differential.hpp"

using namespace weir::test;

TEST_CASE("differential: legacy output order of a plain base")
{
    temp_tree t(base_files());
    same_as_kubectl(t, "base");
}

TEST_CASE("differential: namespace, prefix and suffix rename references")
{
    same_as_kubectl(overlay("namespace: prod\nnamePrefix: p-\nnameSuffix: -s\n"), "overlay");
}

TEST_CASE("differential: commonLabels reach selectors and templates, labels without selectors")
{
    same_as_kubectl(overlay("commonLabels: {team: a}\nlabels:\n- pairs: {tier: web}\n  includeTemplates: true\n"
                            "commonAnnotations: {note: x}\n"),
                    "overlay");
}

TEST_CASE("differential: generators with hash suffixes and references to them")
{
    same_as_kubectl(overlay("configMapGenerator:\n- name: web-config\n  literals: [a=1, 'b=\"two\"']\n"
                            "  files: [conf.txt, key=data.bin]\n  envs: [vars.env]\n"
                            "secretGenerator:\n- name: web-secret\n  literals: [password=s3cr3t<&>]\n"
                            "  type: Opaque\n",
                            {{"conf.txt", "line one\nline two\n"},
                             {"data.bin", std::string("\xff\xfe\x00\x01", 4)},
                             {"vars.env", "# comment\nX=1\nY=two words\n"}}),
                    "overlay");
}

TEST_CASE("differential: generator options and merge behaviour")
{
    auto t = overlay("generatorOptions:\n  labels: {gen: yes}\n  disableNameSuffixHash: false\n"
                     "configMapGenerator:\n- name: base-cm\n  behavior: merge\n  literals: [b=2, a=9]\n");
    t.write("base/kustomization.yaml", "resources: [deploy.yaml, service.yaml, rbac.yaml]\n"
                                       "configMapGenerator:\n- name: base-cm\n  literals: [a=1]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: images, replicas")
{
    same_as_kubectl(overlay("images:\n- name: nginx\n  newName: registry.local/nginx\n  newTag: '1.26'\n"
                            "replicas:\n- name: web\n  count: 3\n"),
                    "overlay");
}

TEST_CASE("differential: strategic merge patches merge containers, env and ports by key")
{
    same_as_kubectl(overlay("patches:\n- path: p.yaml\n",
                            {{"p.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        env: [{name: B, value: "2"}]
        ports: [{containerPort: 8080, name: alt}]
      - name: sidecar
        image: busybox
)"}}),
                    "overlay");
}

TEST_CASE("differential: json patches and patches with target selectors")
{
    same_as_kubectl(overlay(R"(patches:
- target: {kind: Deployment, name: "w.*"}
  patch: |-
    - op: add
      path: /metadata/annotations
      value: {patched: "yes"}
    - op: replace
      path: /spec/replicas
      value: 5
- target: {kind: Service, labelSelector: "!missing"}
  patch: |-
    apiVersion: v1
    kind: Service
    metadata:
      name: ignored
    spec:
      type: NodePort
)"),
                    "overlay");
}

TEST_CASE("differential: $patch delete removes an object")
{
    same_as_kubectl(overlay("patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n"
                            "      name: web\n    $patch: delete\n"),
                    "overlay");
}

TEST_CASE("differential: replacements copy a field into targets")
{
    same_as_kubectl(overlay(R"(replacements:
- source: {kind: Service, name: web, fieldPath: spec.ports.0.port}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.[name=web].env.[name=A].value]
- source: {kind: Deployment, name: web, fieldPath: spec.template.spec.containers.0.image, options: {delimiter: ':', index: 1}}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.annotations.version]
    options: {create: true}
)"),
                    "overlay");
}

TEST_CASE("differential: vars substitute into container args")
{
    auto t = overlay("vars:\n- name: SVC\n  objref: {kind: Service, name: web, apiVersion: v1}\n"
                     "namePrefix: x-\n");
    t.write("base/deploy.yaml", std::string(deploy) + "        args: [\"--svc=$(SVC)\"]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: components add resources and patch what came before")
{
    auto t = overlay("components: [../comp]\n");
    t.write("comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                       "resources: [extra.yaml]\ncommonLabels: {comp: on}\n");
    t.write("comp/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: builtin transformers configured from files")
{
    same_as_kubectl(overlay("transformers: [labels.yaml, prefix.yaml]\n",
                            {{"labels.yaml", "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\n"
                                             "labels: {owner: me}\nfieldSpecs:\n- path: metadata/labels\n  create: true\n"},
                             {"prefix.yaml", "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: p\n"
                                             "prefix: pre-\nfieldSpecs:\n- path: metadata/name\n"}}),
                    "overlay");
}

TEST_CASE("differential: sortOptions fifo keeps load order")
{
    same_as_kubectl(overlay("sortOptions:\n  order: fifo\n"), "overlay");
}

TEST_CASE("differential: a replacement whose target field is absent and create is off")
{
    same_as_kubectl(overlay(R"(replacements:
- source: {kind: Service, name: web}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.metadata.annotations.svc]
)"),
                    "overlay");
}

TEST_CASE("differential: a var that is used but not defined stays as written")
{
    auto t = overlay("vars:\n- name: SVC\n  objref: {kind: Service, name: web, apiVersion: v1}\n");
    t.write("base/deploy.yaml", std::string(deploy) + "        args: [\"$(SVC)\", \"$(NOPE)\", \"x$(SVC)y\"]\n");
    same_as_kubectl(t, "overlay");
}
