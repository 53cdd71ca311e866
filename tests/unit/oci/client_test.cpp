#include "fake_server.hpp"

#include <weir/core/encoding.hpp>
#include <weir/oci/client.hpp>

#include <catch2/catch.hpp>

#include <atomic>

using namespace weir;
using namespace weir::oci;
using weir::test::fake_request;
using weir::test::fake_response;
using weir::test::fake_server;

namespace {

std::string tags_json(const std::vector<std::string>& tags)
{
    std::string out = R"({"name":"app","tags":[)";
    for (std::size_t i = 0; i < tags.size(); ++i) out += (i ? ",\"" : "\"") + tags[i] + "\"";
    return out + "]}";
}

} // namespace

TEST_CASE("tag listing follows Link rel=next pages to the end")
{
    fake_server srv([](const fake_request& r) -> fake_response {
        if (r.target == "/v2/org/app/tags/list?n=2")
            return {200, {{"Link", R"(</v2/org/app/tags/list?last=b&n=2>; rel="next")"}}, tags_json({"a", "b"})};
        if (r.target == "/v2/org/app/tags/list?last=b&n=2")
            return {200, {{"Link", R"(</v2/org/app/tags/list?last=d&n=2>; rel="next")"}}, tags_json({"c", "d"})};
        if (r.target == "/v2/org/app/tags/list?last=d&n=2") return {200, {}, tags_json({"e"})};
        return {404, {}, ""};
    });
    registry_client reg(srv.address(), {.insecure = true, .page_size = 2});
    auto tags = reg.list_tags("org/app");
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"a", "b", "c", "d", "e"});
    CHECK(srv.requests().size() == 3);
}

TEST_CASE("a Bearer challenge fetches a token with the basic credentials, caches it per scope and retries")
{
    std::atomic<int> token_requests{0};
    std::string realm;
    fake_server srv([&](const fake_request& r) -> fake_response {
        if (r.target.starts_with("/token")) {
            ++token_requests;
            if (r.authorization != "Basic " + base64_encode("bot:pw")) return {401, {}, ""};
            CHECK(r.target == "/token?service=test-registry&scope=repository%3Aorg%2Fapp%3Apull");
            return {200, {}, R"({"token":"T0K","expires_in":300})"};
        }
        if (r.authorization != "Bearer T0K")
            return {401,
                    {{"WWW-Authenticate", R"(Bearer realm=")" + realm +
                                              R"(",service="test-registry",scope="repository:org/app:pull")"}},
                    R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
        return {200, {}, tags_json({"1.0.0"})};
    });
    realm = "http://" + srv.address() + "/token";
    registry_client reg(srv.address(), {.credentials = basic_credentials{"bot", "pw"}, .insecure = true});
    REQUIRE(reg.list_tags("org/app"));
    auto again = reg.list_tags("org/app");
    REQUIRE(again);
    CHECK(*again == std::vector<std::string>{"1.0.0"});
    CHECK(token_requests == 1);
    // first try, token, retry, then one request with the cached token
    CHECK(srv.requests().size() == 4);
}

TEST_CASE("a token service refusing the credentials is a terminal AuthenticationFailed error")
{
    std::string realm;
    fake_server srv([&](const fake_request& r) -> fake_response {
        if (r.target.starts_with("/token")) return {401, {}, ""};
        return {401, {{"WWW-Authenticate", R"(Bearer realm=")" + realm + R"(")"}}, ""};
    });
    realm = "http://" + srv.address() + "/token";
    registry_client reg(srv.address(), {.credentials = basic_credentials{"bot", "wrong"}, .insecure = true});
    auto r = reg.list_tags("org/app");
    REQUIRE(!r);
    CHECK(r.err().terminal());
    CHECK(r.err().reason == "AuthenticationFailed");
}

TEST_CASE("a Basic challenge is answered with the credentials only after the registry asks")
{
    fake_server srv([&](const fake_request& r) -> fake_response {
        if (r.authorization != "Basic " + base64_encode("u:p"))
            return {401, {{"WWW-Authenticate", R"(Basic realm="Registry Realm")"}}, ""};
        return {200, {}, tags_json({"x"})};
    });
    registry_client reg(srv.address(), {.credentials = basic_credentials{"u", "p"}, .insecure = true});
    REQUIRE(reg.list_tags("app"));
    REQUIRE(reg.list_tags("app"));
    auto reqs = srv.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].authorization.empty());
    CHECK(!reqs[2].authorization.empty());
}

