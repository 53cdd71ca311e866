#include <weir/schema/fields.hpp>

#include <catch2/catch.hpp>

namespace s = weir::schema;

namespace {

// Follows a dotted path of field names; nullptr when one is unknown.
const s::field_ref* walk(const s::field_type* t, std::initializer_list<const char*> path)
{
    const s::field_ref* f = nullptr;
    for (const char* p : path) {
        if (!t) return nullptr;
        f = t->find(p);
        if (!f) return nullptr;
        t = f->type;
    }
    return f;
}

} // namespace

TEST_CASE("the field table knows a Deployment down to its containers' probes and volume sources")
{
    const s::field_type* d = s::fields_for("apps/v1", "Deployment");
    REQUIRE(d);
    CHECK(walk(d, {"metadata", "ownerReferences", "blockOwnerDeletion"}));
    CHECK(walk(d, {"spec", "strategy", "rollingUpdate", "maxSurge"}));
    CHECK(walk(
        d, {"spec", "template", "spec", "containers", "livenessProbe", "httpGet", "httpHeaders", "value"}));
    CHECK(walk(d, {"spec", "template", "spec", "volumes", "projected", "sources", "serviceAccountToken",
                   "audience"}));
    CHECK(walk(d, {"spec", "template", "spec", "affinity", "podAntiAffinity",
                   "preferredDuringSchedulingIgnoredDuringExecution", "podAffinityTerm", "topologyKey"}));
    CHECK_FALSE(walk(d, {"spec", "foo"}));
    CHECK_FALSE(walk(d, {"spec", "template", "spec", "containers", "imagee"}));
}

TEST_CASE("the field table leaves status, maps and custom resources free-form")
{
    const s::field_type* svc = s::fields_for("v1", "Service");
    REQUIRE(svc);
    const s::field_ref* status = svc->find("status");
    REQUIRE(status);
    CHECK(status->type == nullptr);
    CHECK(walk(svc, {"metadata", "labels"})->type == nullptr);
    CHECK(s::fields_for("example.com/v1", "Widget") == nullptr);
}

TEST_CASE("the field table shares one type between kinds that share it")
{
    CHECK(s::fields_for("rbac.authorization.k8s.io/v1", "RoleBinding") ==
          s::fields_for("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"));
    CHECK(walk(s::fields_for("batch/v1", "CronJob"),
               {"spec", "jobTemplate", "spec", "template", "spec", "containers"}));
    CHECK(s::named_type("PodSpec") == walk(s::fields_for("v1", "Pod"), {"spec"})->type);
    CHECK(walk(s::fields_for("events.k8s.io/v1", "Event"), {"regarding", "fieldPath"}));
}

TEST_CASE("the field table gives ephemeral containers the Container fields and targetContainerName only")
{
    const s::field_type* pod = s::named_type("PodSpec");
    REQUIRE(pod);
    CHECK(walk(pod, {"ephemeralContainers", "targetContainerName"}));
    CHECK(walk(pod, {"ephemeralContainers", "livenessProbe", "exec", "command"}));
    CHECK_FALSE(walk(pod, {"containers", "targetContainerName"}));
}
