#include <weir/oci/reference.hpp>

#include <catch2/catch.hpp>

using namespace weir::oci;

TEST_CASE("a bare Docker Hub name is canonicalised to docker.io/library and served by registry-1.docker.io")
{
    auto img = parse_image_name("alpine");
    REQUIRE(img);
    CHECK(img->canonical() == "docker.io/library/alpine");
    CHECK(img->api_host() == "registry-1.docker.io");
    CHECK(parse_image_name("fluxcd/flux")->canonical() == "docker.io/fluxcd/flux");
    CHECK(parse_image_name("index.docker.io/fluxcd/flux")->canonical() == "docker.io/fluxcd/flux");
}

TEST_CASE("a first path component with a dot, a port or localhost is the registry")
{
    CHECK(parse_image_name("ghcr.io/org/app")->registry == "ghcr.io");
    CHECK(parse_image_name("ghcr.io/org/app")->repository == "org/app");
    CHECK(parse_image_name("127.0.0.1:5000/app")->registry == "127.0.0.1:5000");
    CHECK(parse_image_name("localhost/app")->registry == "localhost");
    CHECK(parse_image_name("localhost/app")->repository == "app");
}

TEST_CASE("an image name with a tag, digest, scheme or upper case is refused with a terminal error")
{
    for (auto bad : {"ghcr.io/org/app:1.0", "alpine@sha256:abc", "https://ghcr.io/app", "", "ghcr.io/Org/App"}) {
        auto r = parse_image_name(bad);
        INFO(bad);
        REQUIRE(!r);
        CHECK(r.err().terminal());
        CHECK(r.err().reason == "InvalidImage");
    }
}

TEST_CASE("an image reference splits into name, tag and digest keeping a registry port")
{
    auto p = split_image_ref("localhost:5000/app:1.0@sha256:ab");
    CHECK(p.name == "localhost:5000/app");
    CHECK(p.tag == "1.0");
    CHECK(p.digest == "sha256:ab");
    auto q = split_image_ref("localhost:5000/app");
    CHECK(q.name == "localhost:5000/app");
    CHECK(q.tag.empty());
}
