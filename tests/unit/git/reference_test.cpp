#include <weir/git/reference.hpp>

#include <catch2/catch.hpp>

using namespace weir::git;

TEST_CASE("revisions are written in Flux's <ref>@sha1:<hex> form", "[git][revision]")
{
    std::string sha(40, 'a');
    CHECK(format_revision("main", sha) == "main@sha1:" + sha);
    CHECK(format_revision("v1.2.3", sha) == "v1.2.3@sha1:" + sha);
    CHECK(format_revision("refs/pull/1/head", sha) == "refs/pull/1/head@sha1:" + sha);
    CHECK(format_revision("", sha) == "sha1:" + sha);
}

TEST_CASE("revisions parse in the current and the legacy Flux forms", "[git][revision]")
{
    std::string sha = "0123456789abcdef0123456789abcdef01234567";
    auto a = parse_revision("feature/x@sha1:" + sha);
    REQUIRE(a);
    CHECK(a->ref == "feature/x");
    CHECK(a->sha == sha);
    auto b = parse_revision("sha1:" + sha);
    REQUIRE(b);
    CHECK(b->ref.empty());
    auto c = parse_revision("main/" + sha);
    REQUIRE(c);
    CHECK(c->ref == "main");
    CHECK_FALSE(parse_revision("main@sha1:1234"));
    CHECK_FALSE(parse_revision("main"));
    CHECK(parse_revision("main").err().terminal());
    CHECK(is_sha1(sha));
    CHECK_FALSE(is_sha1("0123456789ABCDEF0123456789abcdef01234567"));
}
