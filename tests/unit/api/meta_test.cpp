#include <weir/api/meta.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::api;

TEST_CASE("inventory ids follow Flux's format", "[api][meta]")
{
    CHECK(inventory_id("default", "podinfo", "", "Service") == "default_podinfo__Service");
    CHECK(inventory_id("", "flux-system", "", "Namespace") == "_flux-system__Namespace");
    CHECK(inventory_id("", "system:auth", "rbac.authorization.k8s.io", "ClusterRole") ==
          "_system__auth_rbac.authorization.k8s.io_ClusterRole");
    CHECK(api_group("apps/v1") == "apps");
    CHECK(api_group("v1").empty());
}

TEST_CASE("artifact round-trips through its status form", "[api][meta]")
{
    artifact a{"gitrepository/ns/name/abc.tar.gz", "http://h/x", "main@sha1:abc", "sha256:00", "2026-01-01T00:00:00Z",
               42, {{"k", "v"}}};
    auto back = artifact::from(a.to_value());
    REQUIRE(back);
    CHECK(back->url == a.url);
    CHECK(back->size == 42);
    CHECK(back->metadata.at("k") == "v");
    CHECK_FALSE(artifact::from(value{object{{"url", "x"}}}));
}
