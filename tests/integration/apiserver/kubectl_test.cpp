// weir-apiserver driven by the real kubectl 1.32: each case starts a fresh server.
#include "harness.hpp"

using weir::test::apiserver_fixture;

namespace {

const char* multi_doc = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {app: web}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
)";

const char* crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wg], listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a thing the tests make.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10, description: How big the widget is.}
              color: {type: string, enum: [red, blue], default: red}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
)";

const char* widget = R"(apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
)";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("kubectl apply --server-side of a multi-document file creates every object", "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    auto r = srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, multi_doc);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "namespace/shop serverside-applied"));
    CHECK(contains(r.out, "configmap/settings serverside-applied"));
    CHECK(contains(r.out, "deployment.apps/web serverside-applied"));

    auto json = srv.kubectl({"get", "configmap", "settings", "-n", "shop", "-o", "json"});
    REQUIRE(json.code == 0);
    CHECK(contains(json.out, "\"color\": \"blue\""));
    CHECK(contains(json.out, "\"uid\": "));
    CHECK(contains(json.out, "\"creationTimestamp\": "));

    auto yaml = srv.kubectl({"get", "deployment", "web", "-n", "shop", "-o", "yaml", "--show-managed-fields"});
    REQUIRE(yaml.code == 0);
    CHECK(contains(yaml.out, "generation: 1"));
    CHECK(contains(yaml.out, "manager: kubectl"));
    CHECK(contains(yaml.out, "operation: Apply"));
    CHECK(contains(yaml.out, "image: nginx:1.25"));

    // Applying the same file again changes nothing: the resourceVersion stays.
    auto rv1 = srv.kubectl({"get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}"});
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, multi_doc).code == 0);
    auto rv2 = srv.kubectl({"get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}"});
    CHECK(rv1.out == rv2.out);
}

TEST_CASE("server-side apply reports conflicts with another manager and --force-conflicts takes the field",
          "[apiserver][kubectl][ssa]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, multi_doc).code == 0);
    std::string changed = multi_doc;
    changed.replace(changed.find("replicas: 2"), 11, "replicas: 5");
    auto r = srv.kubectl_file({"apply", "--server-side", "--field-manager", "other", "-f", "FILE"}, changed);
    CHECK(r.code != 0);
    CHECK(contains(r.out, "conflict"));
    CHECK(contains(r.out, "\"kubectl\""));
    CHECK(contains(r.out, ".spec.replicas"));
    auto forced = srv.kubectl_file({"apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "FILE"}, changed);
    CHECK(forced.code == 0);
    auto replicas = srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}"});
    CHECK(replicas.out == "5");
}

TEST_CASE("moving from client-side to server-side apply hands the fields over, so dropping one removes it",
          "[apiserver][kubectl][ssa]")
{
    apiserver_fixture srv;
    const std::string two = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mig}\ndata: {a: \"1\", b: \"2\"}\n";
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, two).code == 0);
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, two).code == 0);
    auto managers = srv.kubectl({"get", "cm", "mig", "-o", "jsonpath={.metadata.managedFields[*].manager}"});
    CHECK(managers.out == "kubectl");
    const std::string one = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mig}\ndata: {a: \"1\"}\n";
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, one).code == 0);
    CHECK(srv.kubectl({"get", "cm", "mig", "-o", "jsonpath={.data}"}).out == R"({"a":"1"})");
}

TEST_CASE("client-side apply twice with a change updates the object and bumps its generation",
          "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    auto first = srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc);
    REQUIRE(first.code == 0);
    CHECK(contains(first.out, "deployment.apps/web created"));
    std::string changed = multi_doc;
    changed.replace(changed.find("nginx:1.25"), 10, "nginx:1.27");
    auto second = srv.kubectl_file({"apply", "-f", "FILE"}, changed);
    REQUIRE(second.code == 0);
    CHECK(contains(second.out, "deployment.apps/web configured"));
    CHECK(contains(second.out, "configmap/settings unchanged"));
    auto image = srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o",
                              "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}"});
    CHECK(image.out == "nginx:1.27 2");
    // Labels are metadata: no new generation.
    REQUIRE(srv.kubectl({"label", "deploy", "web", "-n", "shop", "tier=front"}).code == 0);
    auto gen = srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.metadata.generation}"});
    CHECK(gen.out == "2");
}

