#include <weir/apiserver/store.hpp>
#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace weir;
using namespace weir::apiserver;

namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir()
    {
        char tmpl[] = "/tmp/weir-store-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

value object_named(const char* name)
{
    value v = object{};
    v["metadata"]["name"] = name;
    v["metadata"]["labels"]["app"] = name;
    return v;
}

} // namespace

TEST_CASE("store gives each write the next global revision and keeps objects across a reopen", "[apiserver][store]")
{
    temp_dir dir;
    {
        auto st = store::open(dir.path / "db");
        REQUIRE(st);
        auto& s = **st;
        CHECK(*s.put("/configmaps/default/a", object_named("a")) == 1);
        CHECK(*s.put("apps/deployments/default/b", object_named("b")) == 2);
        CHECK(*s.put("/configmaps/default/a", object_named("a")) == 3);
        CHECK(*s.erase("apps/deployments/default/b", object_named("b")) == 4);
        auto obj = parse_json(*s.get("/configmaps/default/a")->json);
        REQUIRE(obj);
        CHECK(obj->find_path({"metadata", "resourceVersion"})->as_string() == "3");
    }
    auto st = store::open(dir.path / "db");
    REQUIRE(st);
    CHECK((*st)->revision() == 4);
    CHECK((*st)->get("/configmaps/default/a") != nullptr);
    CHECK((*st)->get("apps/deployments/default/b") == nullptr);
    CHECK((*st)->get("/configmaps/default/a")->labels == labels_t{{"app", "a"}});
    CHECK(*(*st)->put("/configmaps/default/c", object_named("c")) == 5);
}

TEST_CASE("store scan walks one prefix in key order from after a given key", "[apiserver][store]")
{
    temp_dir dir;
    auto st = store::open(dir.path / "db");
    REQUIRE(st);
    for (const char* k : {"/configmaps/b/x", "/configmaps/a/y", "/configmaps/a/x", "/secrets/a/x"})
        REQUIRE((*st)->put(k, object_named("x")));
    std::vector<std::string> keys;
    (*st)->scan("/configmaps/", "", [&](const std::string& k, const stored_object&) {
        keys.push_back(k);
        return true;
    });
    CHECK(keys == std::vector<std::string>{"/configmaps/a/x", "/configmaps/a/y", "/configmaps/b/x"});
    keys.clear();
    (*st)->scan("/configmaps/", "/configmaps/a/x", [&](const std::string& k, const stored_object&) {
        keys.push_back(k);
        return true;
    });
    CHECK(keys == std::vector<std::string>{"/configmaps/a/y", "/configmaps/b/x"});
}

TEST_CASE("store events_since replays newer events and refuses versions older than its ring", "[apiserver][store]")
{
    temp_dir dir;
    auto st = store::open(dir.path / "db", 3);
    REQUIRE(st);
    std::vector<std::int64_t> heard;
    (*st)->set_listener([&](const store_event& ev) { heard.push_back(ev.rv); });
    for (int i = 0; i < 5; ++i) REQUIRE((*st)->put("/configmaps/default/a", object_named("a")));
    CHECK(heard == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    std::vector<const store_event*> out;
    REQUIRE((*st)->events_since(3, out));
    REQUIRE(out.size() == 2);
    CHECK(out[0]->rv == 4);
    CHECK(out[0]->type == event_type::modified);
    out.clear();
    CHECK((*st)->events_since(2, out));
    CHECK_FALSE((*st)->events_since(1, out));
}

TEST_CASE("store counts owned and terminating objects so the collector can skip idle passes", "[apiserver][store]")
{
    temp_dir dir;
    auto st = store::open(dir.path / "db");
    REQUIRE(st);
    value owned = object_named("o");
    owned["metadata"]["ownerReferences"] = array{value(object{{"uid", "u1"}})};
    REQUIRE((*st)->put("/configmaps/default/o", owned));
    CHECK((*st)->owned_count() == 1);
    CHECK((*st)->get("/configmaps/default/o")->owners == std::vector<std::string>{"u1"});
    value going = object_named("o");
    going["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
    REQUIRE((*st)->put("/configmaps/default/o", going));
    CHECK((*st)->owned_count() == 0);
    CHECK((*st)->terminating_count() == 1);
    REQUIRE((*st)->erase("/configmaps/default/o", going));
    CHECK((*st)->terminating_count() == 0);
}
