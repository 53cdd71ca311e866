#include <weir/core/yaml.hpp>
#include <weir/ssa/apply_cache.hpp>

#include <catch2/catch.hpp>

using namespace weir;

TEST_CASE("apply cache: the content hash ignores what every write changes, and nothing else", "[ssa][cache]")
{
    auto obj = [](const char* yaml) { return *parse_yaml(yaml); };
    auto a = ssa::content_hash(
        obj("metadata: {name: a, resourceVersion: '1', managedFields: [{manager: x}]}\ndata: {k: v}\n"));
    auto b =
        ssa::content_hash(obj("metadata: {name: a, resourceVersion: '9', generation: 3}\ndata: {k: v}\n"));
    auto c = ssa::content_hash(obj("metadata: {name: a, resourceVersion: '1'}\ndata: {k: w}\n"));
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("apply cache: entries are stored, replaced and erased; past its bound it starts over",
          "[ssa][cache]")
{
    ssa::apply_cache cache(2);
    cache.put("local|ConfigMap/default/a", {"1", 11});
    cache.put("local|ConfigMap/default/a", {"2", 12});
    REQUIRE(cache.get("local|ConfigMap/default/a"));
    CHECK(cache.get("local|ConfigMap/default/a")->resource_version == "2");
    cache.put("local|ConfigMap/default/b", {"3", 13});
    cache.put("local|ConfigMap/default/c", {"4", 14}); // over the bound of 2
    CHECK(cache.size() == 1);
    CHECK(cache.get("local|ConfigMap/default/c"));
    cache.erase("local|ConfigMap/default/c");
    CHECK_FALSE(cache.get("local|ConfigMap/default/c"));
}