TEST_CASE("a CRD serves its custom resources with defaults, pruning, validation and explain", "[apiserver][kubectl][crd]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, crd).code == 0);
    auto created = srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, widget);
    REQUIRE(created.code == 0);
    CHECK(contains(created.out, "widget.example.com/w1 serverside-applied"));
    auto color = srv.kubectl({"get", "wg", "w1", "-o", "jsonpath={.spec.color}"});
    CHECK(color.out == "red");
    // kubectl get prints the columns of the server's Table: Name and Age by default.
    auto table = srv.kubectl({"get", "widgets"});
    CHECK(table.out.rfind("NAME   AGE\nw1     ", 0) == 0);

    auto bad = srv.kubectl_file({"apply", "--server-side", "-f", "FILE"},
                                "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 50}\n");
    CHECK(bad.code != 0);
    CHECK(contains(bad.out, "spec.size"));
    CHECK(contains(bad.out, "less than or equal to 10"));
    CHECK(srv.kubectl({"get", "wg", "w2"}).code != 0);

    auto missing = srv.kubectl_file({"create", "-f", "FILE"},
                                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {color: blue}\n");
    CHECK(missing.code != 0);
    CHECK(contains(missing.out, "spec.size: Required value"));

    // kubectl validates strictly by default: an unknown field is an error, not silently dropped.
    auto unknown = srv.kubectl_file({"apply", "--server-side", "-f", "FILE"},
                                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w4}\nspec: {size: 1, junk: 1}\n");
    CHECK(unknown.code != 0);
    CHECK(contains(unknown.out, ".spec.junk: field not declared in schema"));
    auto lax = srv.kubectl_file({"create", "--validate=false", "-f", "FILE"},
                                "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w5}\nspec: {size: 1, junk: 1}\n");
    CHECK(lax.code == 0);
    CHECK(srv.kubectl({"get", "wg", "w5", "-o", "jsonpath={.spec}"}).out == R"({"color":"red","size":1})");

    auto explain = srv.kubectl({"explain", "widgets.spec"});
    REQUIRE(explain.code == 0);
    CHECK(contains(explain.out, "What the widget should be."));
    CHECK(contains(explain.out, "How big the widget is."));

    auto resources = srv.kubectl({"api-resources"});
    REQUIRE(resources.code == 0);
    CHECK(contains(resources.out, "widgets"));
    CHECK(contains(resources.out, "example.com/v1"));
    CHECK(contains(resources.out, "deployments"));
    CHECK(contains(resources.out, "configmaps"));
}

TEST_CASE("kubectl get -w receives a change made after the watch started", "[apiserver][kubectl][watch]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl({"create", "configmap", "watched", "--from-literal=a=1"}).code == 0);
    auto out = srv.dir() / "watch.out";
    pid_t watch = weir::test::spawn(
        srv.kubectl_argv({"get", "configmap", "watched", "-w", "-o", "jsonpath={.data.a}{\"\\n\"}"}), out);
    auto table_out = srv.dir() / "table-watch.out";
    pid_t table_watch = weir::test::spawn(srv.kubectl_argv({"get", "namespaces", "-w"}), table_out);
    bool initial = weir::test::wait_for_text(out, "1\n");
    bool listed = weir::test::wait_for_text(table_out, "kube-system");
    REQUIRE(srv.kubectl({"patch", "configmap", "watched", "--type=merge", "-p", R"({"data":{"a":"2"}})"}).code == 0);
    REQUIRE(srv.kubectl({"create", "namespace", "later"}).code == 0);
    bool changed = weir::test::wait_for_text(out, "2\n");
    bool added = weir::test::wait_for_text(table_out, "later");
    weir::test::stop(watch);
    weir::test::stop(table_watch);
    CHECK(initial);
    CHECK(changed);
    CHECK(listed);
    CHECK(added);
    auto lines = weir::test::slurp(table_out);
    CHECK(lines.rfind("NAME ", 0) == 0);
    CHECK(lines.find("STATUS") != std::string::npos);
    CHECK(lines.find("later             Active") != std::string::npos);
}

