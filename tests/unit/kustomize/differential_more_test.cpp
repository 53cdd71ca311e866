// Differential tests: small trees made here, built by weir and by `kubectl kustomize`, compared
// as data (document order included).
#include "differential.hpp"

using namespace weir::test;

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

TEST_CASE("differential: ingress, cronjob and pvc references follow prefixes; images in cronjobs")
{
    temp_tree t{{"kustomization.yaml", R"(resources: [all.yaml]
namePrefix: p-
commonAnnotations: {a: b}
images:
- {name: busybox, newTag: "1.36", digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}
secretGenerator:
- name: tls
  literals: [tls.crt=x, tls.key=y]
  type: kubernetes.io/tls
configMapGenerator:
- name: vars
  literals: [HOST=example.com]
vars:
- name: HOST
  objref: {kind: ConfigMap, name: vars, apiVersion: v1}
  fieldref: {fieldPath: data.HOST}
)"},
                {"all.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec:
  ingressClassName: nginx
  tls: [{hosts: [$(HOST)], secretName: tls}]
  rules:
  - host: $(HOST)
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: svc, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox, envFrom: [{secretRef: {name: tls}}]}]
          volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
)"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: a multi-document patch file, a deleting patch and the singular env field")
{
    auto t = overlay("patches:\n- path: multi.yaml\npatchesStrategicMerge:\n- del.yaml\n"
                     "configMapGenerator:\n- name: legacy\n  env: a.env\n",
                     {{"multi.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n"
                                     "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                                     "  replicas: 4\n"},
                      {"del.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n"
                                   "$patch: delete\n"},
                      {"a.env", "A=1\n"}});
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: labels without selectors leave selectors alone")
{
    same_as_kubectl(overlay("labels:\n- pairs: {only: meta}\n- pairs: {sel: yes-sel}\n  includeSelectors: true\n"),
                    "overlay");
}

TEST_CASE("differential: vars reach only kustomize's default fields")
{
    temp_tree t{{"kustomization.yaml", "resources: [all.yaml]\nvars:\n- name: SVC\n"
                                       "  objref: {kind: Service, name: svc, apiVersion: v1}\n"},
                {"all.yaml", R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: c, annotations: {x: $(SVC)}}
data: {k: $(SVC)}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  serviceName: $(SVC)
  template:
    metadata: {annotations: {y: $(SVC)}, labels: {l: $(SVC)}}
    spec:
      containers: [{name: c, image: "img:$(SVC)", command: [$(SVC)], workingDir: $(SVC), env: [{name: A, value: $(SVC)}]}]
---
apiVersion: example.com/v1
kind: Thing
metadata: {name: t}
spec: {x: $(SVC), containers: [{name: c, args: [$(SVC)]}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i}
spec:
  rules: [{host: $(SVC)}]
)Y"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: strategic merge list order of env, ports with and without protocol, atomic subjects")
{
    auto t = overlay(R"(patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers:
          - name: web
            env: [{name: B, value: x}, {name: A, value: "1"}]
            ports: [{containerPort: 82, name: x}, {containerPort: 81, protocol: UDP, name: dns}]
          hostAliases: [{ip: 2.2.2.2, hostnames: [b]}]
          tolerations: [{key: k2, operator: Exists}]
- patch: |-
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: reader}
    subjects: [{kind: ServiceAccount, name: other}]
)");
    t.write("base/deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        env: [{name: A, value: "0"}, {name: C, value: "3"}]
        ports: [{containerPort: 80, name: http}, {containerPort: 81, protocol: UDP}]
      hostAliases: [{ip: 1.1.1.1, hostnames: [a]}]
      tolerations: [{key: k1, operator: Exists}]
)");
    same_as_kubectl(t, "overlay");
}

TEST_CASE("differential: resource scalars read as kustomize reads them (octal 0755, yes and on stay strings)")
{
    temp_tree t{{"kustomization.yaml", "resources: [cm.yaml]\nnamespace: x\n"},
                {"cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {a: yes, b: on, c: 12, d: true, e: null}\n"
                            "data: {mode: \"0755\"}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                            "  containers: [{name: c, image: i}]\n  volumes: [{name: v, configMap: {name: c, "
                            "defaultMode: 0755}}]\n"}};
    same_as_kubectl(t);
}

TEST_CASE("differential: labels includeTemplates and commonLabels across workload kinds")
{
    const char* w = R"(apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: i}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: i}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: {matchLabels: {a: b}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector: {matchLabels: {a: b}}
  ingress: [{from: [{podSelector: {matchLabels: {a: b}}}]}]
)";
    temp_tree t{{"a/kustomization.yaml", "resources: [w.yaml]\nlabels:\n- pairs: {t: x}\n  includeTemplates: true\n"},
                {"a/w.yaml", w},
                {"b/kustomization.yaml", "resources: [w.yaml]\ncommonLabels: {t: x}\ncommonAnnotations: {n: y}\n"},
                {"b/w.yaml", w}};
    same_as_kubectl(t, "a");
    same_as_kubectl(t, "b");
}
