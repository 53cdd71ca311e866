#include <weir/core/semver.hpp>

#include <catch2/catch.hpp>

using namespace weir;

namespace {
bool in(std::string_view range, std::string_view version)
{
    auto r = semver_range::parse(range);
    REQUIRE(r);
    auto v = semver::parse(version);
    REQUIRE(v);
    return r->matches(*v);
}
} // namespace

TEST_CASE("semver parses loose and strict versions", "[core][semver]")
{
    CHECK(semver::parse("v1.2.3")->str() == "1.2.3");
    CHECK(semver::parse("1.2")->str() == "1.2.0");
    CHECK(semver::parse("1.2.3-rc.1+build.5")->str() == "1.2.3-rc.1+build.5");
    CHECK_FALSE(semver::parse("1.2", true));
    CHECK_FALSE(semver::parse("v1.2.3", true));
    CHECK_FALSE(semver::parse("1.2.3-01"));
    CHECK_FALSE(semver::parse("latest"));
    CHECK(semver::parse("latest").err().message.find("invalid semantic version") == 0);
}

TEST_CASE("semver precedence follows SemVer 2.0", "[core][semver]")
{
    std::vector<std::string> ordered = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                        "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",      "1.0.0"};
    for (std::size_t i = 0; i + 1 < ordered.size(); ++i)
        CHECK(*semver::parse(ordered[i]) < *semver::parse(ordered[i + 1]));
    CHECK(*semver::parse("1.0.0+a") == *semver::parse("1.0.0+b"));
}

TEST_CASE("semver ranges as Flux and Helm write them", "[core][semver]")
{
    CHECK(in(">=1.0.0 <2.0.0", "1.9.9"));
    CHECK_FALSE(in(">=1.0.0 <2.0.0", "2.0.0"));
    CHECK(in(">=1.0.0, <2.0.0", "1.0.0"));
    CHECK(in("~1.2", "1.2.9"));
    CHECK_FALSE(in("~1.2", "1.3.0"));
    CHECK(in("~1.2.3", "1.2.4"));
    CHECK_FALSE(in("~1.2.3", "1.2.2"));
    CHECK(in("^1.2", "1.9.0"));
    CHECK_FALSE(in("^1.2", "2.0.0"));
    CHECK(in("^0.2.3", "0.2.9"));
    CHECK_FALSE(in("^0.2.3", "0.3.0"));
    CHECK_FALSE(in("^0.0.3", "0.0.4"));
    CHECK(in("1.x", "1.7.2"));
    CHECK_FALSE(in("1.x", "2.0.0"));
    CHECK(in("1.2", "1.2.5"));
    CHECK(in("*", "9.9.9"));
    CHECK(in("1.2 - 1.4.5", "1.4.5"));
    CHECK_FALSE(in("1.2 - 1.4.5", "1.4.6"));
    CHECK(in("<1.0 || >=3", "3.1.0"));
    CHECK_FALSE(in("<1.0 || >=3", "2.0.0"));
    CHECK(in(">= 1.2", "1.3.0"));
    CHECK(in("!=1.2.3", "1.2.4"));
    CHECK(in(">1.2", "1.3.0"));
    CHECK_FALSE(in(">1.2", "1.2.9"));
    CHECK(in("<=1.2", "1.2.9"));
}

TEST_CASE("semver pre-releases match only ranges that name one", "[core][semver]")
{
    CHECK_FALSE(in(">=1.0.0", "1.1.0-rc.1"));
    CHECK(in(">=1.0.0-0", "1.1.0-rc.1"));
    CHECK(in(">=1.1.0-alpha", "1.1.0-beta"));
}

TEST_CASE("semver ranges reject nonsense", "[core][semver]")
{
    CHECK_FALSE(semver_range::parse(">=abc"));
    CHECK_FALSE(semver_range::parse(">="));
    CHECK_FALSE(semver_range::parse("1.2.3 ||"));
}
