// Image automation beyond a plain branch: checkout by tag, semver range and commit, push options a
// real Git server records, the v1beta2 latestImage form, --no-cross-namespace-refs, and cloud
// providers that cannot work here.
#include "manifests.hpp"
#include "registry.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/temp_dir.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk image_repository{"image.toolkit.fluxcd.io", "v1", "ImageRepository"};
const kube::gvk image_policy{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"};
const kube::gvk image_policy_v1beta2{"image.toolkit.fluxcd.io", "v1beta2", "ImagePolicy"};
const kube::gvk automation{"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"};

std::string manifest(const std::string& image)
{
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n"
           "    image: " +
           image + " # {\"$imagepolicy\": \"default:app\"}\n";
}

struct fixture {
    test::registry reg;
    test::git_repos repos;
    test::git_http_server git{repos.root()};
    temp_dir storage{fs::temp_directory_path(), "image-storage"};
    std::unique_ptr<test::local_cluster> cluster;

    explicit fixture(std::vector<std::string> args = {})
    {
        reg.push_tags("team/app", {"1.0.0", "1.4.0"});
        args.insert(args.begin(), {"--storage-path", storage.path().string()});
        cluster = std::make_unique<test::local_cluster>(
            test::local_cluster_options{.apiserver = WEIR_APISERVER_BIN,
                                        .source_controller = {},
                                        .kustomize_controller = {},
                                        .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, args}}});
    }
    std::string image() const { return reg.host() + "/team/app"; }

    // GitRepository, ImageRepository, ImagePolicy (semver ^1.0) and an automation with this git spec.
    void apply(const std::string& git_spec)
    {
        cluster->apply_yaml(test::source_and_policy_yaml(git.url("fleet"), image(), "^1.0", "1h") +
                            fmt::format(R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: {{name: fleet, namespace: default}}
spec:
  interval: 1h
  sourceRef: {{kind: GitRepository, name: fleet}}
  git:
    commit: {{author: {{name: bot, email: bot@weir.test}}}}
{}
)",
                                        git_spec));
    }
    value pushed()
    {
        return cluster->wait_for(automation, "default", "fleet", [](const value& o) {
            return !test::string_at(o, {"status", "lastPushCommit"}).empty();
        });
    }
    std::string git_out(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"git", "--git-dir", repos.bare("fleet").string()});
        std::string out = test::run(args);
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }
};

} // namespace

TEST_CASE("ImagePolicy status has latestImage next to latestRef, and the policy is served as v1beta2 too",
          "[integration][image]")
{
    fixture f;
    f.cluster->apply_yaml(fmt::format(R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec: {{image: "{}", interval: 1h, insecure: true}}
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: {{name: app, namespace: default}}
spec: {{imageRepositoryRef: {{name: app}}, policy: {{semver: {{range: "^1.0"}}}}}}
)",
                                      f.image()));
    value pol = f.cluster->wait_for(image_policy, "default", "app", [](const value& o) {
        return test::string_at(o, {"status", "latestRef", "tag"}) == "1.4.0";
    });
    CHECK(test::string_at(pol, {"status", "latestImage"}) == f.image() + ":1.4.0");
    auto old = f.cluster->client().get(image_policy_v1beta2, "default", "app");
    REQUIRE(old);
    CHECK(old->get_string("apiVersion") == "image.toolkit.fluxcd.io/v1beta2");
    CHECK(test::string_at(*old, {"status", "latestImage"}) == f.image() + ":1.4.0");
}