TEST_CASE("kubectl wait --for=condition=Ready returns once the custom resource's status says so",
          "[apiserver][kubectl][crd]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, crd).code == 0);
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"}, widget).code == 0);
    auto out = srv.dir() / "wait.out";
    pid_t waiter = weir::test::spawn(srv.kubectl_argv({"wait", "--for=condition=Ready", "widget/w1", "--timeout=60s"}), out);
    // A spec change on the status subresource is ignored; the status change is kept.
    auto patched = srv.kubectl({"patch", "widget", "w1", "--subresource=status", "--type=merge", "-p",
                                R"({"spec":{"size":9},"status":{"conditions":[{"type":"Ready","status":"True"}]}})"});
    REQUIRE(patched.code == 0);
    int st = 0;
    waitpid(waiter, &st, 0);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    CHECK(contains(weir::test::slurp(out), "condition met"));
    auto size = srv.kubectl({"get", "widget", "w1", "-o", "jsonpath={.spec.size} {.metadata.generation}"});
    CHECK(size.out == "3 1");
}

TEST_CASE("kubectl diff shows nothing for an applied file and the change for an edited one", "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc).code == 0);
    auto same = srv.kubectl_file({"diff", "-f", "FILE"}, multi_doc);
    CHECK(same.code == 0);
    CHECK(same.out.empty());
    std::string changed = multi_doc;
    changed.replace(changed.find("color: blue"), 11, "color: green");
    auto diff = srv.kubectl_file({"diff", "-f", "FILE"}, changed);
    CHECK(diff.code == 1);
    CHECK(contains(diff.out, "-  color: blue"));
    CHECK(contains(diff.out, "+  color: green"));
    // diff is a dry run: nothing changed.
    auto color = srv.kubectl({"get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data.color}"});
    CHECK(color.out == "blue");
}

TEST_CASE("kubectl patch applies merge, json and strategic patches", "[apiserver][kubectl][patch]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc).code == 0);
    CHECK(srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"data":{"size":"L"}})"}).code == 0);
    CHECK(srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=json", "-p",
                       R"([{"op":"remove","path":"/data/color"}])"}).code == 0);
    auto data = srv.kubectl({"get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data}"});
    CHECK(data.out == R"({"size":"L"})");
    // Strategic merge: containers merge by name, so the sidecar is added and nginx kept.
    CHECK(srv.kubectl({"patch", "deploy", "web", "-n", "shop", "--type=strategic", "-p",
                       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}})"}).code == 0);
    auto names = srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o",
                              "jsonpath={.spec.template.spec.containers[*].name}"});
    CHECK(contains(names.out, "nginx"));
    CHECK(contains(names.out, "sidecar"));
    auto failing = srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=json", "-p",
                                R"([{"op":"test","path":"/data/size","value":"XL"}])"});
    CHECK(failing.code != 0);
}

TEST_CASE("kubectl delete waits for finalizers and cascades to owned objects", "[apiserver][kubectl][gc]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc).code == 0);
    auto uid = srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.metadata.uid}"});
    REQUIRE(uid.code == 0);
    std::string owned = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: shop\n"
                        "  ownerReferences:\n  - {apiVersion: apps/v1, kind: Deployment, name: web, uid: " +
                        uid.out + "}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: shop\n"
                                  "  finalizers: [example.com/hold]\n";
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, owned).code == 0);
    auto del = srv.kubectl({"delete", "deploy", "web", "-n", "shop", "--cascade=background"});
    CHECK(del.code == 0);
    CHECK(contains(del.out, "deployment.apps \"web\" deleted"));
    CHECK(contains(srv.kubectl({"get", "cm", "owned", "-n", "shop"}).out, "NotFound"));

    REQUIRE(srv.kubectl({"delete", "cm", "held", "-n", "shop", "--wait=false"}).code == 0);
    auto held = srv.kubectl({"get", "cm", "held", "-n", "shop", "-o", "jsonpath={.metadata.deletionTimestamp}"});
    CHECK(held.code == 0);
    CHECK(!held.out.empty());
    REQUIRE(srv.kubectl({"patch", "cm", "held", "-n", "shop", "--type=json", "-p",
                         R"([{"op":"remove","path":"/metadata/finalizers"}])"}).code == 0);
    CHECK(contains(srv.kubectl({"get", "cm", "held", "-n", "shop"}).out, "NotFound"));

    // Deleting the namespace removes what is left in it.
    CHECK(srv.kubectl({"delete", "namespace", "shop"}).code == 0);
    CHECK(contains(srv.kubectl({"get", "cm", "settings", "-n", "shop"}).out, "NotFound"));
}

