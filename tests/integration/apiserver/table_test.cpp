// kubectl get of built-in kinds prints the real server's columns (Table responses).
#include "harness.hpp"

#include <regex>

using weir::test::apiserver_fixture;

namespace {

const char* objects = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}, {name: log, image: "fluent:2"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, tier: front}
  ports: [{port: 80, targetPort: 8080}, {port: 443, protocol: TCP}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1", b: "2"}
binaryData: {c: AA==}
---
apiVersion: v1
kind: Secret
metadata: {name: token}
type: kubernetes.io/basic-auth
stringData: {username: u, password: p}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: token}]
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, name: alice}
- {kind: Group, name: devs}
- {kind: ServiceAccount, name: bot, namespace: default}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader}
spec: {holderIdentity: pod-a}
)";

// The lines of `out`, cut at the header's column starts and joined with " | ", so widths do not
// matter and empty cells stay visible.
std::vector<std::string> rows(const std::string& out)
{
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    if (lines.empty()) return lines;
    std::vector<std::size_t> starts{0};
    const std::string& head = lines[0];
    for (std::size_t i = 2; i < head.size(); ++i)
        if (head[i] != ' ' && head[i - 1] == ' ' && head[i - 2] == ' ') starts.push_back(i);
    for (auto& l : lines) {
        std::string joined;
        for (std::size_t c = 0; c < starts.size(); ++c) {
            std::size_t end = c + 1 < starts.size() ? starts[c + 1] : std::string::npos;
            std::string cell = starts[c] < l.size()
                                   ? l.substr(starts[c], end == std::string::npos ? end : end - starts[c])
                                   : "";
            while (!cell.empty() && cell.back() == ' ')
                cell.pop_back();
            joined += (c ? " | " : "") + cell;
        }
        while (!joined.empty() && joined.back() == ' ')
            joined.pop_back();
        l = joined;
    }
    return lines;
}

// Age cells are a few seconds: replaced by AGE so rows compare exactly.
std::string ages(std::string s)
{
    return std::regex_replace(s, std::regex(R"(\b\d+s\b)"), "AGE");
}

// `kubectl get ARGS` as rows, ages replaced.
std::vector<std::string> get_rows(const apiserver_fixture& srv, std::vector<std::string> args)
{
    args.insert(args.begin(), "get");
    auto r = srv.kubectl(args);
    REQUIRE(r.code == 0);
    auto lines = rows(r.out);
    for (auto& l : lines)
        l = ages(l);
    return lines;
}

} // namespace

TEST_CASE("kubectl get prints the real columns of workloads, services and config",
          "[apiserver][kubectl][table]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, objects).code == 0);
    auto get = [&](std::vector<std::string> args) { return get_rows(srv, std::move(args)); };
    CHECK(get({"deployments"}) ==
          std::vector<std::string>{"NAME | READY | UP-TO-DATE | AVAILABLE | AGE", "web | 0/2 | 0 | 0 | AGE"});
    CHECK(get({"deployment", "web", "-o", "wide"}) ==
          std::vector<std::string>{
              "NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS | IMAGES | SELECTOR",
              "web | 0/2 | 0 | 0 | AGE | nginx,log | nginx:1.25,fluent:2 | app=web"});
    auto svc = get({"service", "web", "-o", "wide"});
    REQUIRE(svc.size() == 2);
    CHECK(svc[0] == "NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE | SELECTOR");
    CHECK(std::regex_match(
        svc[1],
        std::regex(
            R"(web \| ClusterIP \| 10\.\d+\.\d+\.\d+ \| <none> \| 80/TCP,443/TCP \| AGE \| app=web,tier=front)")));
    CHECK(get({"configmap", "settings"}) ==
          std::vector<std::string>{"NAME | DATA | AGE", "settings | 3 | AGE"});
    CHECK(get({"secret", "token"}) ==
          std::vector<std::string>{"NAME | TYPE | DATA | AGE", "token | kubernetes.io/basic-auth | 2 | AGE"});
    CHECK(get({"namespace", "default"}) ==
          std::vector<std::string>{"NAME | STATUS | AGE", "default | Active | AGE"});
    CHECK(get({"job", "once"}) == std::vector<std::string>{"NAME | STATUS | COMPLETIONS | DURATION | AGE",
                                                           "once | Running | 0/3 |  | AGE"});
    CHECK(get({"cronjob", "nightly"}) ==
          std::vector<std::string>{"NAME | SCHEDULE | TIMEZONE | SUSPEND | ACTIVE | LAST SCHEDULE | AGE",
                                   "nightly | 0 3 * * * | Etc/UTC | False | 0 | <none> | AGE"});
    CHECK(get({"serviceaccount", "default"}) ==
          std::vector<std::string>{"NAME | SECRETS | AGE", "default | 0 | AGE"});
}

