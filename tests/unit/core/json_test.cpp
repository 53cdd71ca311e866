#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <limits>

using namespace weir;

TEST_CASE("json round-trips objects with key order and number types", "[core][json]")
{
    auto v = parse_json(R"({"b":1,"a":[true,null,1.5,"x"],"big":9223372036854775807,"f":1.0})");
    REQUIRE(v);
    CHECK(to_json(*v) == R"({"b":1,"a":[true,null,1.5,"x"],"big":9223372036854775807,"f":1.0})");
    CHECK(v->find("f")->is_double());
    CHECK(v->find("b")->is_int());
}

TEST_CASE("json integers beyond int64 become doubles as in Go", "[core][json]")
{
    auto v = parse_json("18446744073709551615");
    REQUIRE(v);
    CHECK(v->is_double());
}

TEST_CASE("json rejects invalid input with an offset", "[core][json]")
{
    auto bad = parse_json(R"({"a":})");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().terminal());
    CHECK(bad.err().message.find("offset") != std::string::npos);
    CHECK_FALSE(parse_json("{} x"));
    CHECK_FALSE(parse_json("\"\xff\xfe\""));
    auto dup = parse_json(R"({"a":1,"a":2})");
    REQUIRE_FALSE(dup);
    CHECK(dup.err().message.find("duplicate key \"a\"") != std::string::npos);
}

TEST_CASE("json refuses nesting past the depth limit without recursion", "[core][json]")
{
    std::string deep(100000, '[');
    auto r = parse_json(deep);
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("nesting deeper") != std::string::npos);
}

TEST_CASE("json pretty output and quoting", "[core][json]")
{
    CHECK(to_json(value{object{{"a", 1}}}, {.indent = 2}) == "{\n  \"a\": 1\n}");
    CHECK(json_quote("a\"b\n") == R"("a\"b\n")");
}

TEST_CASE("json writes non-finite numbers as null and reports them unrepresentable", "[core][json]")
{
    value v = object{{"a", std::numeric_limits<double>::infinity()}};
    CHECK(to_json(v) == R"({"a":null})");
    CHECK_FALSE(json_representable(v));
    CHECK(json_representable(value{object{{"a", 1.5}}}));
}
