// Intake: duplicates folded within the window, per-object rate limit, metadata kept under the
// object's group only.
#include "intake.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace weir;
using namespace weir::notification;

namespace {

eventsink::flux_event event(std::string name, std::string message)
{
    eventsink::flux_event ev;
    ev.involved_object = {"GitRepository", "default", std::move(name), "", "source.toolkit.fluxcd.io/v1", ""};
    ev.message = std::move(message);
    ev.reason = "GitOperationFailed";
    ev.severity = "error";
    return ev;
}

} // namespace

TEST_CASE("intake folds an identical event within the window and passes different ones",
          "[notification][intake]")
{
    std::vector<eventsink::flux_event> out;
    intake in({.dedup_window = std::chrono::minutes(5)},
              [&](eventsink::flux_event e) { out.push_back(std::move(e)); });
    CHECK(in.submit(event("a", "fetch failed")) == intake_result::accepted);
    CHECK(in.submit(event("a", "fetch failed")) == intake_result::duplicate);
    CHECK(in.submit(event("a", "fetch failed again")) == intake_result::accepted);
    CHECK(in.submit(event("b", "fetch failed")) == intake_result::accepted);
    auto rev = event("a", "fetch failed");
    rev.metadata["source.toolkit.fluxcd.io/revision"] = "main@sha1:abc";
    CHECK(in.submit(rev) == intake_result::accepted); // a new revision is news
    CHECK(out.size() == 4);
    CHECK(in.stats().duplicates == 1);
}

TEST_CASE("intake forgets duplicates once the window has passed", "[notification][intake]")
{
    int n = 0;
    intake in({.dedup_window = std::chrono::milliseconds(1)}, [&](eventsink::flux_event) { ++n; });
    CHECK(in.submit(event("a", "m")) == intake_result::accepted);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(in.submit(event("a", "m")) == intake_result::accepted);
    CHECK(n == 2);
}

TEST_CASE("intake limits the rate of distinct events per object, not across objects",
          "[notification][intake]")
{
    int n = 0;
    intake in({.dedup_window = std::chrono::minutes(5), .object_rate = 0.001, .object_burst = 3},
              [&](eventsink::flux_event) { ++n; });
    for (int i = 0; i < 5; ++i)
        in.submit(event("noisy", "failure " + std::to_string(i)));
    CHECK(in.submit(event("quiet", "failure")) == intake_result::accepted);
    CHECK(n == 4);
    CHECK(in.stats().rate_limited == 2);
}

TEST_CASE("intake keeps only metadata of the object's group, without checksum and digest",
          "[notification][intake]")
{
    auto ev = event("a", "m");
    ev.metadata = {{"source.toolkit.fluxcd.io/revision", "r"},
                   {"source.toolkit.fluxcd.io/digest", "sha256:x"},
                   {"source.toolkit.fluxcd.io/checksum", "y"},
                   {"kustomize.toolkit.fluxcd.io/revision", "other"},
                   {"random", "z"}};
    intake::clean_metadata(ev);
    REQUIRE(ev.metadata.size() == 1);
    CHECK(ev.metadata.begin()->first == "source.toolkit.fluxcd.io/revision");
}

TEST_CASE("intake keeps the object's event.toolkit.fluxcd.io annotations for the alerts",
          "[notification][intake]")
{
    auto ev = event("a", "m");
    ev.metadata = {{"source.toolkit.fluxcd.io/revision", "r"},
                   {"event.toolkit.fluxcd.io/deploymentID", "e076e315"},
                   {"event.toolkit.fluxcd.io.evil/x", "no"}};
    intake::clean_metadata(ev);
    CHECK(ev.metadata ==
          std::map<std::string, std::string>{{"event.toolkit.fluxcd.io/deploymentID", "e076e315"},
                                             {"source.toolkit.fluxcd.io/revision", "r"}});
}
