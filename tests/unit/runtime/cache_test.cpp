#include <catch2/catch.hpp>

#include <weir/core/json.hpp>
#include <weir/runtime/label_selector.hpp>
#include <weir/runtime/object_store.hpp>

using namespace weir;
using namespace weir::runtime;

namespace {
object_ptr obj(const std::string& ns, const std::string& name, const std::string& source = "", const std::string& labels = "{}")
{
    std::string text = R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","labels":)" + labels +
                       R"(},"spec":{"sourceRef":")" + source + R"("}})";
    return std::make_shared<const value>(*parse_json(text));
}

std::vector<std::string> names(const std::vector<object_ptr>& objs)
{
    std::vector<std::string> out;
    for (auto& o : objs) out.emplace_back(kube::name_of(*o));
    std::sort(out.begin(), out.end());
    return out;
}
} // namespace

TEST_CASE("the store keys objects by namespace/name and hands out the same snapshot", "[runtime][cache]")
{
    object_store s;
    auto a = obj("ns", "a");
    CHECK(s.upsert(a) == nullptr);
    CHECK(s.get("ns/a") == a);
    auto a2 = obj("ns", "a");
    CHECK(s.upsert(a2) == a); // the old snapshot stays valid for whoever holds it
    CHECK(s.get("ns/a") == a2);
    CHECK(s.erase("ns/a") == a2);
    CHECK(s.get("ns/a") == nullptr);
    CHECK(s.size() == 0);
}

TEST_CASE("indexers find objects by a derived value and follow updates and deletes", "[runtime][cache]")
{
    object_store s;
    s.upsert(obj("ns", "before-indexer", "repo1"));
    s.add_indexer("source", [](const value& o) {
        std::string_view ref = o.find("spec")->get_string("sourceRef");
        return ref.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(ref)};
    });
    s.upsert(obj("ns", "a", "repo1"));
    s.upsert(obj("ns", "b", "repo2"));
    CHECK(names(s.by_index("source", "repo1")) == std::vector<std::string>{"a", "before-indexer"});
    s.upsert(obj("ns", "a", "repo2")); // moved to another source
    CHECK(names(s.by_index("source", "repo1")) == std::vector<std::string>{"before-indexer"});
    CHECK(names(s.by_index("source", "repo2")) == std::vector<std::string>{"a", "b"});
    s.erase("ns/b");
    CHECK(names(s.by_index("source", "repo2")) == std::vector<std::string>{"a"});
    CHECK(s.by_index("unknown", "x").empty());
}

TEST_CASE("list_namespace returns only that namespace", "[runtime][cache]")
{
    object_store s;
    s.upsert(obj("one", "a"));
    s.upsert(obj("two", "b"));
    CHECK(names(s.list_namespace("two")) == std::vector<std::string>{"b"});
    CHECK(s.list().size() == 2);
}

TEST_CASE("label selectors match equality, set and existence requirements", "[runtime][selector]")
{
    value labels = *parse_json(R"({"app":"web","tier":"front","sharding.fluxcd.io/key":"shard1"})");
    auto check = [&](const char* text) {
        auto sel = label_selector::parse(text);
        REQUIRE(sel);
        return sel->matches(&labels);
    };
    CHECK(check(""));
    CHECK(check("app=web"));
    CHECK(check("app==web,tier!=back"));
    CHECK_FALSE(check("app=db"));
    CHECK(check("sharding.fluxcd.io/key in (shard1, shard2)"));
    CHECK_FALSE(check("sharding.fluxcd.io/key notin (shard1)"));
    CHECK(check("tier"));
    CHECK(check("!legacy"));
    CHECK_FALSE(check("!app"));
    CHECK(check("missing!=x"));
    CHECK_FALSE(label_selector::parse("app in web"));
    CHECK_FALSE(label_selector::parse("a=b,,c=d"));
    auto none = label_selector::parse("app=web");
    CHECK_FALSE(none->matches(nullptr));
}

namespace {
// Stands in for an api/ struct (api::git_repository_spec and friends have the same shape).
struct source_spec {
    std::string source_ref;
    static result<source_spec> from(const value& obj)
    {
        const value* spec = obj.find("spec");
        if (!spec || spec->get_string("sourceRef").empty()) return terminal_error("spec.sourceRef is required", "InvalidSpec");
        return source_spec{std::string(spec->get_string("sourceRef"))};
    }
};
} // namespace

TEST_CASE("cached objects can be read through typed api structs", "[runtime][cache]")
{
    object_store s;
    s.upsert(obj("ns", "good", "repo1"));
    s.upsert(obj("ns", "bad", ""));
    auto good = s.get_as<source_spec>("ns/good");
    REQUIRE(good);
    REQUIRE(*good);
    CHECK((*good)->source_ref == "repo1");
    auto bad = s.get_as<source_spec>("ns/bad");
    REQUIRE(bad);
    CHECK_FALSE(*bad);
    CHECK_FALSE(s.get_as<source_spec>("ns/missing"));
}
