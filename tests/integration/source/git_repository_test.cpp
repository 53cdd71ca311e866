// The real source-controller against the real weir-apiserver and a Git repository on disk:
// new commits become new verified artifacts, bad input becomes a condition that says what to fix.
#include "support/local_cluster.hpp"

#include <weir/artifact/fetcher.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

test::local_cluster_options source_only() { return {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN}; }

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string repository(const std::string& name, const std::string& url, const std::string& ref = "{branch: main}")
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: {}, namespace: default}}\n"
                       "spec: {{url: \"{}\", interval: 10m, ref: {}}}\n",
                       name, url, ref);
}

std::string revision_of(const value& obj) { return test::string_at(obj, {"status", "artifact", "revision"}); }

} // namespace

TEST_CASE("source-controller stores a verified artifact for each new commit", "[integration][source]")
{
    test::local_cluster c(source_only());
    auto repo = c.make_repo("app", {{"deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n"},
                                    {"logo.png", "binary"}});
    c.apply_yaml(repository("app", "file://" + repo.string()));
    value ready = c.wait_for(test::git_repository_kind, "default", "app", test::ready_is("True"));
    std::string rev1 = revision_of(ready);
    CHECK(rev1 == "main@sha1:" + c.head(repo));
    CHECK(test::condition_message(ready, "Ready") == "stored artifact for revision '" + rev1 + "'");
    CHECK(test::condition_status(ready, "ArtifactInStorage") == "True");
    CHECK(ready.find_path({"status", "observedGeneration"})->as_int() == 1);

    // The artifact is served, its digest verifies, and Flux's default exclusions applied (*.png).
    fs::path out = c.dir() / "fetched";
    auto fetched = artifact::fetch_artifact(test::string_at(ready, {"status", "artifact", "url"}),
                                            test::string_at(ready, {"status", "artifact", "digest"}), out);
    INFO((fetched ? "" : fetched.err().message));
    REQUIRE(fetched);
    CHECK(read_file(out / "deploy" / "cm.yaml").find("name: one") != std::string::npos);
    CHECK_FALSE(fs::exists(out / "logo.png"));

    // A new commit and a reconcile request give a new revision.
    c.commit(repo, {{"deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n"}});
    REQUIRE(c.client().patch(test::git_repository_kind, "default", "app", kube::patch_type::merge,
                             R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"now-1"}}})"));
    value updated = c.wait_for(test::git_repository_kind, "default", "app",
                               [&](const value& o) { return !revision_of(o).empty() && revision_of(o) != rev1; });
    CHECK(test::string_at(updated, {"status", "lastHandledReconcileAt"}) == "now-1");
    CHECK(test::condition_status(updated, "Ready") == "True");
}

TEST_CASE("source-controller selects the newest tag in a semver range", "[integration][source]")
{
    test::local_cluster c(source_only());
    auto repo = c.make_repo("app", {{"a.yaml", "v: 1\n"}});
    test::run_command("git -C " + repo.string() + " tag v1.0.0");
    c.commit(repo, {{"a.yaml", "v: 2\n"}});
    test::run_command("git -C " + repo.string() + " tag v1.4.0");
    std::string v14 = c.head(repo);
    c.commit(repo, {{"a.yaml", "v: 3\n"}});
    test::run_command("git -C " + repo.string() + " tag v2.0.0");
    c.apply_yaml(repository("app", "file://" + repo.string(), "{semver: '>=1.0.0 <2.0.0'}"));
    value ready = c.wait_for(test::git_repository_kind, "default", "app", test::ready_is("True"));
    CHECK(revision_of(ready) == "v1.4.0@sha1:" + v14);
}

TEST_CASE("source-controller reports an unreachable repository and keeps no artifact", "[integration][source]")
{
    test::local_cluster c(source_only());
    c.apply_yaml(repository("missing", "file://" + (c.dir() / "nope").string()));
    value failed = c.wait_for(test::git_repository_kind, "default", "missing", test::ready_is("False"));
    CHECK_FALSE(failed.find_path({"status", "artifact"}));
    CHECK(test::condition_status(failed, "FetchFailed") == "True");
    CHECK_FALSE(test::condition_message(failed, "Ready").empty());
}

TEST_CASE("source-controller stalls on an invalid spec with a message naming the field", "[integration][source]")
{
    test::local_cluster c(source_only());
    // The API server's schema cannot see that this range is nonsense; the controller can.
    c.apply_yaml(repository("bad", "https://example.invalid/repo", "{semver: '>=banana'}"));
    value stalled = c.wait_for(test::git_repository_kind, "default", "bad", test::ready_is("False"));
    CHECK(test::condition_message(stalled, "Ready").find("spec.ref.semver") != std::string::npos);
    CHECK(test::condition_status(stalled, "Stalled") == "True");
}
