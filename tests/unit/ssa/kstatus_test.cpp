#include <weir/core/yaml.hpp>
#include <weir/ssa/kstatus.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::ssa;

namespace {
health status_of(std::string_view yaml) { return compute_health(*parse_yaml(yaml)).status; }
} // namespace

TEST_CASE("kstatus: a Deployment is current only when fully rolled out", "[ssa][kstatus]")
{
    CHECK(status_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2,
         conditions: [{type: Available, status: "True"}]}
)") == health::current);
    CHECK(status_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {generation: 3}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2}
)") == health::in_progress);
    CHECK(status_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1}
)") == health::in_progress);
    CHECK(status_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded}]}
)") == health::failed);
}

TEST_CASE("kstatus: Jobs are current when complete and failed when failed", "[ssa][kstatus]")
{
    CHECK(status_of("apiVersion: batch/v1\nkind: Job\nstatus: {conditions: [{type: Complete, status: 'True'}]}") ==
          health::current);
    CHECK(status_of("apiVersion: batch/v1\nkind: Job\nstatus: {conditions: [{type: Failed, status: 'True'}]}") ==
          health::failed);
    CHECK(status_of("apiVersion: batch/v1\nkind: Job\nstatus: {active: 1}") == health::in_progress);
}

TEST_CASE("kstatus: generic objects follow Ready, Reconciling and Stalled", "[ssa][kstatus]")
{
    CHECK(status_of("apiVersion: v1\nkind: ConfigMap\ndata: {a: b}") == health::current);
    CHECK(status_of("apiVersion: x/v1\nkind: Thing\nstatus: {conditions: [{type: Ready, status: 'True'}]}") ==
          health::current);
    CHECK(status_of("apiVersion: x/v1\nkind: Thing\nstatus: {conditions: [{type: Ready, status: 'False'}]}") ==
          health::in_progress);
    CHECK(status_of("apiVersion: x/v1\nkind: Thing\nstatus: {conditions: [{type: Stalled, status: 'True'}]}") ==
          health::failed);
    CHECK(status_of("apiVersion: x/v1\nkind: Thing\nmetadata: {deletionTimestamp: '2026-01-01T00:00:00Z'}") ==
          health::terminating);
}

TEST_CASE("kstatus: CRDs, PVCs, StatefulSets and DaemonSets", "[ssa][kstatus]")
{
    CHECK(status_of("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nstatus: {conditions: "
                    "[{type: Established, status: 'True'}]}") == health::current);
    CHECK(status_of("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition") == health::in_progress);
    CHECK(status_of("apiVersion: v1\nkind: PersistentVolumeClaim\nstatus: {phase: Pending}") == health::in_progress);
    CHECK(status_of("apiVersion: apps/v1\nkind: StatefulSet\nspec: {replicas: 2}\nstatus: {readyReplicas: 2, "
                    "currentReplicas: 2, currentRevision: a, updateRevision: a}") == health::current);
    CHECK(status_of("apiVersion: apps/v1\nkind: StatefulSet\nspec: {replicas: 2}\nstatus: {readyReplicas: 2, "
                    "currentReplicas: 2, currentRevision: a, updateRevision: b}") == health::in_progress);
    CHECK(status_of("apiVersion: apps/v1\nkind: DaemonSet\nstatus: {desiredNumberScheduled: 2, "
                    "updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 1}") == health::in_progress);
}
