// Built-in kinds through the real kubectl 1.32: strict field validation (kubectl's default
// --validate=strict sends fieldValidation=Strict), the defaults the real server fills in, and the
// table columns kubectl get prints.
#include "harness.hpp"

#include <regex>

using weir::test::apiserver_fixture;

namespace {

bool contains(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

const char* typo_deploy = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  foo: bar
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        imagee: nginx:1.25
        image: nginx:1.25
)";

const char* good_deploy = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
)";

std::string rv_of(const apiserver_fixture& srv, const char* what)
{
    return srv.kubectl({"get", what, "-o", "jsonpath={.metadata.resourceVersion}"}).out;
}

} // namespace

TEST_CASE(
    "kubectl apply of a Deployment with unknown fields fails under strict validation and stores nothing",
    "[apiserver][kubectl][validation]")
{
    apiserver_fixture srv;
    auto r = srv.kubectl_file({"apply", "-f", "FILE"}, typo_deploy);
    CHECK(r.code != 0);
    CHECK(contains(r.out, "Error from server (BadRequest): error when creating"));
    CHECK(contains(r.out,
                   "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
                   "unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].imagee\""));
    auto get = srv.kubectl({"get", "deployment", "web"});
    CHECK(get.code != 0);
    CHECK(contains(get.out, "deployments.apps \"web\" not found"));

    // On an existing object client-side apply patches: the message has no kind, the object stays.
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, good_deploy).code == 0);
    std::string rv = rv_of(srv, "deployment/web");
    r = srv.kubectl_file({"apply", "-f", "FILE"}, typo_deploy);
    CHECK(r.code != 0);
    CHECK(contains(r.out, "error when patching"));
    CHECK(contains(r.out, "strict decoding error: unknown field \"spec.foo\", unknown field "
                          "\"spec.template.spec.containers[0].imagee\""));
    CHECK(rv_of(srv, "deployment/web") == rv);

    // kubectl create and replace send Strict too.
    r = srv.kubectl_file({"replace", "-f", "FILE"}, typo_deploy);
    CHECK(r.code != 0);
    CHECK(contains(r.out,
                   "cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\""));
    CHECK(rv_of(srv, "deployment/web") == rv);
}

TEST_CASE("kubectl --validate=warn prints a warning per unknown field and stores the object without them",
          "[apiserver][kubectl][validation]")
{
    apiserver_fixture srv;
    auto r = srv.kubectl_file({"apply", "--validate=warn", "-f", "FILE"}, typo_deploy);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "Warning: unknown field \"spec.foo\""));
    CHECK(contains(r.out, "Warning: unknown field \"spec.template.spec.containers[0].imagee\""));
    CHECK(contains(r.out, "deployment.apps/web created"));
    auto json = srv.kubectl({"get", "deployment", "web", "-o", "json"});
    REQUIRE(json.code == 0);
    CHECK_FALSE(contains(json.out, "\"foo\""));
    CHECK_FALSE(contains(json.out, "\"imagee\""));
    // The known fields next to the dropped ones are kept.
    CHECK(contains(json.out, "\"image\": \"nginx:1.25\""));
}

TEST_CASE("kubectl --validate=false stores the object without its unknown fields and warns nothing",
          "[apiserver][kubectl][validation]")
{
    apiserver_fixture srv;
    auto r = srv.kubectl_file({"create", "--validate=false", "-f", "FILE"}, typo_deploy);
    REQUIRE(r.code == 0);
    CHECK_FALSE(contains(r.out, "Warning"));
    auto spec = srv.kubectl({"get", "deployment", "web", "-o", "jsonpath={.spec}"});
    REQUIRE(spec.code == 0);
    CHECK_FALSE(contains(spec.out, "foo"));
    CHECK_FALSE(contains(spec.out, "imagee"));
    CHECK(contains(spec.out, "\"replicas\":2"));
}

TEST_CASE("server-side apply of a built-in kind with an unknown field fails as on a real server",
          "[apiserver][kubectl][validation]")
{
    apiserver_fixture srv;
    auto r = srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, typo_deploy);
    CHECK(r.code != 0);
    CHECK(contains(r.out,
                   "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:"));
    CHECK(contains(r.out, ".spec.foo: field not declared in schema"));
    CHECK(contains(r.out, ".spec.template.spec.containers[0].imagee: field not declared in schema"));
    CHECK(srv.kubectl({"get", "deployment", "web"}).code != 0);
}

