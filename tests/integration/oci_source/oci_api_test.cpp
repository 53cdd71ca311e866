#include <weir/api/source_oci_v1.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using api::source_v1::oci_repository_spec;

namespace {

result<oci_repository_spec> parse(const std::string& spec)
{
    auto doc = parse_yaml("spec: " + spec);
    REQUIRE(doc);
    return oci_repository_spec::from(*doc);
}

} // namespace

TEST_CASE("OCIRepository spec: url split into host and repository, Flux defaults applied", "[api][oci]")
{
    auto s = parse(R"({url: "oci://127.0.0.1:5000/team/app", interval: 5m})");
    REQUIRE(s);
    CHECK(s->host == "127.0.0.1:5000");
    CHECK(s->repository == "team/app");
    CHECK(s->ref.tag == "latest");
    CHECK(s->provider == "generic");
    CHECK(s->timeout == std::chrono::seconds(60));
    CHECK_FALSE(s->layer_selector);
    CHECK_FALSE(s->verify);
}

TEST_CASE("OCIRepository spec: ref, layerSelector and verify are read", "[api][oci]")
{
    auto s = parse(R"({url: "oci://ghcr.io/org/app", interval: 1m, ref: {semver: ">=1.0", semverFilter: "-rc"},
                       layerSelector: {mediaType: x}, verify: {provider: cosign}})");
    REQUIRE(s);
    CHECK(s->ref.semver == ">=1.0");
    CHECK(s->ref.semver_filter == "-rc");
    REQUIRE(s->layer_selector);
    CHECK(s->layer_selector->media_type == "x");
    CHECK(s->layer_selector->operation == "extract");
    CHECK(s->verify);
}

TEST_CASE("OCIRepository spec: a bad url, tag in url or operation is a terminal error naming the field",
          "[api][oci]")
{
    auto no_scheme = parse(R"({url: "https://ghcr.io/org/app", interval: 1m})");
    REQUIRE_FALSE(no_scheme);
    CHECK(no_scheme.err().message.find("spec.url") != std::string::npos);
    CHECK(no_scheme.err().reason == "URLInvalid");
    CHECK_FALSE(parse(R"({url: "oci://ghcr.io/org/app:1.0", interval: 1m})"));
    CHECK_FALSE(parse(R"({url: "oci://ghcr.io", interval: 1m})"));
    auto op = parse(R"({url: "oci://ghcr.io/org/app", interval: 1m, layerSelector: {operation: move}})");
    REQUIRE_FALSE(op);
    CHECK(op.err().message.find("spec.layerSelector.operation") != std::string::npos);
    CHECK(op.err().kind == error_kind::terminal);
}
