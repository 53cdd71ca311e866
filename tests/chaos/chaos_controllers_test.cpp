// kill -9 of the controllers beyond source and kustomize, mid-work, then restarted: the
// helm-controller while it installs a release, the notification-controller while events flow.
// Each asserts convergence with nothing lost or duplicated and prints the report line
// docs/reliability.md collects.
#include "chaos_support.hpp"
#include "recorder.hpp"
#include "release_support.hpp"

#include <weir/process/child.hpp>

#include <thread>

using namespace weir;
using namespace weir::chaos;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int chart_objects = 150;

// One ConfigMap per template file, so the install applies many objects one after the other.
test::chart_version wide_chart()
{
    test::chart_version chart{"wide", "1.0.0", {{"values.yaml", "greeting: hello\n"}}};
    for (int i = 0; i < chart_objects; ++i)
        chart.files[fmt::format("templates/cm-{}.yaml", i)] =
            fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-{}\n"
                        "data:\n  greeting: {{{{ .Values.greeting | quote }}}}\n",
                        i);
    return chart;
}

// status label of every release record of `release` in default, by version.
std::map<int, std::string> release_records(test::local_cluster& c, const std::string& release)
{
    std::map<int, std::string> out;
    auto list = c.client().list(test::hr::secret,
                                {.namespace_ = "default", .label_selector = "owner=helm,name=" + release});
    if (!list) return out;
    for (const auto& s : list->items)
        out[std::stoi(test::string_at(s, {"metadata", "labels", "version"}))] =
            test::string_at(s, {"metadata", "labels", "status"});
    return out;
}

std::size_t chart_objects_present(test::local_cluster& c)
{
    auto list = c.client().list(config_map, {.namespace_ = "default"});
    if (!list) return 0;
    std::size_t n = 0;
    for (const auto& cm : list->items)
        if (test::string_at(cm, {"metadata", "name"}).rfind("wide-", 0) == 0) ++n;
    return n;
}

} // namespace

TEST_CASE("chaos: kill -9 of the helm-controller mid-install of a 150-object release, restarted, ends with "
          "exactly one deployed record and every object",
          "[chaos][helm]")
{
    test::hr::scratch_dir scratch;
    test::local_cluster c(test::hr::with_helm(scratch.path));
    test::chart_repo repo(c.dir() / "charts");
    repo.add(wide_chart());
    test::hr::setup_repository(c, repo);
    c.apply_yaml(test::hr::release_yaml("wide", "  install: {remediation: {retries: 3}}\n", "wide"));
    // Kill as soon as the install has begun: the v1 record exists (pending-install) or objects are
    // being applied.
    // Polled every 5 ms (wait_until's 100 ms would let most of the install finish).
    auto deadline = clock_type::now() + 60s;
    while (release_records(c, "wide").empty() && chart_objects_present(c) == 0) {
        REQUIRE(clock_type::now() < deadline);
        std::this_thread::sleep_for(5ms);
    }
    c.controller("helm-controller").kill();
    auto records_when_killed = release_records(c, "wide");
    std::size_t objects_when_killed = chart_objects_present(c);
    INFO("records when killed: " << records_when_killed.size() << ", objects: " << objects_when_killed);

    REQUIRE(c.controller("helm-controller").start());
    auto restarted = clock_type::now();
    c.wait_for(test::hr::helm_release, "default", "wide", test::ready_is("True"), 60s);
    auto records = release_records(c, "wide");
    std::size_t deployed = 0;
    for (const auto& [version, status] : records) {
        INFO("v" << version << ": " << status);
        CHECK(status != "pending-install");
        if (status == "deployed") ++deployed;
    }
    CHECK(deployed == 1);
    REQUIRE_FALSE(records.empty());
    CHECK(records.rbegin()->second == "deployed");
    std::size_t objects = chart_objects_present(c);
    CHECK(objects == chart_objects);
    std::size_t lost = chart_objects - std::min<std::size_t>(objects, chart_objects);
    report(fmt::format(
               "helm-controller kill -9 mid-install ({} of {} objects, {} record(s); {} record(s) after)",
               objects_when_killed, chart_objects, records_when_killed.size(), records.size()),
           restarted, lost);
}

