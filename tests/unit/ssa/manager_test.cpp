#include <weir/ssa/manager.hpp>

#include <catch2/catch.hpp>

using namespace weir::ssa;

TEST_CASE("apply stages put CRDs and Namespaces first, then Class kinds", "[ssa][manager]")
{
    CHECK(apply_stage("CustomResourceDefinition") == 0);
    CHECK(apply_stage("Namespace") == 0);
    CHECK(apply_stage("ClusterRole") == 0);
    CHECK(apply_stage("StorageClass") == 1);
    CHECK(apply_stage("IngressClass") == 1);
    CHECK(apply_stage("Deployment") == 2);
    CHECK(apply_stage("Class") == 2);
}

TEST_CASE("change sets print Flux's change log and skip unchanged objects", "[ssa][manager]")
{
    change_set cs;
    cs.entries.push_back({object_ref{"apps", "v1", "Deployment", "default", "web"}, action::created});
    cs.entries.push_back({object_ref{"", "v1", "ConfigMap", "default", "cfg"}, action::unchanged});
    cs.entries.push_back({object_ref{"", "v1", "Namespace", "", "apps"}, action::configured});
    CHECK(cs.changed());
    CHECK(cs.str() == "Deployment/default/web created\nNamespace/apps configured");
    change_set quiet;
    quiet.entries.push_back({object_ref{"", "v1", "ConfigMap", "default", "cfg"}, action::unchanged});
    CHECK_FALSE(quiet.changed());
}
