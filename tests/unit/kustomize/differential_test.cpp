// Differential tests: small trees made here, built by weir and by `kubectl kustomize`, compared
// as data (document order included).
#include "tree.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <catch2/catch.hpp>

using weir::test::temp_tree;

namespace {

const char* const deploy = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
        env: [{name: A, value: "1"}]
        envFrom: [{configMapRef: {name: web-config}}]
        volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
      volumes:
      - name: cfg
        configMap: {name: web-config}
      - name: sec
        secret: {secretName: web-secret}
)";
const char* const service = R"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
)";
const char* const rbac = R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: v1
kind: Namespace
metadata:
  name: apps
)";

// Builds the tree's `dir` with both tools and checks the outputs hold the same data.
void same_as_kubectl(const temp_tree& t, const std::string& dir = "")
{
    if (!weir::test::have_kubectl()) {
        WARN("kubectl not found: differential test skipped");
        return;
    }
    auto ref = weir::test::kubectl_kustomize(t.path(dir));
    auto got = weir::kustomize::build(t.path(dir));
    if (ref.status != 0) {
        CHECK_FALSE(got);
        return;
    }
    REQUIRE(got.has_value());
    auto want = weir::parse_yaml_stream(ref.out).value();
    auto mine = weir::parse_yaml_stream(weir::to_yaml_stream(*got)).value();
    REQUIRE(mine.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("document " << i << "\nwant:\n" << weir::to_yaml(want[i]) << "got:\n" << weir::to_yaml(mine[i]));
        CHECK(mine[i] == want[i]);
    }
}

std::map<std::string, std::string> base_files()
{
    return {{"base/deploy.yaml", deploy},
            {"base/service.yaml", service},
            {"base/rbac.yaml", rbac},
            {"base/kustomization.yaml", "resources: [deploy.yaml, service.yaml, rbac.yaml]\n"}};
}

temp_tree overlay(const std::string& kustomization, std::map<std::string, std::string> extra = {})
{
    auto files = base_files();
    files["overlay/kustomization.yaml"] = "resources: [../base]\n" + kustomization;
    for (auto& [k, v] : extra) files["overlay/" + k] = v;
    return temp_tree(files);
}

} // namespace

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

