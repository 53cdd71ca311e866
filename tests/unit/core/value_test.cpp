#include <weir/core/value.hpp>

#include <catch2/catch.hpp>

using namespace weir;

TEST_CASE("value builds nested objects through operator[] and keeps key order", "[core][value]")
{
    value v;
    v["metadata"]["name"] = "podinfo";
    v["metadata"]["namespace"] = "flux-system";
    v["apiVersion"] = "v1";
    REQUIRE(v.is_object());
    std::vector<std::string> keys;
    for (const auto& [k, _] : v.as_object()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"metadata", "apiVersion"});
    REQUIRE(v.find_path({"metadata", "name"}));
    CHECK(v.find_path({"metadata", "name"})->as_string() == "podinfo");
    CHECK(v.find_path({"metadata", "missing"}) == nullptr);
    CHECK(v.get_string("apiVersion") == "v1");
    CHECK(v.get_string("kind", "none") == "none");
}

TEST_CASE("value equality ignores key order but not types", "[core][value]")
{
    value a = object{{"x", 1}, {"y", "s"}};
    value b = object{{"y", "s"}, {"x", 1}};
    CHECK(a == b);
    CHECK_FALSE(value{1} == value{1.0});
    CHECK_FALSE(value{"1"} == value{1});
    CHECK(value{array{1, 2}} == value{array{1, 2}});
    CHECK_FALSE(value{array{1, 2}} == value{array{2, 1}});
}

TEST_CASE("object set keeps position and erase removes", "[core][value]")
{
    object o{{"a", 1}, {"b", 2}, {"c", 3}};
    o.set("b", 20);
    CHECK((o.begin() + 1)->first == "b");
    CHECK((o.begin() + 1)->second.as_int() == 20);
    CHECK(o.erase("a"));
    CHECK_FALSE(o.erase("a"));
    CHECK(o.size() == 2);
}
