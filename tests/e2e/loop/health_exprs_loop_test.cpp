// spec.healthCheckExprs end to end: a custom resource judged by CEL expressions, whose status the
// test sets as its operator would.
#include "loop_support.hpp"

using namespace weir;
using namespace weir::test::loop;

namespace {

const kube::gvk widget_kind{"example.com", "v1", "Widget"};

const char* widget_crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
)";

const char* widget =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 1}\n";

// Waits on the Widget with expressions that the generic kstatus rules would not apply: the
// operator reports "phase", not conditions.
const char* exprs = R"(  wait: true
  timeout: 10m
  healthCheckExprs:
  - apiVersion: example.com/v1
    kind: Widget
    inProgress: "status.phase == 'Provisioning'"
    failed: "status.phase == 'Broken'"
    current: "status.phase == 'Running' && status.observedSize == spec.size")";

void set_phase(test::local_cluster& c, const std::string& phase)
{
    test::wait_until([&] { return bool(c.client().get(widget_kind, "default", "w1")); },
                     "the Widget to be applied");
    auto r = c.client().patch(widget_kind, "default", "w1", kube::patch_type::merge,
                              fmt::format(R"({{"status":{{"phase":"{}","observedSize":1}}}})", phase));
    REQUIRE(r);
}

} // namespace

TEST_CASE("loop: healthCheckExprs keep a Kustomization waiting until current holds, then Ready",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/crd.yaml", widget_crd}, {"deploy/widget.yaml", widget}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), exprs));
    set_phase(c, "Provisioning");
    value waiting = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_message(o, "Ready").find("Running health checks") != std::string::npos;
    });
    CHECK(test::condition_status(waiting, "Ready") != "True");

    set_phase(c, "Running");
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    CHECK(test::condition_status(ks, "Healthy") == "True");
}

TEST_CASE("loop: a true healthCheckExprs failed expression fails the health check before the timeout",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/crd.yaml", widget_crd}, {"deploy/widget.yaml", widget}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), exprs));
    set_phase(c, "Broken");
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Healthy") == "HealthCheckFailed";
    });
    std::string message = test::condition_message(ks, "Ready");
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(message.find("Widget/default/w1") != std::string::npos);
    CHECK(message.find("status.phase == 'Broken'") != std::string::npos);
}
