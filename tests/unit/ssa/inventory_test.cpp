#include <weir/core/yaml.hpp>
#include <weir/ssa/inventory.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::ssa;

TEST_CASE("inventory entries use Flux's id format, sorted", "[ssa][inventory]")
{
    auto docs = *parse_yaml_stream(R"(
apiVersion: v1
kind: Service
metadata: {name: podinfo, namespace: default}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: podinfo, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:x"}
)");
    auto inv = inventory::of(docs);
    value v = inv.to_value();
    const auto& e = v.find("entries")->as_array();
    REQUIRE(e.size() == 3);
    CHECK(e[0].get_string("id") == "_system__x_rbac.authorization.k8s.io_ClusterRole");
    CHECK(e[0].get_string("v") == "v1");
    CHECK(e[1].get_string("id") == "default_podinfo__Service");
    CHECK(e[2].get_string("id") == "default_podinfo_apps_Deployment");
}

TEST_CASE("inventory read back from status and diffed gives the stale objects", "[ssa][inventory]")
{
    auto old_docs = *parse_yaml_stream("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n---\n"
                                       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: n}\n");
    auto new_docs = *parse_yaml_stream("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: n}\n");
    value status_inv = inventory::of(old_docs).to_value();
    auto old_inv = inventory::from_status(&status_inv);
    REQUIRE(old_inv);
    auto stale = old_inv->difference(inventory::of(new_docs));
    REQUIRE(stale.size() == 1);
    CHECK(stale[0].name == "a");
    CHECK(stale[0].str() == "ConfigMap/n/a");
    CHECK(stale[0].api_version() == "v1");
}

TEST_CASE("inventory rejects malformed ids", "[ssa][inventory]")
{
    value bad = object{{"entries", array{object{{"id", "nonsense"}, {"v", "v1"}}}}};
    auto r = inventory::from_status(&bad);
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("nonsense") != std::string::npos);
    CHECK(inventory::from_status(nullptr)->empty());
}
