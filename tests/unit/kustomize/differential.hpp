// Helpers of the differential tests: a base tree, overlays on it, and the comparison of weir
// with `kubectl kustomize` as data (document order included).
#pragma once

#include "tree.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <catch2/catch.hpp>

namespace weir::test {

inline const char* const deploy = R"(apiVersion: apps/v1
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
inline const char* const service = R"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
)";
inline const char* const rbac = R"(apiVersion: v1
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
inline void same_as_kubectl(const temp_tree& t, const std::string& dir = "")
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

inline std::map<std::string, std::string> base_files()
{
    return {{"base/deploy.yaml", deploy},
            {"base/service.yaml", service},
            {"base/rbac.yaml", rbac},
            {"base/kustomization.yaml", "resources: [deploy.yaml, service.yaml, rbac.yaml]\n"}};
}

inline temp_tree overlay(const std::string& kustomization, std::map<std::string, std::string> extra = {})
{
    auto files = base_files();
    files["overlay/kustomization.yaml"] = "resources: [../base]\n" + kustomization;
    for (auto& [k, v] : extra) files["overlay/" + k] = v;
    return temp_tree(files);
}

} // namespace weir::test

