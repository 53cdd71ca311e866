#include <weir/schema/schema.hpp>

#include <catch2/catch.hpp>

namespace s = weir::schema;

TEST_CASE("schema knows containers merge by name inside a Deployment pod template")
{
    const s::type_info* t = s::type_for("apps/v1", "Deployment");
    REQUIRE(t);
    const s::field_info* spec = t->find("spec");
    REQUIRE(spec);
    const s::field_info* tmpl = spec->type->find("template");
    const s::field_info* pod = tmpl->type->find("spec");
    const s::field_info* containers = pod->type->find("containers");
    REQUIRE(containers);
    CHECK(containers->merge_keys == std::vector<std::string>{"name"});
    CHECK(containers->type->find("ports")->merge_keys[0] == "containerPort");
}

TEST_CASE("schema marks cluster-scoped kinds and leaves unknown kinds namespaced")
{
    CHECK(s::cluster_scoped("", "Namespace"));
    CHECK(s::cluster_scoped("rbac.authorization.k8s.io", "ClusterRoleBinding"));
    CHECK_FALSE(s::cluster_scoped("apps", "Deployment"));
    CHECK_FALSE(s::cluster_scoped("example.com", "Widget"));
    CHECK(s::type_for("example.com/v1", "Widget") == nullptr);
}

TEST_CASE("schema name references include ConfigMap volumes and RoleBinding roleRef")
{
    bool cm = false, role = false;
    for (const auto& r : s::name_references()) {
        if (r.kind == "ConfigMap" && r.referrer_kind == "Deployment" && r.path == "spec/template/spec/volumes/configMap/name")
            cm = true;
        if (r.kind == "Role" && r.referrer_kind == "RoleBinding" && r.path == "roleRef/name") role = true;
    }
    CHECK(cm);
    CHECK(role);
}
