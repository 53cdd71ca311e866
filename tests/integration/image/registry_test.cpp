#include "connect_proxy.hpp"
#include "registry.hpp"

#include <weir/oci/client.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace weir;

TEST_CASE("against docker-registry: pushed images list with pagination, manifests and blobs verify", "[integration][oci]")
{
    test::registry reg;
    std::string d1 = reg.push_image("team/app", "1.0.0");
    reg.push_tags("team/app", {"1.1.0", "2.0.0", "latest", "sha256-x.sig"});
    auto opts = reg.client_options();
    opts.page_size = 2; // five tags: three pages linked by Link headers
    oci::registry_client c(reg.host(), opts);
    auto tags = c.list_tags("team/app");
    REQUIRE(tags);
    std::sort(tags->begin(), tags->end());
    CHECK(*tags == std::vector<std::string>{"1.0.0", "1.1.0", "2.0.0", "latest", "sha256-x.sig"});

    auto m = c.get_manifest("team/app", "1.0.0");
    REQUIRE(m);
    CHECK(m->digest == d1);
    CHECK(m->media_type == oci::media_oci_manifest);
    REQUIRE(m->layers().size() == 1);
    auto blob = c.get_blob("team/app", m->layers()[0].digest);
    REQUIRE(blob);
    CHECK(*blob == "layer of 1.0.0");
    auto digest = c.manifest_digest("team/app", "1.0.0");
    REQUIRE(digest);
    CHECK(*digest == d1);

    auto missing = c.list_tags("team/nothing");
    REQUIRE(!missing);
    CHECK(missing.err().reason == "NotFound");
}

TEST_CASE("against docker-registry with htpasswd: the right password lists, none or a wrong one is refused", "[integration][oci]")
{
    test::registry reg({.username = "bot", .password = "s3cret"});
    reg.push_image("app", "1.0.0");
    oci::registry_client good(reg.host(), reg.client_options());
    auto tags = good.list_tags("app");
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"1.0.0"});

    oci::registry_client anonymous(reg.host(), {.insecure = true});
    auto anon = anonymous.list_tags("app");
    REQUIRE(!anon);
    CHECK(anon.err().reason == "AuthenticationFailed");

    oci::registry_client wrong(reg.host(), {.credentials = oci::basic_credentials{"bot", "nope"}, .insecure = true});
    auto w = wrong.list_tags("app");
    REQUIRE(!w);
    CHECK(w.err().reason == "AuthenticationFailed");
    CHECK(w.err().message.find("HTTP 401") != std::string::npos);
}

TEST_CASE("against docker-registry over TLS: trusted with its CA, refused without it", "[integration][oci]")
{
    test::registry reg({.tls = true});
    reg.push_image("app", "3.0.0");
    oci::registry_client trusted(reg.host(), reg.client_options());
    auto tags = trusted.list_tags("app");
    INFO((tags ? "" : tags.err().message));
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"3.0.0"});

    oci::registry_client untrusted(reg.host(), {});
    auto u = untrusted.list_tags("app");
    REQUIRE(!u);
    CHECK(u.err().reason == "Unreachable");
    CHECK(u.err().message.find("TLS handshake") != std::string::npos);

    oci::registry_client plain(reg.host(), {.insecure = true});
    CHECK(!plain.list_tags("app"));
}

TEST_CASE("against docker-registry over TLS through an authenticating CONNECT proxy", "[integration][oci]")
{
    test::registry reg({.tls = true});
    reg.push_image("app", "4.0.0");
    test::connect_proxy proxy("pu", "pp");
    auto opts = reg.client_options();
    opts.proxy_url = proxy.url();
    opts.proxy_username = "pu";
    opts.proxy_password = "pp";
    oci::registry_client via(reg.host(), opts);
    auto tags = via.list_tags("app");
    INFO((tags ? "" : tags.err().message));
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"4.0.0"});
    CHECK(proxy.tunnels() == 1);

    opts.proxy_password = "wrong";
    oci::registry_client refused(reg.host(), opts);
    auto r = refused.list_tags("app");
    REQUIRE(!r);
    CHECK(r.err().reason == "ProxyAuthenticationFailed");
    CHECK(proxy.refused() == 1);
}
