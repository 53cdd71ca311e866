#include <weir/oci/tag_policy.hpp>

#include <catch2/catch.hpp>

using namespace weir::oci;

namespace {

std::optional<std::string> pick(tag_policy p, const std::vector<std::string>& tags)
{
    auto sel = tag_selector::compile(std::move(p));
    REQUIRE(sel);
    auto r = sel->select(tags);
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("semver picks the highest version in range and skips tags that are not versions")
{
    std::vector<std::string> tags{"latest", "1.0.0", "v1.2.3", "1.10.0", "2.0.0", "1.9.9-rc.1", "main-abc"};
    CHECK(pick({.kind = tag_order::semver, .semver_range = "^1.0"}, tags) == "1.10.0");
    CHECK(pick({.kind = tag_order::semver, .semver_range = ">=2.0.0"}, tags) == "2.0.0");
    CHECK(pick({.kind = tag_order::semver, .semver_range = "~1.2"}, tags) == "v1.2.3");
    CHECK(!pick({.kind = tag_order::semver, .semver_range = ">=3.0.0"}, tags));
}

TEST_CASE("semver pre-releases count only when the range names a pre-release")
{
    std::vector<std::string> tags{"1.0.0", "1.1.0-rc.1", "1.1.0-rc.2"};
    CHECK(pick({.kind = tag_order::semver, .semver_range = ">=1.0.0"}, tags) == "1.0.0");
    CHECK(pick({.kind = tag_order::semver, .semver_range = ">=1.1.0-0"}, tags) == "1.1.0-rc.2");
}

TEST_CASE("alphabetical and numerical orders pick the last in ascending order and the first in descending")
{
    std::vector<std::string> tags{"b", "c", "a"};
    CHECK(pick({.kind = tag_order::alphabetical}, tags) == "c");
    CHECK(pick({.kind = tag_order::alphabetical, .ascending = false}, tags) == "a");
    std::vector<std::string> nums{"9", "10", "1.5"};
    CHECK(pick({.kind = tag_order::numerical}, nums) == "10");
    CHECK(pick({.kind = tag_order::numerical, .ascending = false}, nums) == "1.5");
}

TEST_CASE("filterTags extract compares the named group and returns the original tag")
{
    std::vector<std::string> tags{"main-abc-1700000009", "main-def-1700000010", "dev-xyz-1800000000", "main-old-99"};
    tag_policy p{.kind = tag_order::numerical,
                 .filter_pattern = "^main-[a-f0-9]+-(?P<ts>[0-9]+)",
                 .filter_extract = "$ts"};
    CHECK(pick(p, tags) == "main-def-1700000010");
    p.filter_extract = "${ts}";
    CHECK(pick(p, tags) == "main-def-1700000010");
    tag_policy semver{.kind = tag_order::semver, .semver_range = ">=1.0.0",
                      .filter_pattern = "^release-(?P<v>.*)$", .filter_extract = "$v"};
    CHECK(pick(semver, {"release-1.2.0", "release-1.10.0", "2.0.0"}) == "release-1.10.0");
}

TEST_CASE("numerical order on a value that is not a number is a terminal error naming the tag")
{
    auto sel = tag_selector::compile({.kind = tag_order::numerical});
    REQUIRE(sel);
    auto r = sel->select({"1", "latest"});
    REQUIRE(!r);
    CHECK(r.err().terminal());
    CHECK(r.err().message.find("'latest'") != std::string::npos);
}

TEST_CASE("a bad range or pattern is a terminal InvalidPolicy error naming the field")
{
    auto r = tag_selector::compile({.kind = tag_order::semver, .semver_range = ">=x.y.z garbage"});
    REQUIRE(!r);
    CHECK(r.err().reason == "InvalidPolicy");
    auto p = tag_selector::compile({.kind = tag_order::alphabetical, .filter_pattern = "([a-z"});
    REQUIRE(!p);
    CHECK(p.err().message.find("spec.filterTags.pattern") != std::string::npos);
}

TEST_CASE("exclusions drop matching tags, Flux's default drops cosign signatures")
{
    auto ex = tag_exclusions::compile({"^.*\\.sig$"});
    REQUIRE(ex);
    CHECK(ex->filter({"1.0.0", "sha256-abc.sig", "1.0.1"}) == std::vector<std::string>{"1.0.0", "1.0.1"});
    CHECK(!tag_exclusions::compile({"("}));
}

TEST_CASE("latest tags are the first ten in reverse lexical order")
{
    std::vector<std::string> tags;
    for (int i = 0; i < 15; ++i) tags.push_back("1.0." + std::to_string(i));
    auto l = latest_tags(tags);
    REQUIRE(l.size() == 10);
    CHECK(l.front() == "1.0.9");
    CHECK(l[1] == "1.0.8");
    CHECK(l[8] == "1.0.14"); // lexical, as Flux shows them: 9..2, then 14, 13
    CHECK(l.back() == "1.0.13");
}
