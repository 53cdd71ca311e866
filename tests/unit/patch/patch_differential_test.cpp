// libs/patch against `kubectl patch --local` (apimachinery's patch code), on the same inputs.
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/patch/patch.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using weir::value;

namespace {

value y(const char* text) { return weir::parse_yaml(text).value(); }

bool have_kubectl() { return std::system("kubectl version --client >/dev/null 2>&1") == 0; }

// kubectl's result, or null when kubectl refuses the patch.
value kubectl_patch(const value& doc, const value& patch, const char* type)
{
    char dir[] = "/tmp/weir-patch-XXXXXX";
    std::filesystem::path d = mkdtemp(dir);
    std::ofstream(d / "doc.json") << weir::to_json(doc);
    std::ofstream(d / "patch.json") << weir::to_json(patch);
    std::string cmd = "kubectl patch --local -o json -f '" + (d / "doc.json").string() + "' --type " + type +
                      " --patch-file '" + (d / "patch.json").string() + "' 2>/dev/null";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[8192];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        if (pclose(p) != 0) out.clear();
    }
    std::filesystem::remove_all(d);
    if (out.empty()) return value{};
    return weir::parse_json(out).value();
}

void same_as_kubectl(const char* doc_yaml, const char* patch_yaml, const char* type)
{
    if (!have_kubectl()) {
        WARN("kubectl not found: differential test skipped");
        return;
    }
    value doc = y(doc_yaml);
    value patch = y(patch_yaml);
    value want = kubectl_patch(doc, patch, type);
    value got = doc;
    bool ok = true;
    if (std::string(type) == "strategic")
        ok = weir::patch::apply_strategic_merge(got, patch).has_value();
    else if (std::string(type) == "merge")
        weir::patch::apply_merge_patch(got, patch);
    else
        ok = weir::patch::apply_json_patch(got, patch).has_value();
    if (want.is_null()) {
        CHECK_FALSE(ok);
        return;
    }
    REQUIRE(ok);
    INFO("want:\n" << weir::to_yaml(want) << "got:\n" << weir::to_yaml(got));
    CHECK(got == want);
}

const char* const deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  finalizers: [a, b]
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: a
        image: img-a
        args: [x, y]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80}, {containerPort: 443, name: https}]
        volumeMounts: [{name: v, mountPath: /v}]
      - name: b
        image: img-b
      volumes: [{name: v, emptyDir: {}}, {name: w, configMap: {name: cm}}]
      tolerations: [{key: k, operator: Exists}]
)";

} // namespace

TEST_CASE("patch differential: strategic merge of containers, env, ports and mounts")
{
    same_as_kubectl(deployment, R"(spec:
  template:
    spec:
      containers:
      - name: c
        image: img-c
      - name: a
        image: img-a2
        env: [{name: C, value: "3"}, {name: A, value: "9"}]
        ports: [{containerPort: 8080}]
        volumeMounts: [{name: v2, mountPath: /v2}]
)",
                    "strategic");
}

TEST_CASE("patch differential: strategic merge directives and atomic lists")
{
    same_as_kubectl(deployment, R"(metadata:
  labels: {tier: null}
  finalizers: [c, a]
spec:
  strategy: {$retainKeys: [type], type: Recreate}
  template:
    spec:
      containers:
      - {name: b, $patch: delete}
      - name: a
        args: [z]
      tolerations: [{key: other, operator: Exists}]
      volumes:
      - {name: w, $patch: delete}
)",
                    "strategic");
}

TEST_CASE("patch differential: strategic merge replace directive and element order")
{
    same_as_kubectl(deployment, R"(spec:
  selector: {$patch: replace, matchLabels: {app: web2}}
  template:
    spec:
      $setElementOrder/containers: [{name: b}, {name: a}]
      containers: [{name: a, image: q}]
)",
                    "strategic");
}

TEST_CASE("patch differential: merge patch")
{
    same_as_kubectl(deployment, "metadata: {labels: {tier: null, new: x}}\nspec: {replicas: 3, template: null}\n",
                    "merge");
}

TEST_CASE("patch differential: json patch operations and a failing test op")
{
    same_as_kubectl(deployment, R"(- {op: add, path: /metadata/labels/x, value: y}
- {op: remove, path: /spec/template/spec/containers/1}
- {op: replace, path: /spec/replicas, value: 5}
- {op: copy, from: /metadata/name, path: /metadata/annotations}
- {op: move, from: /spec/template/spec/tolerations, path: /spec/template/spec/t2}
- {op: test, path: /spec/replicas, value: 5}
- {op: add, path: /spec/template/spec/volumes/-, value: {name: z, emptyDir: {}}}
)",
                    "json");
    same_as_kubectl(deployment, "- {op: test, path: /spec/replicas, value: 9}\n", "json");
    same_as_kubectl(deployment, "- {op: remove, path: /spec/nope}\n", "json");
}
