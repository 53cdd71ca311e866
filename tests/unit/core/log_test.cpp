#include <weir/core/json.hpp>
#include <weir/core/log.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace weir;

namespace {
std::vector<std::string> captured;
void capture(std::string_view line) { captured.emplace_back(line); }
} // namespace

TEST_CASE("log writes one JSON object per line with typed fields", "[core][log]")
{
    captured.clear();
    set_log_sink(capture);
    configure_logging(log_level::info, log_encoding::json);
    logger log("source-controller");
    log.info("artifact stored", {{"name", "podinfo"}, {"size", 42}, {"ok", true}});
    log.debug("hidden");
    set_log_sink(nullptr);
    REQUIRE(captured.size() == 1);
    auto v = parse_json(captured[0]);
    REQUIRE(v);
    CHECK(v->get_string("level") == "info");
    CHECK(v->get_string("logger") == "source-controller");
    CHECK(v->get_string("msg") == "artifact stored");
    CHECK(v->get_string("name") == "podinfo");
    CHECK(v->find("size")->as_int() == 42);
    CHECK(v->find("ok")->as_bool());
    CHECK(v->get_string("ts").size() == 24);
}

TEST_CASE("log level and console encoding follow configuration", "[core][log]")
{
    captured.clear();
    set_log_sink(capture);
    configure_logging(log_level::debug, log_encoding::console);
    logger("x").debug("shown", {{"k", "v"}});
    configure_logging(log_level::info, log_encoding::json);
    set_log_sink(nullptr);
    REQUIRE(captured.size() == 1);
    CHECK(captured[0].find("debug x shown k=v") != std::string::npos);
    log_level l{};
    CHECK(parse_log_level("warn", l));
    CHECK(l == log_level::warn);
    CHECK_FALSE(parse_log_level("loud", l));
}