TEST_CASE("an ImageRepository with a cloud provider stalls with a message naming the login weir cannot do",
          "[integration][image]")
{
    fixture f;
    for (std::string provider : {"aws", "gcp", "azure"})
        f.cluster->apply_yaml(
            fmt::format("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
                        "metadata: {{name: {0}, namespace: default}}\n"
                        "spec: {{image: \"{1}\", interval: 1h, insecure: true, provider: {0}}}\n",
                        provider, f.image()));
    for (auto [provider, cloud] :
         {std::pair{"aws", "AWS ECR"}, std::pair{"gcp", "Google Artifact/Container Registry"},
          std::pair{"azure", "Azure Container Registry"}}) {
        value r = f.cluster->wait_for(image_repository, "default", provider, test::ready_is("False"));
        CHECK(test::condition_status(r, "Stalled") == "True");
        CHECK(test::condition_reason(r, "Ready") == "UnsupportedProvider");
        std::string msg = test::condition_message(r, "Ready");
        CHECK(msg.find(fmt::format("spec.provider '{}'", provider)) != std::string::npos);
        CHECK(msg.find(cloud) != std::string::npos);
        CHECK(msg.find("spec.secretRef") != std::string::npos);
        CHECK(r.find_path({"status", "lastScanResult"}) == nullptr);
    }
}