TEST_CASE("a Deployment gets the real server's defaults, which its applier does not own",
          "[apiserver][kubectl][defaults]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, good_deploy).code == 0);
    auto spec = srv.kubectl({"get", "deployment", "web", "-o", "jsonpath={.spec}"});
    REQUIRE(spec.code == 0);
    for (const char* part :
         {"\"progressDeadlineSeconds\":600", "\"revisionHistoryLimit\":10",
          "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"},\"type\":"
          "\"RollingUpdate\"}",
          "\"dnsPolicy\":\"ClusterFirst\"", "\"restartPolicy\":\"Always\"",
          "\"schedulerName\":\"default-scheduler\"", "\"securityContext\":{}",
          "\"terminationGracePeriodSeconds\":30", "\"imagePullPolicy\":\"IfNotPresent\"",
          "\"terminationMessagePath\":\"/dev/termination-log\"", "\"terminationMessagePolicy\":\"File\"",
          "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]"})
        CHECK(contains(spec.out, part));
    auto managed =
        srv.kubectl({"get", "deployment", "web", "-o", "jsonpath={.metadata.managedFields[0].fieldsV1}"});
    CHECK(contains(managed.out, "f:replicas"));
    CHECK_FALSE(contains(managed.out, "f:progressDeadlineSeconds"));
    CHECK_FALSE(contains(managed.out, "f:dnsPolicy"));

    // Applying the same file again is a no-op: the defaulted port key matches the applied one.
    std::string rv = rv_of(srv, "deployment/web");
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, good_deploy).code == 0);
    CHECK(rv_of(srv, "deployment/web") == rv);
    auto diff = srv.kubectl_file({"diff", "--server-side", "-f", "FILE"}, good_deploy);
    CHECK(diff.code == 0);
    CHECK(diff.out.empty());
}

TEST_CASE(
    "a Service gets a cluster IP from 10.96.0.0/12, node ports and the real defaults, kept across updates",
    "[apiserver][kubectl][defaults]")
{
    apiserver_fixture srv;
    const char* svc = R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
)";
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, svc).code == 0);
    auto spec = srv.kubectl({"get", "service", "web", "-o", "jsonpath={.spec}"});
    REQUIRE(spec.code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(spec.out, m, std::regex(R"re("clusterIP":"(10\.(\d+)\.\d+\.\d+)")re")));
    std::string ip = m[1];
    int second = std::stoi(m[2]);
    CHECK((second >= 96 && second <= 111));
    CHECK(contains(spec.out, "\"clusterIPs\":[\"" + ip + "\"]"));
    REQUIRE(std::regex_search(spec.out, m, std::regex(R"re("nodePort":(\d+))re")));
    int node_port = std::stoi(m[1]);
    CHECK((node_port >= 30000 && node_port <= 32767));
    for (const char* part : {"\"ipFamilies\":[\"IPv4\"]", "\"ipFamilyPolicy\":\"SingleStack\"",
                             "\"internalTrafficPolicy\":\"Cluster\"", "\"externalTrafficPolicy\":\"Cluster\"",
                             "\"sessionAffinity\":\"None\"", "\"protocol\":\"TCP\"", "\"targetPort\":80"})
        CHECK(contains(spec.out, part));

    // A second apply with a change keeps the allocated IP and node port.
    std::string changed = svc;
    changed.replace(changed.find("app: web"), 8, "app: api");
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, changed).code == 0);
    auto after =
        srv.kubectl({"get", "service", "web", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}"});
    CHECK(after.out == ip + " " + std::to_string(node_port));
}

TEST_CASE("Secrets, Namespaces, Jobs, CronJobs, StatefulSets and DaemonSets get the real server's defaults",
          "[apiserver][kubectl][defaults]")
{
    apiserver_fixture srv;
    const char* objs = R"(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop}
stringData: {a: "1"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: shop}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: "busybox:latest"}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: "postgres@sha256:0123"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: "agent:2"}]
)";
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, objs).code == 0);
    auto get = [&](const char* what, const char* path) {
        return srv.kubectl({"get", what, "-n", "shop", "-o", std::string("jsonpath=") + path}).out;
    };
    CHECK(get("secret/s", "{.type}") == "Opaque");
    CHECK(get("namespace/shop", "{.status.phase} {.metadata.labels.kubernetes\\.io/metadata\\.name}") ==
          "Active shop");
    std::string uid = get("job/j", "{.metadata.uid}");
    CHECK(get("job/j", "{.spec.backoffLimit} {.spec.completions} {.spec.parallelism} {.spec.completionMode} "
                       "{.spec.suspend} {.spec.podReplacementPolicy}") ==
          "6 1 1 NonIndexed false TerminatingOrFailed");
    CHECK(get("job/j", "{.spec.selector.matchLabels.batch\\.kubernetes\\.io/controller-uid}") == uid);
    CHECK(get("job/j", "{.spec.template.metadata.labels.job-name} "
                       "{.spec.template.spec.containers[0].imagePullPolicy}") == "j Always");
    CHECK(get("cronjob/cj",
              "{.spec.concurrencyPolicy} {.spec.suspend} {.spec.successfulJobsHistoryLimit} "
              "{.spec.failedJobsHistoryLimit} {.spec.jobTemplate.spec.template.spec.schedulerName}") ==
          "Allow false 3 1 default-scheduler");
    CHECK(get("statefulset/db", "{.spec.replicas} {.spec.podManagementPolicy} {.spec.updateStrategy.type} "
                                "{.spec.updateStrategy.rollingUpdate.partition} {.spec.revisionHistoryLimit} "
                                "{.spec.persistentVolumeClaimRetentionPolicy.whenDeleted} "
                                "{.spec.template.spec.containers[0].imagePullPolicy}") ==
          "1 OrderedReady RollingUpdate 0 10 Retain IfNotPresent");
    CHECK(get("daemonset/agent",
              "{.spec.updateStrategy.type} {.spec.updateStrategy.rollingUpdate.maxUnavailable} "
              "{.spec.updateStrategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit}") ==
          "RollingUpdate 1 0 10");
}