TEST_CASE("kubectl label and annotate change metadata and selectors find it", "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc).code == 0);
    auto l = srv.kubectl({"label", "cm", "settings", "-n", "shop", "tier=gold"});
    CHECK(contains(l.out, "configmap/settings labeled"));
    auto a = srv.kubectl({"annotate", "cm", "settings", "-n", "shop", "owner=team-a"});
    CHECK(contains(a.out, "configmap/settings annotated"));
    auto sel = srv.kubectl({"get", "cm", "-n", "shop", "-l", "tier=gold", "-o", "name"});
    CHECK(sel.out == "configmap/settings\n");
    auto none = srv.kubectl({"get", "cm", "-n", "shop", "-l", "tier in (silver)", "-o", "name"});
    CHECK(none.out.find("configmap/") == std::string::npos);
    auto note = srv.kubectl({"get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.metadata.annotations.owner}"});
    CHECK(note.out == "team-a");
    CHECK(srv.kubectl({"label", "cm", "settings", "-n", "shop", "tier-"}).code == 0);
    auto gone = srv.kubectl({"get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.metadata.labels}"});
    CHECK(gone.out == R"({"app":"web"})");
}

TEST_CASE("kubectl auth can-i with impersonation follows RBAC bindings", "[apiserver][kubectl][rbac]")
{
    apiserver_fixture srv({"--authorization", "rbac"});
    REQUIRE(srv.kubectl({"create", "namespace", "team"}).code == 0);
    REQUIRE(srv.kubectl({"create", "serviceaccount", "robot", "-n", "team"}).code == 0);
    REQUIRE(srv.kubectl({"create", "role", "reader", "--verb=get,list", "--resource=configmaps", "-n", "team"}).code == 0);
    REQUIRE(srv.kubectl({"create", "rolebinding", "robot-reads", "--role=reader", "--serviceaccount=team:robot", "-n",
                         "team"}).code == 0);
    const std::string as = "--as=system:serviceaccount:team:robot";
    CHECK(srv.kubectl({"auth", "can-i", "list", "configmaps", "-n", "team", as}).out == "yes\n");
    CHECK(srv.kubectl({"auth", "can-i", "delete", "configmaps", "-n", "team", as}).out == "no\n");
    CHECK(srv.kubectl({"auth", "can-i", "list", "configmaps", "-n", "default", as}).out == "no\n");
    CHECK(srv.kubectl({"auth", "can-i", "delete", "configmaps", "-n", "default"}).out == "yes\n");
    auto denied = srv.kubectl({"create", "configmap", "x", "-n", "team", as});
    CHECK(denied.code != 0);
    CHECK(contains(denied.out, "configmaps is forbidden"));
    CHECK(contains(denied.out, "system:serviceaccount:team:robot"));
    CHECK(srv.kubectl({"get", "configmaps", "-n", "team", as}).code == 0);
}

TEST_CASE("an object over 3 MiB is refused with 413 and not stored", "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    auto big = srv.dir() / "big.txt";
    std::ofstream(big) << std::string(3u * 1024 * 1024 + 100, 'x');
    auto r = srv.kubectl({"create", "configmap", "huge", "--from-file=data=" + big.string()});
    CHECK(r.code != 0);
    CHECK(contains(r.out, "Request entity too large"));
    CHECK(contains(srv.kubectl({"get", "cm", "huge"}).out, "NotFound"));
}

