// Faults injected into the running loop (weir-apiserver, source-controller, kustomize-controller,
// a Git server, all real processes on loopback). Each scenario asserts that the cluster converges
// to Git and that no object was lost: an object that existed before the fault and is still in Git
// must keep its uid (deleted and recreated counts as lost). Each prints one report line,
//   chaos | <scenario> | converged <s> after the fault ended | lost <n>
// which docs/reliability.md collects.
#include "chaos_support.hpp"
#include "support/git_server.hpp"

#include <csignal>
#include <thread>

using namespace weir;
using namespace weir::chaos;
using namespace std::chrono_literals;

namespace {

using test::applied;
using test::request_reconcile;

test::local_cluster_options binaries()
{
    return {WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, WEIR_KUSTOMIZE_CONTROLLER_BIN};
}

} // namespace

TEST_CASE("chaos: kill -9 of the kustomize-controller mid-apply of 500 objects, restarted, converges with "
          "none lost",
          "[chaos]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(500, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    // Mid-apply: some of the 500 exist, not all.
    test::wait_until([&] { return owned_configmaps(c).size() >= 20; }, "the apply to start", 60s);
    c.kustomize_controller().kill();
    auto before = owned_configmaps(c);
    INFO("objects when killed: " << before.size());
    REQUIRE(c.kustomize_controller().start());
    auto restarted = clock_type::now();
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)), 120s);
    auto after = owned_configmaps(c);
    CHECK(after.size() == 500);
    std::size_t lost = lost_since(before, after);
    CHECK(lost == 0);
    report(fmt::format("kustomize-controller kill -9 mid-apply ({} of 500 applied)", before.size()),
           restarted, lost);
}

TEST_CASE("chaos: kill -9 of the source-controller, restarted on its storage, serves artifacts and applies "
          "new commits",
          "[chaos]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto before = owned_configmaps(c);

    c.source_controller().kill();
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    // While the source is down, a Kustomization reconcile cannot fetch: it must not prune.
    request_reconcile(c, test::kustomization_kind, "apps", "during-outage");
    std::this_thread::sleep_for(1s);
    CHECK(owned_configmaps(c).size() == 20);

    REQUIRE(c.source_controller().start());
    auto restarted = clock_type::now();
    request_reconcile(c, test::git_repository_kind, "fleet", "after-restart");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    report("source-controller kill -9 and restart", restarted, lost);
}

TEST_CASE(
    "chaos: weir-apiserver killed and restarted, the controllers' watches resume and a new commit is applied",
    "[chaos]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto before = owned_configmaps(c);

    c.apiserver().kill();
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    std::this_thread::sleep_for(2s); // the controllers see connection refused for a while
    REQUIRE(c.apiserver().start());
    auto restarted = clock_type::now();
    request_reconcile(c, test::git_repository_kind, "fleet", "after-restart");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 90s);
    auto after = owned_configmaps(c);
    std::size_t lost = lost_since(before, after);
    CHECK(lost == 0);
    CHECK(after.size() == 20);
    report("weir-apiserver kill -9 and restart", restarted, lost);
}

TEST_CASE("chaos: the Git server down: the source says so, nothing is pruned, and it converges when back",
          "[chaos]")
{
    test::git_repos repos;
    std::string first = repos.commit("fleet", "main", {{"deploy/cms.yaml", configmaps(20, "one")}}, "first");
    auto server = std::make_unique<test::git_http_server>(repos.root());
    std::uint16_t port = server->port();
    std::string url = server->url("fleet");
    test::local_cluster c(binaries());
    c.apply_yaml(sync_manifests(url));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(first));
    auto before = owned_configmaps(c);

    server.reset(); // the outage
    std::string next = repos.commit("fleet", "main", {{"deploy/cms.yaml", configmaps(20, "two")}}, "second");
    request_reconcile(c, test::git_repository_kind, "fleet", "during-outage");
    value src = c.wait_for(test::git_repository_kind, "default", "fleet",
                           [](const value& o) { return test::condition_status(o, "FetchFailed") == "True"; });
    CHECK(test::condition_message(src, "Ready").find("127.0.0.1") != std::string::npos);
    request_reconcile(c, test::kustomization_kind, "apps", "during-outage");
    std::this_thread::sleep_for(1s);
    CHECK(owned_configmaps(c).size() == 20);

    server = std::make_unique<test::git_http_server>(repos.root(), test::git_http_options{.port = port});
    auto back = clock_type::now();
    request_reconcile(c, test::git_repository_kind, "fleet", "after-outage");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    report("Git server (HTTP) outage", back, lost);
}

TEST_CASE("chaos: two kustomize-controllers with leader election, the leader frozen past its lease, the "
          "other takes over",
          "[chaos]")
{
    std::vector<std::string> election{"--enable-leader-election",
                                      "--leader-election-lease-duration",
                                      "3s",
                                      "--leader-election-renew-deadline",
                                      "2s",
                                      "--leader-election-retry-period",
                                      "250ms"};
    auto options = binaries();
    options.kustomize_controller.clear();
    options.controllers = {{"kustomize-a", WEIR_KUSTOMIZE_CONTROLLER_BIN, election},
                           {"kustomize-b", WEIR_KUSTOMIZE_CONTROLLER_BIN, election}};
    test::local_cluster c(options);
    auto repo = c.make_repo("fleet", {{"deploy/cms.yaml", configmaps(20, "one")}});
    c.apply_yaml(sync_manifests("file://" + repo.string()));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto before = owned_configmaps(c);

    auto leads = [&](const std::string& name) {
        return c.controller(name).log().find("successfully acquired lease") != std::string::npos;
    };
    test::wait_until([&] { return leads("kustomize-a") || leads("kustomize-b"); }, "a leader");
    std::string leader = leads("kustomize-a") ? "kustomize-a" : "kustomize-b";
    std::string standby = leader == "kustomize-a" ? "kustomize-b" : "kustomize-a";
    REQUIRE_FALSE(leads(standby));

    ::kill(c.controller(leader).pid(), SIGSTOP);
    auto frozen = clock_type::now();
    std::string next = c.commit(repo, {{"deploy/cms.yaml", configmaps(20, "two")}});
    request_reconcile(c, test::git_repository_kind, "fleet", "leader-frozen");
    c.wait_for(test::kustomization_kind, "default", "apps", applied(next), 60s);
    CHECK(leads(standby));
    ::kill(c.controller(leader).pid(), SIGCONT);
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    report("leader frozen (SIGSTOP) past its 3 s lease", frozen, lost);
}
