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

#include <weir/api/secret.hpp>

TEST_CASE("secret data is decoded and stringData wins", "[api][secret]")
{
    value s = object{{"kind", "Secret"},
                     {"metadata", object{{"name", "git"}}},
                     {"data", object{{"username", "Ym90"}, {"password", "b2xk"}}},
                     {"stringData", object{{"password", "new"}}}};
    auto d = secret_data(s);
    REQUIRE(d);
    CHECK(d->at("username") == "bot");
    CHECK(d->at("password") == "new");
    value bad = object{{"kind", "Secret"}, {"metadata", object{{"name", "git"}}}, {"data", object{{"k", "%%%"}}}};
    auto e = secret_data(bad);
    REQUIRE_FALSE(e);
    CHECK(e.err().message.find("Secret 'git' key 'k'") == 0);
    value cm = object{{"data", object{{"a", "1"}}}, {"binaryData", object{{"b", "Mg=="}}}};
    CHECK(config_map_data(cm)->at("b") == "2");
}