TEST_CASE("requests without the kubeconfig's token are rejected with 401", "[apiserver][kubectl][auth]")
{
    apiserver_fixture srv;
    std::string text = weir::test::slurp(srv.kubeconfig());
    auto at = text.find("token: ");
    REQUIRE(at != std::string::npos);
    text.replace(at + 7, 8, "deadbeef");
    auto bad = srv.dir() / "bad-kubeconfig";
    std::ofstream(bad) << text;
    auto out = srv.dir() / "unauthorized.out";
    pid_t pid = weir::test::spawn({"/usr/bin/kubectl", "--kubeconfig", bad.string(), "--cache-dir",
                                   (srv.dir() / "cache2").string(), "get", "namespaces"},
                                  out);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WEXITSTATUS(st) != 0);
    INFO(weir::test::slurp(out));
    CHECK(contains(weir::test::slurp(out), "provide credentials"));
    CHECK(srv.kubectl({"get", "namespaces"}).code == 0);
}

TEST_CASE("a write acknowledged before kill -9 survives the restart and versions keep increasing",
          "[apiserver][kubectl][store]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl({"create", "configmap", "durable", "--from-literal=k=v"}).code == 0);
    auto rv = srv.kubectl({"get", "cm", "durable", "-o", "jsonpath={.metadata.resourceVersion}"});
    // A second server on the same directory refuses to start.
    auto second_out = srv.dir() / "second.out";
    pid_t second = weir::test::spawn({(weir::test::binary_dir() / "bin" / "weir-apiserver").string(), "--data-dir",
                                      (srv.dir() / "data").string()},
                                     second_out);
    int st = 0;
    waitpid(second, &st, 0);
    CHECK(WEXITSTATUS(st) != 0);
    CHECK(weir::test::slurp(second_out).find("in use by another weir-apiserver") != std::string::npos);
    srv.crash_and_restart();
    auto after = srv.kubectl({"get", "cm", "durable", "-o", "jsonpath={.data.k} {.metadata.resourceVersion}"});
    CHECK(after.out == "v " + rv.out);
    REQUIRE(srv.kubectl({"create", "configmap", "later"}).code == 0);
    auto rv2 = srv.kubectl({"get", "cm", "later", "-o", "jsonpath={.metadata.resourceVersion}"});
    CHECK(std::stol(rv2.out) > std::stol(rv.out));
}

TEST_CASE("immutable ConfigMaps and Deployment selectors refuse changes with the real server's message",
          "[apiserver][kubectl][immutable]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "-f", "FILE"}, multi_doc).code == 0);
    REQUIRE(srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"immutable":true})"}).code == 0);
    auto data = srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"data":{"color":"red"}})"});
    CHECK(data.code != 0);
    INFO(data.out);
    CHECK(contains(data.out, R"(The ConfigMap "settings" is invalid: data: Forbidden: field is immutable when `immutable` is set)"));
    auto unmark = srv.kubectl({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"immutable":false})"});
    CHECK(unmark.code != 0);
    // Labels of an immutable ConfigMap may still change, as on a real cluster.
    CHECK(srv.kubectl({"label", "cm", "settings", "-n", "shop", "tier=gold"}).code == 0);

    auto selector = srv.kubectl({"patch", "deploy", "web", "-n", "shop", "--type=merge", "-p",
                                 R"({"spec":{"selector":{"matchLabels":{"app":"other"}},)"
                                 R"("template":{"metadata":{"labels":{"app":"other"}}}}})"});
    CHECK(selector.code != 0);
    INFO(selector.out);
    CHECK(contains(selector.out, R"(The Deployment "web" is invalid: spec.selector: Invalid value:)"));
    CHECK(contains(selector.out, "field is immutable"));
    CHECK(srv.kubectl({"get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.selector.matchLabels.app}"}).out == "web");
}

TEST_CASE("a Secret's stringData is folded into data on every write and never stored", "[apiserver][kubectl]")
{
    apiserver_fixture srv;
    REQUIRE(srv.kubectl_file({"apply", "--server-side", "-f", "FILE"},
                             "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n"
                             "data: {kept: b2xk}\nstringData: {k: v, kept: new}\n")
                .code == 0);
    CHECK(srv.kubectl({"get", "secret", "s", "-o", "jsonpath={.data}"}).out == R"({"k":"dg==","kept":"bmV3"})");
    CHECK(srv.kubectl({"get", "secret", "s", "-o", "jsonpath={.stringData}"}).out.empty());
}
