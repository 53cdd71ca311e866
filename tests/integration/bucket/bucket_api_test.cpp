// Bucket spec parsing (Flux's defaults, the errors users see) and the index rules of bucket_fetch.
#include "bucket_fetch.hpp"

#include <weir/api/source_bucket_v1.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using api::source_v1::bucket_spec;

namespace {

result<bucket_spec> parse(const std::string& spec_yaml)
{
    auto doc = parse_yaml(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: b}\nspec: " + spec_yaml);
    REQUIRE(doc);
    return bucket_spec::from(*doc);
}

} // namespace

TEST_CASE("a Bucket spec takes Flux's defaults: provider generic, timeout 60s, https", "[bucket][api]")
{
    auto s = parse("{bucketName: fleet, endpoint: minio.example.com:9000, interval: 5m}");
    REQUIRE(s);
    CHECK(s->provider == "generic");
    CHECK(s->endpoint == "minio.example.com:9000");
    CHECK_FALSE(s->insecure);
    CHECK(s->timeout == std::chrono::seconds(60));
    CHECK(s->interval == std::chrono::minutes(5));
    CHECK_FALSE(s->ignore);
    CHECK(s->prefix.empty());
}

TEST_CASE("a Bucket endpoint with http:// means insecure, and one with a path is refused naming the field",
          "[bucket][api]")
{
    auto plain = parse("{bucketName: fleet, endpoint: \"http://127.0.0.1:9000/\", interval: 1m}");
    REQUIRE(plain);
    CHECK(plain->insecure);
    CHECK(plain->endpoint == "127.0.0.1:9000");
    auto path = parse("{bucketName: fleet, endpoint: \"https://s3.example.com/fleet\", interval: 1m}");
    REQUIRE_FALSE(path);
    CHECK(path.err().message.find("spec.endpoint") != std::string::npos);
    CHECK(path.err().kind == error_kind::terminal);
}

TEST_CASE("a Bucket spec without bucketName or with an unknown provider is a terminal error naming the field",
          "[bucket][api]")
{
    auto missing = parse("{endpoint: x, interval: 1m}");
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message.find("spec.bucketName") != std::string::npos);
    auto provider = parse("{bucketName: b, endpoint: x, interval: 1m, provider: ibm}");
    REQUIRE_FALSE(provider);
    CHECK(provider.err().message.find("spec.provider") != std::string::npos);
    auto sts =
        parse("{bucketName: b, endpoint: x, interval: 1m, sts: {provider: ldap, endpoint: \"https://sts\"}}");
    REQUIRE(sts);
    REQUIRE(sts->sts);
    CHECK(sts->sts->provider == "ldap");
}

TEST_CASE("only object keys that are plain relative paths become files of a Bucket artifact", "[bucket][api]")
{
    using source::bucket::safe_key;
    CHECK(safe_key("apps/cm.yaml"));
    CHECK(safe_key("with space/f"));
    CHECK_FALSE(safe_key("apps/")); // a directory marker
    CHECK_FALSE(safe_key("/etc/passwd"));
    CHECK_FALSE(safe_key("a/../../x"));
    CHECK_FALSE(safe_key("a//b"));
    CHECK_FALSE(safe_key("./a"));
    CHECK_FALSE(safe_key(""));
}

TEST_CASE("a Bucket revision is the sha256 of the sorted '<key> <etag>' lines", "[bucket][api]")
{
    // sha256("a.yaml 0cc175b9c0f1b6a831c399e269772661\nb.yaml 92eb5ffee6ae2fec3ad71c777531578f\n"),
    // computed with sha256sum.
    source::bucket::object_index index{{"b.yaml", "92eb5ffee6ae2fec3ad71c777531578f"},
                                       {"a.yaml", "0cc175b9c0f1b6a831c399e269772661"}};
    CHECK(source::bucket::index_revision(index) ==
          "sha256:3a645f5effbac0c4766edd6dd8e9dc6815cf4f738a4a47203a361adc2fb2de81");
}