TEST_CASE("a missing repository is a terminal NotFound error that quotes the registry's message")
{
    fake_server srv([](const fake_request&) -> fake_response {
        return {404, {}, R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})"};
    });
    registry_client reg(srv.address(), {.insecure = true});
    auto r = reg.list_tags("nope");
    REQUIRE(!r);
    CHECK(r.err().reason == "NotFound");
    CHECK(r.err().message.find("NAME_UNKNOWN") != std::string::npos);
}

TEST_CASE("a registry that answers 503 gives a transient error and one that is down is Unreachable")
{
    fake_server srv([](const fake_request&) -> fake_response { return {503, {}, ""}; });
    registry_client reg(srv.address(), {.insecure = true});
    auto r = reg.list_tags("app");
    REQUIRE(!r);
    CHECK(!r.err().terminal());
    unsigned short dead_port = 0;
    {
        fake_server gone([](const fake_request&) -> fake_response { return {}; });
        dead_port = gone.port();
    }
    registry_client down("127.0.0.1:" + std::to_string(dead_port), {.insecure = true, .timeout = std::chrono::seconds(2)});
    auto d = down.list_tags("app");
    REQUIRE(!d);
    CHECK(d.err().reason == "Unreachable");
    CHECK(!d.err().terminal());
}

TEST_CASE("a blob whose bytes do not match its digest is refused")
{
    std::string good = "hello";
    std::string digest = sha256_digest(good);
    fake_server srv([&](const fake_request&) -> fake_response { return {200, {}, "tampered"}; });
    registry_client reg(srv.address(), {.insecure = true});
    auto r = reg.get_blob("app", digest);
    REQUIRE(!r);
    CHECK(r.err().reason == "DigestMismatch");
    CHECK(digest == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST_CASE("an index manifest lists its entries with their platforms")
{
    std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aa","size":10,
         "platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
    fake_server srv([&](const fake_request& r) -> fake_response {
        if (r.method == "HEAD") return {200, {{"Docker-Content-Digest", sha256_digest(body)}}, ""};
        return {200, {{"Content-Type", std::string(media_oci_index)}}, body};
    });
    registry_client reg(srv.address(), {.insecure = true});
    auto m = reg.get_manifest("app", "1.0");
    REQUIRE(m);
    CHECK(m->is_index());
    REQUIRE(m->manifests().size() == 1);
    CHECK(m->manifests()[0].platform == "linux/arm64/v8");
    CHECK(m->digest == sha256_digest(body));
    auto d = reg.manifest_digest("app", "1.0");
    REQUIRE(d);
    CHECK(*d == m->digest);
}

TEST_CASE("through an HTTP proxy a plain request carries the absolute URL and Proxy-Authorization")
{
    fake_server proxy([](const fake_request& r) -> fake_response {
        if (r.proxy_authorization != "Basic " + base64_encode("pu:pp")) return {407, {}, ""};
        if (r.target != "http://registry.invalid:5000/v2/app/tags/list") return {502, {}, ""};
        return {200, {}, tags_json({"via-proxy"})};
    });
    registry_client reg("registry.invalid:5000", {.insecure = true,
                                                  .proxy_url = "http://" + proxy.address(),
                                                  .proxy_username = "pu",
                                                  .proxy_password = "pp"});
    auto tags = reg.list_tags("app");
    REQUIRE(tags);
    CHECK(*tags == std::vector<std::string>{"via-proxy"});
}
