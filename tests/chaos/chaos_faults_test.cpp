// Faults below the process level: a watch connection cut while the API server stays up, the
// artifact storage refusing writes, and wall-clock jumps. Same contract as chaos_test.cpp: the
// cluster converges to Git, nothing is lost, and one report line per scenario.
#include "chaos_support.hpp"
#include "support/fault_proxy.hpp"

#include <csignal>
#include <ctime>
#include <thread>

using namespace weir;
using namespace weir::chaos;
using namespace std::chrono_literals;

namespace {

using test::applied;
using test::request_reconcile;

// Forwards stay possible only as configured: the faults below must be met, not skipped.
bool has_line(const test::child_process& p, const std::string& text)
{
    return p.log().find(text) != std::string::npos;
}

} // namespace

TEST_CASE(
    "chaos: the kustomize-controller's watch connections cut and refused while the API server stays up, and "
    "what changed meanwhile is applied once they resume",
    "[chaos]")
{
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    test::fault_proxy proxy(c.apiserver().port());
    auto ks = kustomize_controller(c, WEIR_KUSTOMIZE_CONTROLLER_BIN, kubeconfig_via(c, proxy.port()));
    log_on_failure dump{*ks, "kustomize-controller"};
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto before = owned_configmaps(c);
    pid_t server = c.apiserver().pid();

    // The cut: every stream dropped, reconnects refused for 2 s. Meanwhile a commit lands and the
    // source-controller (not behind the proxy) publishes its artifact: the event the
    // kustomize-controller must not miss.
    proxy.set_mode(test::fault_proxy::mode::refuse);
    std::size_t cut = proxy.cut();
    CHECK(cut > 0);
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "during-cut");
    c.wait_for(test::git_repository_kind, "default", "fleet", [&](const value& o) {
        return test::string_at(o, {"status", "artifact", "revision"}) == "main@sha1:" + next;
    });
    std::this_thread::sleep_for(2s);
    CHECK(proxy.faults() > 0); // the controller tried to reconnect and was refused
    proxy.set_mode(test::fault_proxy::mode::forward);
    auto resumed = clock_type::now();

    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    CHECK(c.apiserver().pid() == server); // the server was never restarted
    CHECK(ks->running());
    auto after = owned_configmaps(c);
    CHECK(after.size() == 20);
    std::size_t lost = lost_since(before, after);
    CHECK(lost == 0);
    report(fmt::format("watch connections cut ({}) and refused 2 s, API server up", cut), resumed, lost);
}

TEST_CASE("chaos: the source-controller's storage refuses every write: the source says so, the old artifact "
          "keeps serving, nothing is pruned, and the commit lands once writes work again",
          "[chaos]")
{
    // The fault: RLIMIT_FSIZE 0 on the running source-controller (prlimit, no root needed), so
    // each write to a file fails with EFBIG as a full volume fails with ENOSPC. SIGXFSZ is ignored
    // (inherited across exec) so the write fails instead of killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    test::local_cluster c({WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, WEIR_KUSTOMIZE_CONTROLLER_BIN});
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    std::string first = c.head(repo);
    c.wait_for(test::kustomization_kind, "default", "apps", applied(first));
    auto before = owned_configmaps(c);
    auto pid = std::to_string(c.source_controller().pid());

    REQUIRE(test::run_command("prlimit --pid " + pid + " --fsize=0:unlimited") == 0);
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "storage-full");
    value failed = c.wait_for(test::git_repository_kind, "default", "fleet",
                              [](const value& o) { return test::condition_status(o, "Ready") == "False"; });
    std::string said = test::condition_message(failed, "Ready");
    std::cout << "chaos | storage full: GitRepository Ready=False: " << said << "\n";
    CHECK_FALSE(said.empty());
    CHECK(test::string_at(failed, {"status", "artifact", "revision"}) == "main@sha1:" + first);
    request_reconcile(c, test::kustomization_kind, "apps", "storage-full");
    std::this_thread::sleep_for(1s);
    CHECK(owned_configmaps(c).size() == 20);
    CHECK(c.client().get(config_map, "default", "cm-0").value().find_path({"data", "value"})->as_string() ==
          "one");

    REQUIRE(test::run_command("prlimit --pid " + pid + " --fsize=unlimited:unlimited") == 0);
    auto restored = clock_type::now();
    request_reconcile(c, test::git_repository_kind, "fleet", "storage-back");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    CHECK(c.source_controller().running());
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    report("artifact storage refuses writes (RLIMIT_FSIZE 0, EFBIG)", restored, lost);
}