TEST_CASE("with --no-cross-namespace-refs a policy or an automation referring to another namespace stalls "
          "with AccessDenied",
          "[integration][image]")
{
    fixture f({"--no-cross-namespace-refs"});
    f.repos.commit("fleet", "main", {{"apps/pod.yaml", manifest(f.image() + ":1.0.0")}}, "initial");
    f.cluster->apply_yaml(fmt::format(R"(apiVersion: v1
kind: Namespace
metadata: {{name: apps}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "{}", interval: 1h, ref: {{branch: main}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec: {{image: "{}", interval: 1h, insecure: true, accessFrom: {{namespaceSelectors: [{{matchLabels: {{}}}}]}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {{name: app, namespace: apps}}
spec: {{imageRepositoryRef: {{name: app, namespace: default}}, policy: {{semver: {{range: "^1.0"}}}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: {{name: fleet, namespace: apps}}
spec:
  interval: 1h
  sourceRef: {{kind: GitRepository, name: fleet, namespace: default}}
  git: {{commit: {{author: {{email: bot@weir.test}}}}}}
)",
                                      f.git.url("fleet"), f.image()));
    // accessFrom would allow it: the flag wins.
    value pol = f.cluster->wait_for(image_policy, "apps", "app", test::ready_is("False"));
    CHECK(test::condition_status(pol, "Stalled") == "True");
    CHECK(test::condition_reason(pol, "Ready") == "AccessDenied");
    CHECK(test::condition_message(pol, "Ready") ==
          "cannot access ImageRepository 'default/app': cross-namespace references are disabled "
          "(--no-cross-namespace-refs); use an ImageRepository in namespace 'apps'");
    CHECK(pol.find_path({"status", "latestRef"}) == nullptr);
    value a = f.cluster->wait_for(automation, "apps", "fleet", test::ready_is("False"));
    CHECK(test::condition_reason(a, "Ready") == "AccessDenied");
    CHECK(test::condition_message(a, "Ready").find("cannot access GitRepository 'default/fleet'") !=
          std::string::npos);
    CHECK(test::condition_status(a, "Stalled") == "True");
}

TEST_CASE("a checkout by tag, semver range or commit builds the update on that commit and pushes it to the "
          "push branch",
          "[integration][image]")
{
    fixture f;
    std::string a =
        f.repos.commit("fleet", "main", {{"apps/pod.yaml", manifest(f.image() + ":1.0.0")}}, "release 1");
    f.repos.tag("fleet", "v1.0.0", a, "release 1");
    std::string b = f.repos.commit("fleet", "main", {{"NOTES", "two\n"}}, "release 2");
    f.repos.tag("fleet", "v1.1.0", b);
    std::string c = f.repos.commit("fleet", "main", {{"NOTES", "unreleased\n"}}, "work in progress");
    f.repos.tag("fleet", "v2.0.0", c);

    for (auto [name, checkout, parent] : {std::tuple{"tag", std::string("{tag: v1.0.0}"), a},
                                          std::tuple{"semver", std::string("{semver: '>=1.0.0 <2.0.0'}"), b},
                                          std::tuple{"commit", "{commit: " + a + "}", a}}) {
        DYNAMIC_SECTION("checkout by " << name)
        {
            f.apply(fmt::format("    checkout: {{ref: {}}}\n    push: {{branch: auto-{}}}", checkout, name));
            value p = f.pushed();
            std::string sha = test::string_at(p, {"status", "lastPushCommit"});
            std::string branch = std::string("auto-") + name;
            CHECK(f.repos.head("fleet", branch) == sha);
            CHECK(f.git_out({"rev-parse", sha + "~1"}) == parent);
            CHECK(f.git_out({"show", branch + ":apps/pod.yaml"}) + "\n" == manifest(f.image() + ":1.4.0"));
            CHECK(f.repos.head("fleet", "main") == c); // the checkout ref is never pushed to
            CHECK(test::condition_message(p, "Ready") ==
                  fmt::format("committed and pushed commit '{}' to branch '{}'", sha, branch));

            // The push branch exists now: the next run builds on it, the revision says so.
            value idle = f.cluster->wait_for(automation, "default", "fleet", [&](const value& o) {
                return test::string_at(o, {"status", "observedSourceRevision"}) == branch + "@sha1:" + sha;
            });
            CHECK(test::condition_status(idle, "Ready") == "True");
        }
    }
}

TEST_CASE("a tag checkout without a push branch or refspec stalls: there is nothing to push back to",
          "[integration][image]")
{
    fixture f;
    std::string a =
        f.repos.commit("fleet", "main", {{"apps/pod.yaml", manifest(f.image() + ":1.0.0")}}, "release 1");
    f.repos.tag("fleet", "v1.0.0", a);
    f.apply("    checkout: {ref: {tag: v1.0.0}}");
    value s = f.cluster->wait_for(automation, "default", "fleet", test::ready_is("False"));
    CHECK(test::condition_reason(s, "Ready") == "InvalidSourceConfiguration");
    CHECK(test::condition_message(s, "Ready")
              .find("spec.git.push.branch (or spec.git.push.refspec) is required") != std::string::npos);
    CHECK(f.git_out({"for-each-ref", "--format=%(refname)", "refs/heads"}) == "refs/heads/main");
}

TEST_CASE("push options reach the Git server, which sees them in its hook, on a push branch other than the "
          "checkout",
          "[integration][image]")
{
    fixture f;
    f.repos.commit("fleet", "main", {{"apps/pod.yaml", manifest(f.image() + ":1.0.0")}}, "initial");
    fs::path bare = f.repos.bare("fleet");
    test::run({"git", "--git-dir", bare.string(), "config", "receive.advertisePushOptions", "true"});
    fs::path hook = bare / "hooks" / "pre-receive";
    std::ofstream(hook) << "#!/bin/sh\ni=0\nwhile [ \"$i\" -lt \"${GIT_PUSH_OPTION_COUNT:-0}\" ]; do\n"
                           "  eval \"echo \\\"\\$GIT_PUSH_OPTION_$i\\\"\" >> \"$GIT_DIR/push-options\"\n"
                           "  i=$((i+1))\ndone\ncat > \"$GIT_DIR/pushed-refs\"\nexit 0\n";
    fs::permissions(hook, fs::perms::owner_all, fs::perm_options::add);
    f.apply("    checkout: {ref: {branch: main}}\n"
            "    push:\n      branch: image-updates\n"
            "      options: {merge_request.create: '', merge_request.target: main, ci.skip: ''}");
    value p = f.pushed();
    std::string sha = test::string_at(p, {"status", "lastPushCommit"});
    CHECK(f.repos.head("fleet", "image-updates") == sha);
    std::ifstream in(bare / "push-options");
    std::string options((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(options == "ci.skip\nmerge_request.create\nmerge_request.target=main\n");
    std::ifstream refs_in(bare / "pushed-refs");
    std::string refs((std::istreambuf_iterator<char>(refs_in)), std::istreambuf_iterator<char>());
    CHECK(refs.find(sha + " refs/heads/image-updates") != std::string::npos);
    CHECK(f.git_out({"show", "image-updates:apps/pod.yaml"}).find(":1.4.0 #") != std::string::npos);
}
