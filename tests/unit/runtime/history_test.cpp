#include <weir/runtime/history.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace std::chrono_literals;

namespace {

kube::sys_time at(int seconds)
{
    return kube::sys_time{} + std::chrono::seconds(1'800'000'000 + seconds);
}

const value& entry(const value& obj, std::size_t i)
{
    return obj.find_path({"status", "history"})->as_array().at(i);
}

} // namespace

TEST_CASE("history: a repeated outcome moves to the front with its count and times updated",
          "[runtime][history]")
{
    value obj = object{};
    runtime::record_history(obj,
                            {.digest = "sha256:aa",
                             .status = "ReconciliationSucceeded",
                             .duration = 1500ms,
                             .metadata = {{"revision", "main@sha1:1"}}},
                            at(0));
    runtime::record_history(obj, {.digest = "sha256:bb", .status = "ReconciliationSucceeded", .duration = 2s},
                            at(10));
    runtime::record_history(obj,
                            {.digest = "sha256:aa",
                             .status = "ReconciliationSucceeded",
                             .duration = 250ms,
                             .metadata = {{"revision", "main@sha1:1"}}},
                            at(20));
    const auto& list = obj.find_path({"status", "history"})->as_array();
    REQUIRE(list.size() == 2);
    CHECK(entry(obj, 0).get_string("digest") == "sha256:aa");
    CHECK(entry(obj, 0).find("totalReconciliations")->as_int() == 2);
    CHECK(entry(obj, 0).get_string("firstReconciled") == kube::format_time(at(0)));
    CHECK(entry(obj, 0).get_string("lastReconciled") == kube::format_time(at(20)));
    CHECK(entry(obj, 0).get_string("lastReconciledDuration") == "250ms");
    CHECK(entry(obj, 0).find_path({"metadata", "revision"})->as_string() == "main@sha1:1");
    CHECK(entry(obj, 1).get_string("digest") == "sha256:bb");
}

TEST_CASE("history: the same digest with another status is a separate snapshot", "[runtime][history]")
{
    value obj = object{};
    runtime::record_history(obj, {.digest = "sha256:aa", .status = "ReconciliationSucceeded"}, at(0));
    runtime::record_history(obj, {.digest = "sha256:aa", .status = "HealthCheckFailed"}, at(1));
    REQUIRE(obj.find_path({"status", "history"})->as_array().size() == 2);
    CHECK(entry(obj, 0).get_string("lastReconciledStatus") == "HealthCheckFailed");
}

TEST_CASE("history: keeps at most five snapshots, dropping the oldest", "[runtime][history]")
{
    value obj = object{};
    for (int i = 0; i < 7; ++i)
        runtime::record_history(
            obj, {.digest = "sha256:" + std::to_string(i), .status = "ReconciliationSucceeded"}, at(i));
    const auto& list = obj.find_path({"status", "history"})->as_array();
    REQUIRE(list.size() == 5);
    CHECK(entry(obj, 0).get_string("digest") == "sha256:6");
    CHECK(entry(obj, 4).get_string("digest") == "sha256:2");
}