namespace {

const char* const faketime_lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

// Environment that runs a process on a wall clock offset by the number of seconds in `file`,
// re-read at most every second, so the test can jump it while the process runs. Monotonic time
// is left alone: an NTP step moves the wall clock only.
std::map<std::string, std::string> jumpable_clock(const std::filesystem::path& file)
{
    return {{"LD_PRELOAD", faketime_lib},
            {"FAKETIME_TIMESTAMP_FILE", file.string()},
            {"FAKETIME_CACHE_DURATION", "1"},
            {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
            {"FAKETIME_DONT_RESET", "1"}};
}

// Whether a Lease in default was renewed about `hours` ago by the wall clock of its holder.
bool lease_renewed_hours_ago(test::local_cluster& c, int hours)
{
    auto leases = c.client().list({"coordination.k8s.io", "v1", "Lease"}, {.namespace_ = "default"});
    if (!leases) return false;
    for (const auto& lease : leases->items) {
        std::tm tm{};
        std::string renew = test::string_at(lease, {"spec", "renewTime"});
        if (!strptime(renew.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) continue;
        auto age = std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(timegm(&tm));
        if (std::chrono::abs(age - std::chrono::hours(hours)) < std::chrono::minutes(5)) return true;
    }
    return false;
}

void set_offset(const std::filesystem::path& file, const std::string& offset)
{
    std::ofstream(file) << offset << "\n";
}

} // namespace

TEST_CASE(
    "chaos: wall-clock jumps of two hours forward and back on both leader-elected kustomize-controllers: "
    "no lease is stolen from a live leader and new commits keep being applied",
    "[chaos]")
{
    if (!std::filesystem::exists(faketime_lib)) {
        WARN("libfaketime is not installed (scripts/setup installs it): clock jumps not tested");
        return;
    }
    std::vector<std::string> election{"--enable-leader-election",
                                      "--leader-election-lease-duration",
                                      "3s",
                                      "--leader-election-renew-deadline",
                                      "2s",
                                      "--leader-election-retry-period",
                                      "250ms"};
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    auto clock_a = c.dir() / "clock-a", clock_b = c.dir() / "clock-b";
    set_offset(clock_a, "+0");
    set_offset(clock_b, "+0");
    auto kubeconfig = c.apiserver().kubeconfig_path();
    auto a =
        kustomize_controller(c, WEIR_KUSTOMIZE_CONTROLLER_BIN, kubeconfig, election, jumpable_clock(clock_a));
    auto b =
        kustomize_controller(c, WEIR_KUSTOMIZE_CONTROLLER_BIN, kubeconfig, election, jumpable_clock(clock_b));
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto before = owned_configmaps(c);
    const std::string acquired = "successfully acquired lease";
    test::wait_until([&] { return has_line(*a, acquired) || has_line(*b, acquired); }, "a leader");
    bool a_leads = has_line(*a, acquired);
    auto& leader = a_leads ? *a : *b;
    auto& standby = a_leads ? *b : *a;
    log_on_failure dump_leader{leader, "leader"}, dump_standby{standby, "standby"};
    auto leader_clock = a_leads ? clock_a : clock_b, standby_clock = a_leads ? clock_b : clock_a;

    // The standby jumps two hours ahead: the lease's renewTime now looks two hours stale to it.
    // The leader jumps two hours back: its renewTime now looks like the distant past to anyone.
    set_offset(standby_clock, "+7200");
    set_offset(leader_clock, "-7200");
    auto jumped = clock_type::now();
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "clock-jump");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    double converged = std::chrono::duration<double>(clock_type::now() - jumped).count();
    // Three lease durations with the jumped clocks: a takeover would have happened by now.
    std::this_thread::sleep_for(std::chrono::milliseconds(9000) - (clock_type::now() - jumped));
    CHECK_FALSE(has_line(standby, acquired));
    CHECK_FALSE(has_line(leader, "leader lease lost"));
    // The jump is real: the leader renews its Lease with renewTime two hours in the past.
    CHECK(lease_renewed_hours_ago(c, 2));

    // And back to true time on both: another commit is applied.
    set_offset(standby_clock, "+0");
    set_offset(leader_clock, "+0");
    auto back = clock_type::now();
    std::string third = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "three")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "clock-back");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(third), 60s);
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    CHECK(leader.running());
    CHECK(standby.running());
    report(fmt::format("wall clock +2 h on the standby, -2 h on the leader (applied in {:.1f} s), then back",
                       converged),
           back, lost);
}
