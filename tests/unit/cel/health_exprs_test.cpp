#include "health_exprs.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using weir::kustomize_controller::health_exprs;

namespace {

value widget(const std::string& status_json)
{
    auto v =
        parse_json(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"status":)" +
                   status_json + "}");
    REQUIRE(v);
    return *v;
}

health_exprs compiled(std::string in_progress, std::string failed, std::string current)
{
    auto h = health_exprs::compile(
        {{"example.com/v1", "Widget", std::move(current), std::move(in_progress), std::move(failed)}});
    REQUIRE(h);
    return *h;
}

} // namespace

TEST_CASE("healthCheckExprs: inProgress is evaluated before failed, and failed before current")
{
    auto h = compiled("status.p == 'a'", "status.p == 'a' || status.p == 'b'", "true");
    CHECK(h.judge(widget(R"({"p":"a"})"))->status == ssa::health::in_progress);
    CHECK(h.judge(widget(R"({"p":"b"})"))->status == ssa::health::failed);
    CHECK(h.judge(widget(R"({"p":"c"})"))->status == ssa::health::current);
}

TEST_CASE("healthCheckExprs: a failed result names the expression")
{
    auto h = compiled("", "status.p == 'b'", "status.p == 'ok'");
    auto r = h.judge(widget(R"({"p":"b"})"));
    REQUIRE(r);
    CHECK(r->status == ssa::health::failed);
    CHECK(r->message.find("failed expression 'status.p == 'b''") != std::string::npos);
}

TEST_CASE("healthCheckExprs: no true expression, or an evaluation error, means in progress")
{
    auto h = compiled("", "status.p == 'b'", "status.p == 'ok'");
    CHECK(h.judge(widget(R"({"p":"x"})"))->status == ssa::health::in_progress);
    auto missing = h.judge(widget("{}"));
    REQUIRE(missing);
    CHECK(missing->status == ssa::health::in_progress);
    CHECK(missing->message.find("no such key: 'p'") != std::string::npos);
}

TEST_CASE("healthCheckExprs: objects of another apiVersion or kind are left to kstatus")
{
    auto h = compiled("", "", "true");
    value other = widget("{}");
    other["kind"] = "Gadget";
    CHECK_FALSE(h.judge(other));
    other["kind"] = "Widget";
    other["apiVersion"] = "example.com/v2";
    CHECK_FALSE(h.judge(other));
}

TEST_CASE("healthCheckExprs: a syntax error is terminal and names the entry, field and column")
{
    auto h = health_exprs::compile({{"example.com/v1", "Widget", "status.p ==", "", ""}});
    REQUIRE_FALSE(h);
    CHECK(h.err().terminal());
    CHECK(h.err().message.find("spec.healthCheckExprs[0] (example.com/v1 Widget).current") !=
          std::string::npos);
    CHECK(h.err().message.find("column 12") != std::string::npos);
}
