#include <weir/core/duration.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace std::chrono;

TEST_CASE("durations parse as Go writes them", "[core][duration]")
{
    CHECK(*parse_duration("1m30s") == seconds(90));
    CHECK(*parse_duration("10m") == minutes(10));
    CHECK(*parse_duration("1h") == hours(1));
    CHECK(*parse_duration("1.5h") == minutes(90));
    CHECK(*parse_duration("300ms") == milliseconds(300));
    CHECK(*parse_duration("2us") == microseconds(2));
    CHECK(*parse_duration("0") == nanoseconds(0));
    CHECK(*parse_duration("-5s") == seconds(-5));
    CHECK(*parse_duration("1h2m3s4ms") == hours(1) + minutes(2) + seconds(3) + milliseconds(4));
}

TEST_CASE("durations reject bad text with a message that says what to fix", "[core][duration]")
{
    for (auto bad : {"", "10", "1d", "m", "1.h5", "abc", "1m30"}) {
        auto r = parse_duration(bad);
        INFO(bad);
        REQUIRE_FALSE(r);
        CHECK(r.err().terminal());
        CHECK(r.err().message.find("invalid duration") == 0);
    }
}

TEST_CASE("durations format like Go's Duration.String", "[core][duration]")
{
    CHECK(format_duration(seconds(90)) == "1m30s");
    CHECK(format_duration(minutes(10)) == "10m0s");
    CHECK(format_duration(hours(1)) == "1h0m0s");
    CHECK(format_duration(milliseconds(300)) == "300ms");
    CHECK(format_duration(milliseconds(1500)) == "1.5s");
    CHECK(format_duration(nanoseconds(0)) == "0s");
    CHECK(format_duration(seconds(-5)) == "-5s");
}
