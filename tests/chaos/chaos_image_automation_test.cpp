// kill -9 of the image-automation-controller (which also scans and resolves policies) right after a
// new tag lands in a real docker-registry, then restarted: exactly one update commit reaches the
// branch, neither lost nor made twice. Prints the report line docs/reliability.md collects.
#include "chaos_support.hpp"
#include "manifests.hpp"
#include "registry.hpp"
#include "support/git_server.hpp"

#include <weir/core/temp_dir.hpp>

#include <thread>

using namespace weir;
using namespace weir::chaos;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const kube::gvk image_policy{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"};
const kube::gvk automation{"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"};

std::string deployment(const std::string& image)
{
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\nspec:\n"
           "  template:\n    spec:\n      containers:\n      - name: web\n        image: " +
           image + " # {\"$imagepolicy\": \"default:app\"}\n";
}

std::string automation_yaml()
{
    return R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: {name: fleet, namespace: default}
spec:
  interval: 1m
  sourceRef: {kind: GitRepository, name: fleet}
  git:
    checkout: {ref: {branch: main}}
    commit: {author: {name: weir-bot, email: bot@weir.test}}
    push: {branch: main}
  update: {strategy: Setters, path: ./apps}
)";
}

} // namespace

TEST_CASE("chaos: kill -9 of the image-automation-controller after a new tag is pushed, restarted, lands "
          "exactly one update commit",
          "[chaos][image]")
{
    test::registry reg;
    reg.push_tags("team/app", {"1.0.0"});
    test::git_repos repos;
    std::string image = reg.host() + "/team/app";
    repos.commit("fleet", "main", {{"apps/web.yaml", deployment(image + ":1.0.0")}}, "initial");
    test::git_http_server git{repos.root()};
    temp_dir storage{fs::temp_directory_path(), "chaos-image-storage"};
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    c.apply_yaml(test::source_and_policy_yaml(git.url("fleet"), image, "^1.0", "1s") + automation_yaml());
    c.wait_for(automation, "default", "fleet", test::ready_is("True"), 60s);
    std::string before = repos.head("fleet", "main");

    reg.push_tags("team/app", {"1.1.0"});
    // The policy moved: the automation is due now; kill it before or while it commits.
    c.wait_for(image_policy, "default", "app", [](const value& o) {
        return test::string_at(o, {"status", "latestRef", "tag"}) == "1.1.0";
    });
    auto& controller = c.controller("image");
    controller.kill();
    std::string when_killed = repos.head("fleet", "main");
    INFO("commit landed before the kill: " << (when_killed != before));
    REQUIRE(controller.start());
    auto restarted = clock_type::now();
    test::wait_until([&] { return repos.head("fleet", "main") != before; }, "the update commit", 30s);
    report(fmt::format("image-automation-controller kill -9 after a new tag (commit before kill: {})",
                       when_killed != before ? "yes" : "no"),
           restarted, 0);
    // Scans keep running every second meanwhile; a duplicate would land within a few of them.
    std::this_thread::sleep_for(3s);
    auto status = c.client().get(automation, "default", "fleet");
    REQUIRE(status);
    // Killed between the push and the status write, the restarted controller finds the branch up to
    // date ("no updates made") and has no push of its own to record: correct, nothing to redo.
    if (when_killed == before)
        CHECK(test::string_at(*status, {"status", "lastPushCommit"}) == repos.head("fleet", "main"));
    std::string count = test::run(
        {"git", "--git-dir", repos.bare("fleet").string(), "rev-list", "--count", before + "..main"});
    CHECK(count == "1\n");
    std::string file =
        test::run({"git", "--git-dir", repos.bare("fleet").string(), "show", "main:apps/web.yaml"});
    CHECK(file.find(image + ":1.1.0") != std::string::npos);
}
