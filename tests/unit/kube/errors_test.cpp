#include <catch2/catch.hpp>

#include <weir/kube/errors.hpp>
#include <weir/kube/time.hpp>
#include <weir/kube/types.hpp>

using namespace weir::kube;

TEST_CASE("a Status body becomes an error with the HTTP code, the Status reason and the causes", "[kube][errors]")
{
    auto e = error_from_response(422, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"ConfigMap \"x\" is invalid","reason":"Invalid",
        "details":{"causes":[{"reason":"FieldValueRequired","message":"Required value","field":"data.key"}]},"code":422})",
                                 "create configmaps default/x");
    CHECK(e.code == 422);
    CHECK(e.reason == "Invalid");
    CHECK(e.terminal());
    CHECK(e.message.starts_with("create configmaps default/x: ConfigMap \"x\" is invalid"));
    CHECK(e.message.find("data.key: Required value") != std::string::npos);
    CHECK(is_invalid(e));
    CHECK_FALSE(is_not_found(e));
}

TEST_CASE("errors without a Status body get the reason Kubernetes uses for the code", "[kube][errors]")
{
    auto nf = error_from_response(404, "404 page not found", "get x");
    CHECK(is_not_found(nf));
    CHECK(nf.reason == "NotFound");
    CHECK_FALSE(nf.terminal());
    CHECK(is_server_error(error_from_response(503, "", "get x")));
    CHECK(is_too_many_requests(error_from_response(429, "", "get x")));
    CHECK(is_gone(error_from_response(410, "", "watch x")));
}

TEST_CASE("AlreadyExists and Conflict are both 409 but different predicates", "[kube][errors]")
{
    auto exists = error_from_response(409, R"({"kind":"Status","reason":"AlreadyExists","message":"exists","code":409})", "create");
    auto conflict = error_from_response(409, R"({"kind":"Status","reason":"Conflict","message":"modified","code":409})", "update");
    CHECK(is_already_exists(exists));
    CHECK_FALSE(is_conflict(exists));
    CHECK(is_conflict(conflict));
    CHECK_FALSE(conflict.terminal());
}

TEST_CASE("network errors are transient with code 0", "[kube][errors]")
{
    auto e = network_error("get x", "connection refused");
    CHECK(is_network(e));
    CHECK_FALSE(e.terminal());
    CHECK(is_timeout(network_error("get x", "timed out", true)));
}

TEST_CASE("timestamps round-trip in second and microsecond forms", "[kube][time]")
{
    auto t = parse_time("2026-11-22T10:00:01.123456Z");
    REQUIRE(t);
    CHECK(format_micro_time(*t) == "2026-11-22T10:00:01.123456Z");
    CHECK(format_time(*t) == "2026-11-22T10:00:01Z");
    auto offset = parse_time("2026-11-22T12:00:01+02:00");
    REQUIRE(offset);
    CHECK(format_time(*offset) == "2026-11-22T10:00:01Z");
    CHECK_FALSE(parse_time("yesterday"));
}

TEST_CASE("gvk and object keys parse and print the Kubernetes way", "[kube][types]")
{
    auto k = gvk::from_api_version("source.toolkit.fluxcd.io/v1", "GitRepository");
    CHECK(k.group == "source.toolkit.fluxcd.io");
    CHECK(k.api_version() == "source.toolkit.fluxcd.io/v1");
    CHECK(gvk::from_api_version("v1", "ConfigMap").group.empty());
    CHECK(object_key::parse("ns/name") == object_key{"ns", "name"});
    CHECK(object_key::parse("cluster-scoped").str() == "cluster-scoped");
}