TEST_CASE("kubectl get prints the real columns of ingresses, claims, bindings and leases",
          "[apiserver][kubectl][table]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, objects).code == 0);
    auto get = [&](std::vector<std::string> args) { return get_rows(srv, std::move(args)); };
    CHECK(get({"ingress", "shop"}) ==
          std::vector<std::string>{"NAME | CLASS | HOSTS | ADDRESS | PORTS | AGE",
                                   "shop | nginx | shop.example.com |  | 80, 443 | AGE"});
    CHECK(get({"pvc", "data"}) ==
          std::vector<std::string>{
              "NAME | STATUS | VOLUME | CAPACITY | ACCESS MODES | STORAGECLASS | VOLUMEATTRIBUTESCLASS | AGE",
              "data | Pending |  |  |  | fast | <none> | AGE"});
    CHECK(get({"rolebinding", "readers", "-o", "wide"}) ==
          std::vector<std::string>{"NAME | ROLE | AGE | USERS | GROUPS | SERVICEACCOUNTS",
                                   "readers | ClusterRole/view | AGE | alice | devs | default/bot"});
    CHECK(get({"lease", "leader"}) ==
          std::vector<std::string>{"NAME | HOLDER | AGE", "leader | pod-a | AGE"});
    auto roles = get({"clusterrole", "view"});
    REQUIRE(roles.size() == 2);
    CHECK(roles[0] == "NAME | CREATED AT");
    CHECK(std::regex_match(roles[1], std::regex(R"(view \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    // Status set through the subresource shows in the columns.
    REQUIRE(
        srv.kubectl(
               {"patch", "deployment", "web", "--subresource=status", "--type=merge", "-p",
                R"({"status":{"replicas":2,"readyReplicas":1,"updatedReplicas":2,"availableReplicas":1}})"})
            .code == 0);
    CHECK(get({"deployment", "web"})[1] == "web | 1/2 | 2 | 1 | AGE");
}

TEST_CASE("kubectl get events prints LAST SEEN TYPE REASON OBJECT MESSAGE, Name only with -o wide",
          "[apiserver][kubectl][table]")
{
    apiserver_fixture srv;
    const char* event = R"(apiVersion: v1
kind: Event
metadata: {name: web.1}
involvedObject: {kind: Deployment, name: web, namespace: default, fieldPath: spec}
reason: ScalingReplicaSet
message: Scaled up replica set web-1 to 2
type: Normal
count: 3
source: {component: deployment-controller}
)";
    REQUIRE(srv.kubectl_file({"create", "-f", "FILE"}, event).code == 0);
    // The event has no timestamps: LAST SEEN is <unknown> as on a real server.
    CHECK(get_rows(srv, {"events"}) ==
          std::vector<std::string>{
              "LAST SEEN | TYPE | REASON | OBJECT | MESSAGE",
              "<unknown> | Normal | ScalingReplicaSet | deployment/web | Scaled up replica set web-1 to 2"});
    CHECK(get_rows(srv, {"events", "-o", "wide"}) ==
          std::vector<std::string>{
              "LAST SEEN | TYPE | REASON | OBJECT | SUBOBJECT | SOURCE | MESSAGE | FIRST SEEN | COUNT | NAME",
              "<unknown> | Normal | ScalingReplicaSet | deployment/web | spec | deployment-controller | "
              "Scaled up replica set web-1 to 2 | <unknown> | 3 | web.1"});
}

TEST_CASE("kubectl get pods prints READY STATUS RESTARTS, a new pod Pending", "[apiserver][kubectl][table]")
{
    apiserver_fixture srv;
    const char* pod = R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: "busybox:1"}, {name: b, image: "busybox:1"}]
)";
    REQUIRE(srv.kubectl_file({"create", "-f", "FILE"}, pod).code == 0);
    CHECK(get_rows(srv, {"pods"}) ==
          std::vector<std::string>{"NAME | READY | STATUS | RESTARTS | AGE", "p | 0/2 | Pending | 0 | AGE"});
    REQUIRE(
        srv.kubectl(
               {"patch", "pod", "p", "--subresource=status", "--type=merge", "-p",
                R"({"status":{"phase":"Running","podIP":"10.244.0.7","containerStatuses":[)"
                R"({"name":"a","ready":true,"restartCount":2},{"name":"b","ready":false,"restartCount":1}]}})"})
            .code == 0);
    CHECK(get_rows(srv, {"pods", "-o", "wide"}) ==
          std::vector<std::string>{
              "NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES",
              "p | 1/2 | Running | 3 | AGE | 10.244.0.7 | <none> | <none> | <none>"});
    CHECK(srv.kubectl({"get", "pod", "p", "-o", "jsonpath={.spec.enableServiceLinks}"}).out == "true");
}