TEST_CASE("differential: List objects expand into their items")
{
    temp_tree t{{"kustomization.yaml", "resources: [list.yaml]\nnamePrefix: a-\n"},
                {"list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
                              "    name: one\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: two\n"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: a targeted patch deletes a container and commonLabels create a Service selector")
{
    auto t = overlay(R"(commonLabels: {team: a}
patches:
- target: {kind: Deployment}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: x}
    spec:
      template:
        spec:
          containers:
          - name: web
            $patch: delete
)");
    t.write("base/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: images by digest, by tag with a registry port, and newName only")
{
    auto t = overlay("images:\n- name: localhost:5000/a\n  newTag: v2\n- name: b\n  digest: sha256:"
                     "0000000000000000000000000000000000000000000000000000000000000000\n- name: nginx\n"
                     "  newName: my/nginx\n");
    t.write("base/deploy.yaml", std::string(deploy) + "      initContainers:\n      - name: a\n"
                                                      "        image: localhost:5000/a:v1\n      - name: b\n"
                                                      "        image: b:old\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: json patch appends with - and adds below a new map")
{
    same_as_kubectl(overlay(R"(patches:
- target: {kind: Deployment}
  patch: |-
    - {op: add, path: /spec/template/spec/containers/-, value: {name: extra, image: busybox}}
    - {op: add, path: /spec/template/spec/containers/0/args, value: [a, b]}
    - {op: remove, path: /spec/template/spec/volumes/1}
)"),
                    "overlay");
}

TEST_CASE("differential: two overlays of one base under a parent keep ids apart")
{
    auto files = base_files();
    files["a/kustomization.yaml"] = "resources: [../base]\nnameSuffix: -a\nnamespace: a\n";
    files["b/kustomization.yaml"] = "resources: [../base]\nnameSuffix: -b\nnamespace: b\n";
    files["top/kustomization.yaml"] = "resources: [../a, ../b]\ncommonLabels: {top: x}\n";
    files["base/kustomization.yaml"] = "resources: [deploy.yaml, service.yaml]\nconfigMapGenerator:\n"
                                       "- name: web-config\n  literals: [x=1]\n";
    temp_tree t(files);
    same_as_kubectl(t, "top");
}

TEST_CASE("differential: configurations add name references and label paths for custom kinds")
{
    auto t = overlay("namePrefix: p-\ncommonLabels: {team: a}\nconfigurations: [conf.yaml]\nresources: [cr.yaml]\n"
                     "configMapGenerator:\n- name: cr-config\n  literals: [a=b]\n",
                     {{"conf.yaml", "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - path: spec/configRef\n"
                                    "    kind: Widget\ncommonLabels:\n- path: spec/selector\n  kind: Widget\n"
                                    "  create: true\n"},
                      {"cr.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n"
                                  "  configRef: cr-config\n"}});
    t.write("overlay/kustomization.yaml", "resources: [../base, cr.yaml]\nnamePrefix: p-\ncommonLabels: {team: a}\n"
                                          "configurations: [conf.yaml]\nconfigMapGenerator:\n- name: cr-config\n"
                                          "  literals: [a=b]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: legacy patch fields, inline and from files")
{
    same_as_kubectl(overlay(R"(patchesStrategicMerge:
- |-
  apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    type: LoadBalancer
- sa.yaml
patchesJson6902:
- target: {group: apps, version: v1, kind: Deployment, name: web}
  path: ops.yaml
)",
                            {{"sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n"
                                         "automountServiceAccountToken: false\n"},
                             {"ops.yaml", "- op: replace\n  path: /spec/replicas\n  value: 7\n"}}),
                    "overlay");
}

TEST_CASE("differential: secretGenerator from env files, generator namespaces, labels with fields")
{
    same_as_kubectl(overlay(R"(secretGenerator:
- name: creds
  namespace: other
  envs: [creds.env]
  type: kubernetes.io/basic-auth
  options: {labels: {kind: creds}, annotations: {a: b}}
labels:
- pairs: {custom: yes-please}
  fields:
  - path: spec/template/metadata/labels
    kind: Deployment
    create: true
)",
                            {{"creds.env", "username=admin\npassword=a-very-long-password-that-wraps-when-encoded-"
                                           "in-base64-because-it-is-long\n"}}),
                    "overlay");
}

TEST_CASE("differential: legacySortOptions and managedByLabel")
{
    same_as_kubectl(overlay("sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst: [Service]\n"
                            "    orderLast: [Namespace]\nbuildMetadata: [managedByLabel]\n"),
                    "overlay");
}

TEST_CASE("differential: generator merge in an overlay of a namespaced base")
{
    auto t = overlay("configMapGenerator:\n- name: web-config\n  namespace: apps\n  behavior: merge\n"
                     "  literals: [b=2]\n- name: web-config2\n  behavior: create\n  literals: [c=3]\n");
    t.write("base/kustomization.yaml", "resources: [deploy.yaml, service.yaml, rbac.yaml]\nnamespace: apps\n"
                                       "configMapGenerator:\n- name: web-config\n  literals: [a=1]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: replicas on a StatefulSet and a HorizontalPodAutoscaler reference")
{
    auto t = overlay("namePrefix: p-\nreplicas:\n- name: db\n  count: 2\nresources: [sts.yaml]\n",
                     {{"sts.yaml", R"(apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: web
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
)"}});
    t.write("overlay/kustomization.yaml", "resources: [../base, sts.yaml]\nnamePrefix: p-\ncommonLabels: {x: y}\n"
                                          "replicas:\n- name: db\n  count: 2\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: legacy order by kind priority, group, namespace then name")
{
    std::string docs;
    for (const char* ns : {"", "b", "a"})
        for (const char* name : {"x", "x-y", "w"})
            for (const char* kind : {"ConfigMap", "Widget", "Gadget"}) {
                std::string av = std::string(kind) == "ConfigMap" ? "v1" : (std::string(kind) == "Widget" ? "z.io/v1" : "a.io/v1");
                docs += "---\napiVersion: " + av + "\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n";
                if (*ns) docs += "  namespace: " + std::string(ns) + "\n";
            }
    temp_tree t{{"kustomization.yaml", "resources: [all.yaml]\n"}, {"all.yaml", docs}};
    same_as_kubectl(t);
}

TEST_CASE("differential: buildMetadata originAnnotations name files and generators")
{
    auto t = overlay("buildMetadata: [originAnnotations]\nconfigMapGenerator:\n- name: gen\n  literals: [a=1]\n");
    t.write("base/kustomization.yaml", "resources: [deploy.yaml, service.yaml, rbac.yaml]\nsecretGenerator:\n"
                                       "- name: s\n  literals: [b=2]\n");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: namespace on cluster-scoped objects, subjects and webhooks")
{
    temp_tree t{{"kustomization.yaml", "resources: [all.yaml]\nnamespace: target\nnamePrefix: p-\n"},
                {"all.yaml", R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr, namespace: stray}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects:
- {kind: ServiceAccount, name: default, namespace: somewhere}
- {kind: ServiceAccount, name: sa, namespace: elsewhere}
- {kind: ServiceAccount, name: sa2}
- {kind: User, name: sa}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- name: w.example.com
  clientConfig: {service: {name: svc, namespace: old}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
)"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: a patch target that selects nothing is not an error")
{
    same_as_kubectl(overlay("patches:\n- target: {kind: Nothing}\n  patch: |-\n    - {op: remove, path: /x}\n"),
                    "overlay");
}

TEST_CASE("differential: webhook and APIService service references follow renames by namespace")
{
    const char* objs = R"(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- name: w.example.com
  clientConfig: {service: {name: svc}}
- name: w2.example.com
  clientConfig: {service: {name: svc, namespace: zzz}}
- name: w3.example.com
  clientConfig: {service: {name: svc, namespace: default}}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.x.io}
spec: {service: {name: svc, namespace: zzz}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
)";
    temp_tree t{{"a/kustomization.yaml", "resources: [all.yaml]\nnamespace: target\nnamePrefix: p-\n"},
                {"a/all.yaml", objs},
                {"b/kustomization.yaml", "resources: [all.yaml]\nnameSuffix: -s\n"},
                {"b/all.yaml", objs}};
    same_as_kubectl(t, "a");
    same_as_kubectl(t, "b");
}
