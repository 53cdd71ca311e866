#include <weir/core/encoding.hpp>
#include <weir/oci/auth.hpp>

#include <catch2/catch.hpp>

using namespace weir::oci;

TEST_CASE("docker config credentials come from auth (base64 user:password) or username/password")
{
    std::string auth = weir::base64_encode("bot:s3cret:with:colons");
    std::string cfg = R"({"auths":{"ghcr.io":{"auth":")" + auth + R"("},"reg.local:5000":{"username":"u","password":"p"}}})";
    auto a = credentials_from_docker_config(cfg, "ghcr.io");
    REQUIRE(a);
    REQUIRE(a->has_value());
    CHECK((*a)->username == "bot");
    CHECK((*a)->password == "s3cret:with:colons");
    auto b = credentials_from_docker_config(cfg, "reg.local:5000");
    REQUIRE(b);
    CHECK(**b == basic_credentials{"u", "p"});
    auto none = credentials_from_docker_config(cfg, "quay.io");
    REQUIRE(none);
    CHECK(!none->has_value());
}

TEST_CASE("docker config keys may be URLs and Docker Hub has several names")
{
    std::string cfg = R"({"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"x"}}})";
    auto a = credentials_from_docker_config(cfg, "docker.io");
    REQUIRE(a);
    REQUIRE(a->has_value());
    CHECK((*a)->username == "hub");
}

TEST_CASE("a malformed docker config is a terminal InvalidSecret error")
{
    auto r = credentials_from_docker_config("{not json", "ghcr.io");
    REQUIRE(!r);
    CHECK(r.err().terminal());
    CHECK(r.err().reason == "InvalidSecret");
    auto bad_auth = credentials_from_docker_config(R"({"auths":{"ghcr.io":{"auth":"bm9jb2xvbg=="}}})", "ghcr.io");
    REQUIRE(!bad_auth);
}

TEST_CASE("a Bearer challenge yields realm, service and scope with quoted commas kept")
{
    auto c = parse_www_authenticate(
        R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
    REQUIRE(c);
    CHECK(c->scheme == "Bearer");
    CHECK(c->params.at("realm") == "https://auth.example/token");
    CHECK(c->params.at("service") == "registry.example");
    CHECK(c->params.at("scope") == "repository:a/b:pull,push");
    auto basic = parse_www_authenticate(R"(Basic realm="Registry Realm")");
    REQUIRE(basic);
    CHECK(basic->scheme == "Basic");
    CHECK(basic->params.at("realm") == "Registry Realm");
}

TEST_CASE("the next page link is read from a Link header with several relations")
{
    CHECK(parse_link_next(R"(</v2/app/tags/list?last=b&n=2>; rel="next")") == "/v2/app/tags/list?last=b&n=2");
    CHECK(parse_link_next(R"(<https://x/prev>; rel="prev", <https://x/next>; rel="next")") == "https://x/next");
    CHECK(!parse_link_next(R"(<https://x/prev>; rel="prev")"));
    CHECK(!parse_link_next(""));
}
