#include <weir/apiserver/selector.hpp>

#include <catch2/catch.hpp>

using namespace weir::apiserver;

TEST_CASE("label selectors match equality, set and existence requirements", "[apiserver][selector]")
{
    std::vector<std::pair<std::string, std::string>> labels{{"app", "web"}, {"tier", "front"}};
    auto match = [&](const char* text) {
        auto sel = parse_label_selector(text);
        REQUIRE(sel);
        return sel->matches(labels);
    };
    CHECK(match(""));
    CHECK(match("app=web"));
    CHECK(match("app==web,tier!=back"));
    CHECK_FALSE(match("app=db"));
    CHECK(match("tier in (front, middle)"));
    CHECK_FALSE(match("tier notin (front)"));
    CHECK(match("app"));
    CHECK(match("!legacy"));
    CHECK_FALSE(match("!app"));
    CHECK(match("example.com/owner!=x"));
}

TEST_CASE("malformed label selectors are BadRequest errors", "[apiserver][selector]")
{
    for (const char* bad : {"app=we b", "tier in front", "-bad=x", "a=b,,c=d", "app=value/with/slash"}) {
        auto sel = parse_label_selector(bad);
        CHECK_FALSE(sel);
        if (!sel) CHECK(sel.err().code == 400);
    }
}

TEST_CASE("field selectors accept only equality terms", "[apiserver][selector]")
{
    auto sel = parse_field_selector("metadata.name=a,metadata.namespace!=kube-system");
    REQUIRE(sel);
    CHECK(sel->matches({{"metadata.name", "a"}, {"metadata.namespace", "default"}}));
    CHECK_FALSE(sel->matches({{"metadata.name", "a"}, {"metadata.namespace", "kube-system"}}));
    CHECK_FALSE(parse_field_selector("metadata.name"));
}