namespace {

const kube::gvk alert_kind{"notification.toolkit.fluxcd.io", "v1beta3", "Alert"};

// Posts one event as a Flux controller's recorder does (POST / on the events address). Info, not
// error: error events of one object are grouped (--failure-group-window), which would hold back the
// event after the restart behind one sent just before it.
int post_event(std::uint16_t port, const std::string& message)
{
    std::string body = fmt::format(
        R"({{"involvedObject":{{"kind":"Kustomization","namespace":"default","name":"apps","apiVersion":)"
        R"("kustomize.toolkit.fluxcd.io/v1"}},"severity":"info","timestamp":"2026-11-22T07:00:00Z",)"
        R"("message":"{}","reason":"ReconciliationFailed","reportingController":"kustomize-controller"}})",
        message);
    return test::run_command(fmt::format("curl -sf -m 2 -o /dev/null -H 'Content-Type: application/json' "
                                         "--data '{}' http://127.0.0.1:{}/",
                                         body, port));
}

std::size_t received(test::recorder& hook, const std::string& message)
{
    std::size_t n = 0;
    for (const auto& r : hook.wait_for(0, 0s))
        if (r.body.find(message) != std::string::npos) ++n;
    return n;
}

} // namespace

TEST_CASE("chaos: kill -9 of the notification-controller while events flow, restarted, delivers an event "
          "emitted after the restart and stays up",
          "[chaos][notification]")
{
    test::recorder hook;
    std::uint16_t events = process::free_tcp_port();
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .controllers = {{"notification-controller",
                          WEIR_NOTIFICATION_CONTROLLER_BIN,
                          {"--events-addr", fmt::format("127.0.0.1:{}", events), "--receiver-addr",
                           fmt::format("127.0.0.1:{}", process::free_tcp_port())}}}});
    c.apply_yaml(fmt::format(R"(apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata: {{name: webhook, namespace: default}}
spec: {{type: generic, address: '{}/flux'}}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata: {{name: on-call, namespace: default}}
spec:
  providerRef: {{name: webhook}}
  eventSeverity: info
  eventSources: [{{kind: Kustomization, name: '*'}}]
)",
                             hook.origin()));
    c.wait_for(alert_kind, "default", "on-call", test::ready_is("True"));
    test::wait_until([&] { return post_event(events, "before-0") == 0; }, "the events endpoint");
    REQUIRE(hook.wait_for(1, 20s).size() >= 1);

    // Events keep flowing from another thread while the controller is killed and restarted.
    std::atomic<bool> flowing{true};
    std::atomic<int> sent{0};
    std::thread sender([&] {
        for (int i = 1; flowing; ++i) {
            if (post_event(events, fmt::format("during-{}", i)) == 0) ++sent;
            std::this_thread::sleep_for(20ms);
        }
    });
    std::this_thread::sleep_for(300ms);
    auto& nc = c.controller("notification-controller");
    nc.kill();
    REQUIRE(nc.start());
    auto restarted = clock_type::now();
    log_on_failure show{nc, "notification-controller"};
    flowing = false;
    sender.join();

    test::wait_until([&] { return post_event(events, "after-restart") == 0; }, "the events endpoint back");
    test::wait_until([&] { return received(hook, "after-restart") >= 1; }, "the alert after restart", 20s);
    std::size_t lost = received(hook, "after-restart") == 1 ? 0 : 1;
    report(
        fmt::format("notification-controller kill -9 while events flow ({} posted meanwhile)", sent.load()),
        restarted, lost);
    CHECK(lost == 0);
    CHECK(received(hook, "before-0") == 1);
    // No crash loop: still the same process a while later.
    std::this_thread::sleep_for(2s);
    CHECK(nc.running());
}
