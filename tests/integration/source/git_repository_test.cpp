// The real source-controller against the real weir-apiserver and a Git repository on disk:
// new commits become new verified artifacts, bad input becomes a condition that says what to fix.
#include "support/apiserver_process.hpp"
#include "support/child_process.hpp"
#include "support/paths.hpp"

#include <weir/artifact/fetcher.hpp>
#include <weir/core/yaml.hpp>
#include <weir/kube/client.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

using namespace weir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const kube::gvk git_repo_kind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void git(const fs::path& repo, const std::string& args)
{
    std::string out;
    int rc = test::run_command(fmt::format("git -C {} -c user.name=t -c user.email=t@e {}", repo.string(), args), &out);
    INFO(out);
    REQUIRE(rc == 0);
}

struct fixture {
    fs::path dir = fs::temp_directory_path() / fmt::format("weir-src-{}", std::random_device{}());
    fs::path repo = dir / "repo";
    test::apiserver_process api{WEIR_APISERVER_BIN};
    std::shared_ptr<kube::client> client;
    std::unique_ptr<test::child_process> controller;
    unsigned short storage_port = test::free_port();

    fixture()
    {
        fs::create_directories(repo / "deploy");
        git(repo, "init -q -b main");
        std::ofstream(repo / "deploy" / "cm.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n";
        std::ofstream(repo / "logo.png") << "binary";
        git(repo, "add -A");
        git(repo, "commit -q -m first");
        REQUIRE(api.start());
        auto cfg = api.config();
        REQUIRE(cfg);
        auto c = kube::client::create(*cfg);
        REQUIRE(c);
        client = *c;
        auto crd = parse_yaml(read_file(test::source_dir() / "config/crd/source.toolkit.fluxcd.io_gitrepositories.yaml"));
        REQUIRE(crd);
        auto applied = client->apply(*crd, {.field_manager = "test"});
        INFO((applied ? "" : applied.err().message));
        REQUIRE(applied);
        controller = std::make_unique<test::child_process>(
            WEIR_SOURCE_CONTROLLER_BIN,
            std::vector<std::string>{"--kubeconfig", api.kubeconfig_path().string(), "--storage-path",
                                     (dir / "storage").string(), "--storage-addr",
                                     fmt::format("127.0.0.1:{}", storage_port), "--storage-adv-addr",
                                     fmt::format("127.0.0.1:{}", storage_port), "--metrics-addr", "127.0.0.1:0",
                                     "--health-addr", "127.0.0.1:0", "--log-level", "debug"},
            std::map<std::string, std::string>{{"RUNTIME_NAMESPACE", "default"}});
        REQUIRE(controller->start());
    }
    ~fixture()
    {
        controller.reset();
        api.stop();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    void create_repository(const std::string& name, const std::string& url, const std::string& extra = "")
    {
        auto obj = parse_yaml(fmt::format(R"(
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: {}, namespace: default}}
spec:
  url: {}
  interval: 10m
  ref: {{branch: main}}
{}
)",
                                          name, url, extra));
        REQUIRE(obj);
        auto r = client->create(*obj);
        INFO((r ? "" : r.err().message));
        REQUIRE(r);
    }

    // Polls until `pred` holds on the object, or fails with the controller's log.
    value wait_for(const std::string& name, const std::function<bool(const value&)>& pred, std::chrono::seconds limit = 30s)
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        value last;
        while (std::chrono::steady_clock::now() < deadline) {
            auto got = client->get(git_repo_kind, "default", name);
            if (got) {
                last = *got;
                if (pred(last)) return last;
            }
            std::this_thread::sleep_for(100ms);
        }
        INFO("object: " << to_yaml(last));
        INFO("controller log: " << controller->log());
        FAIL("condition not reached in time");
        return last;
    }
};

std::string ready_status(const value& obj)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return "";
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == "Ready") return std::string(c.get_string("status"));
    return "";
}

std::string ready_message(const value& obj)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return "";
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == "Ready") return std::string(c.get_string("message"));
    return "";
}

std::string revision_of(const value& obj)
{
    const value* r = obj.find_path({"status", "artifact", "revision"});
    return r && r->is_string() ? r->as_string() : "";
}

} // namespace

TEST_CASE("source-controller stores a verified artifact for each new commit", "[integration][source]")
{
    fixture f;
    f.create_repository("app", "file://" + f.repo.string());
    value ready = f.wait_for("app", [](const value& o) { return ready_status(o) == "True"; });
    std::string rev1 = revision_of(ready);
    std::string head;
    test::run_command("git -C " + f.repo.string() + " rev-parse HEAD", &head);
    head.resize(40);
    CHECK(rev1 == "main@sha1:" + head);
    CHECK(ready_message(ready) == "stored artifact for revision '" + rev1 + "'");
    CHECK(ready.find_path({"status", "observedGeneration"})->as_int() == 1);

    // The artifact is served, its digest verifies, and Flux's default exclusions applied (*.png).
    std::string url(ready.find_path({"status", "artifact", "url"})->as_string());
    std::string digest(ready.find_path({"status", "artifact", "digest"})->as_string());
    fs::path out = f.dir / "fetched";
    auto fetched = artifact::fetch_artifact(url, digest, out);
    INFO((fetched ? "" : fetched.err().message));
    REQUIRE(fetched);
    CHECK(read_file(out / "deploy" / "cm.yaml").find("name: one") != std::string::npos);
    CHECK_FALSE(fs::exists(out / "logo.png"));

    // A new commit and a reconcile request give a new revision.
    std::ofstream(f.repo / "deploy" / "cm.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n";
    git(f.repo, "commit -q -am second");
    auto patched = f.client->patch(git_repo_kind, "default", "app", kube::patch_type::merge,
                                   R"({"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"now-1"}}})");
    REQUIRE(patched);
    value updated = f.wait_for("app", [&](const value& o) { return !revision_of(o).empty() && revision_of(o) != rev1; });
    CHECK(updated.find_path({"status", "lastHandledReconcileAt"})->as_string() == "now-1");
    CHECK(ready_status(updated) == "True");
}

TEST_CASE("source-controller reports an unreachable repository and keeps no artifact", "[integration][source]")
{
    fixture f;
    f.create_repository("missing", "file://" + (f.dir / "nope").string());
    value failed = f.wait_for("missing", [](const value& o) { return ready_status(o) == "False"; });
    CHECK_FALSE(failed.find_path({"status", "artifact"}));
    CHECK_FALSE(ready_message(failed).empty());
}

TEST_CASE("source-controller stalls on an invalid spec with a message naming the field", "[integration][source]")
{
    fixture f;
    // The API server's schema cannot see that this range is nonsense; the controller can.
    auto obj = parse_yaml(R"(
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: bad, namespace: default}
spec: {url: "https://example.invalid/repo", interval: 10m, ref: {semver: ">=banana"}}
)");
    REQUIRE(f.client->create(*obj));
    value stalled = f.wait_for("bad", [](const value& o) { return ready_status(o) == "False"; });
    CHECK(ready_message(stalled).find("spec.ref.semver") != std::string::npos);
    bool has_stalled = false;
    for (const auto& c : stalled.find_path({"status", "conditions"})->as_array())
        has_stalled = has_stalled || (c.get_string("type") == "Stalled" && c.get_string("status") == "True");
    CHECK(has_stalled);
}
