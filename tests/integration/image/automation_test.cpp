// The whole image automation loop on loopback: docker-registry <- image-automation-controller ->
// weir-apiserver, a Git repository over http (git http-backend, hooks included), and the
// source-controller picking up the pushed commit.
#include "manifests.hpp"
#include "registry.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/temp_dir.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk image_repository{"image.toolkit.fluxcd.io", "v1", "ImageRepository"};
const kube::gvk image_policy{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"};
const kube::gvk automation{"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"};

std::string deployment(const std::string& image)
{
    // Comments, quoting and odd spacing that must survive the update byte for byte.
    return "# the web tier\n"
           "apiVersion: apps/v1\n"
           "kind: Deployment\n"
           "metadata:\n"
           "  name: web    # keep this comment\n"
           "  namespace: apps\n"
           "spec:\n"
           "  replicas: 2\n"
           "  template:\n"
           "    spec:\n"
           "      containers:\n"
           "      - name: web\n"
           "        image: " +
           image +
           "  # {\"$imagepolicy\": \"default:app\"}\n"
           "        args: ['--port', \"8080\"]\n";
}

struct loop {
    test::registry reg;
    test::git_repos repos;
    test::git_http_server git{repos.root()};
    temp_dir storage{fs::temp_directory_path(), "image-storage"};
    std::unique_ptr<test::local_cluster> cluster;

    explicit loop(const std::string& initial_tag, std::vector<std::string> tags)
    {
        reg.push_tags("team/app", tags);
        repos.commit("fleet", "main",
                     {{"apps/web.yaml", deployment(reg.host() + "/team/app:" + initial_tag)},
                      {"README.md", "fleet\n"}},
                     "initial");
        cluster = std::make_unique<test::local_cluster>(test::local_cluster_options{
            .apiserver = WEIR_APISERVER_BIN,
            .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
            .kustomize_controller = {},
            .controllers = {
                {"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    }

    std::string image() const { return reg.host() + "/team/app"; }

    void apply_all(const std::string& range = "^1.0", const std::string& push = "{branch: main}",
                   const std::string& signing = "null")
    {
        cluster->apply_yaml(test::source_and_policy_yaml(git.url("fleet"), image(), range, "1s") +
                            fmt::format(R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: {{name: fleet, namespace: default}}
spec:
  interval: 1m
  sourceRef: {{kind: GitRepository, name: fleet}}
  git:
    checkout: {{ref: {{branch: main}}}}
    commit:
      author: {{name: weir-bot, email: bot@weir.test}}
      signingKey: {}
      messageTemplate: |-
        Automated image update by {{{{ .AutomationObject.Name }}}}
        {{{{ range .Changed.Changes }}}}
        - {{{{ .OldValue }}}} -> {{{{ .NewValue }}}} ({{{{ .Setter }}}})
        {{{{- end }}}}
    push: {}
  update: {{strategy: Setters, path: ./apps}}
)",
                                        signing, push));
    }

    std::string show(const std::string& rev_path)
    {
        return test::run({"git", "--git-dir", repos.bare("fleet").string(), "show", rev_path});
    }
};

auto tag_is(const std::string& tag)
{
    return [tag](const value& o) { return test::string_at(o, {"status", "latestRef", "tag"}) == tag; };
}

} // namespace

TEST_CASE(
    "a new tag in range is committed and pushed, a tag outside the range is ignored, and the source follows",
    "[integration][image]")
{
    loop l("1.0.0", {"1.0.0", "0.9.0", "sha256-abc.sig"});
    l.apply_all();
    auto& c = *l.cluster;
    value repo = c.wait_for(image_repository, "default", "app", test::ready_is("True"));
    // .sig excluded by default; the checksum is Python's zlib.adler32 of '["1.0.0","0.9.0"]' (Flux's
    // revision)
    CHECK(test::condition_message(repo, "Ready") == "successful scan: found 2 tags with checksum 497091407");
    CHECK(test::string_at(repo, {"status", "lastScanResult", "revision"}) == "497091407");
    CHECK(test::string_at(repo, {"status", "canonicalImageName"}) == l.image());
    c.wait_for(image_policy, "default", "app", tag_is("1.0.0"));
    value idle = c.wait_for(automation, "default", "fleet", test::ready_is("True"));
    CHECK(test::condition_message(idle, "Ready") == "no updates made");
    CHECK(idle.find_path({"status", "lastPushCommit"}) == nullptr);
    std::string before = l.repos.head("fleet", "main");

    l.reg.push_tags("team/app", {"1.1.0", "2.0.0"});
    value pol = c.wait_for(image_policy, "default", "app", tag_is("1.1.0"));
    CHECK(test::string_at(pol, {"status", "observedPreviousRef", "tag"}) == "1.0.0");
    CHECK(test::condition_message(pol, "Ready") ==
          "Latest image tag for " + l.image() + " resolved to 1.1.0 (previously " + l.image() + ":1.0.0)");
    value pushed = c.wait_for(automation, "default", "fleet", [](const value& o) {
        return !test::string_at(o, {"status", "lastPushCommit"}).empty();
    });
    std::string sha = test::string_at(pushed, {"status", "lastPushCommit"});
    CHECK(sha == l.repos.head("fleet", "main"));
    CHECK(sha != before);
    CHECK(test::condition_message(pushed, "Ready") ==
          "committed and pushed commit '" + sha + "' to branch 'main'");
    CHECK(l.show("main:apps/web.yaml") == deployment(l.image() + ":1.1.0"));
    CHECK(l.show("main:README.md") == "fleet\n");
    CHECK(test::run(
              {"git", "--git-dir", l.repos.bare("fleet").string(), "log", "-1", "--format=%an <%ae>%n%B"}) ==
          "weir-bot <bot@weir.test>\nAutomated image update by fleet\n\n- " + l.image() + ":1.0.0 -> " +
              l.image() + ":1.1.0 (default:app)\n");
    CHECK(test::string_at(pushed, {"status", "observedPolicies", "app", "tag"}) == "1.1.0");

    // The change of selection was announced with an event on the ImagePolicy.
    auto events = c.client().list({"", "v1", "Event"}, {.namespace_ = "default"});
    REQUIRE(events);
    bool announced = false;
    for (const auto& e : events->items)
        announced |= e.find_path({"involvedObject", "kind"})->as_string() == "ImagePolicy" &&
                     e.get_string("message").find("resolved to 1.1.0 (previously") != std::string_view::npos;
    CHECK(announced);

    value src = c.wait_for(test::git_repository_kind, "default", "fleet", [&](const value& o) {
        return test::string_at(o, {"status", "artifact", "revision"}) == "main@sha1:" + sha;
    });
    CHECK(test::condition_status(src, "Ready") == "True");
}

TEST_CASE("a push that loses a race is applied again on the new head and never overwrites the other commit",
          "[integration][image]")
{
    loop l("1.0.0", {"1.0.0", "1.2.0"});
    // While the controller's first push is in flight, someone else's commit lands on main.
    fs::path hook = l.repos.bare("fleet") / "hooks" / "pre-receive";
    std::ofstream(hook) << R"sh(#!/bin/sh
[ -f "$GIT_DIR/raced" ] && exit 0
touch "$GIT_DIR/raced"
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_AUTHOR_NAME=racer GIT_AUTHOR_EMAIL=racer@weir.test GIT_COMMITTER_NAME=racer GIT_COMMITTER_EMAIL=racer@weir.test
parent=$(git rev-parse refs/heads/main)
blob=$(echo concurrent | git hash-object -w --stdin)
export GIT_INDEX_FILE="$GIT_DIR/race-index"
git read-tree "$parent"
git update-index --add --cacheinfo 100644,"$blob",concurrent.txt
commit=$(git commit-tree "$(git write-tree)" -p "$parent" -m "a concurrent change")
git update-ref refs/heads/main "$commit"
exit 0
)sh";
    fs::permissions(hook, fs::perms::owner_all, fs::perm_options::add);
    l.apply_all();
    value pushed = l.cluster->wait_for(automation, "default", "fleet", [](const value& o) {
        return !test::string_at(o, {"status", "lastPushCommit"}).empty();
    });
    CHECK(fs::exists(l.repos.bare("fleet") / "raced"));
    std::string sha = test::string_at(pushed, {"status", "lastPushCommit"});
    CHECK(sha == l.repos.head("fleet", "main"));
    CHECK(l.show("main:concurrent.txt") == "concurrent\n");
    CHECK(l.show("main:apps/web.yaml") == deployment(l.image() + ":1.2.0"));
    CHECK(test::run({"git", "--git-dir", l.repos.bare("fleet").string(), "log", "-1", "--format=%s",
                     "main~1"}) == "a concurrent change\n");
    CHECK(l.cluster->controller_logs().find("push rejected") != std::string::npos);
}

TEST_CASE("a registry that is down and bad credentials each give a Ready=False message that says what is "
          "wrong, a custom CA is trusted",
          "[integration][image]")
{
    test::registry secured({.username = "bot", .password = "right"});
    secured.push_image("app", "1.0.0");
    test::registry tls({.tls = true});
    tls.push_tags("app", {"2.0.0", "2.1.0"});
    temp_dir storage(fs::temp_directory_path(), "image-storage");
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = {},
         .kustomize_controller = {},
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    std::string down = "127.0.0.1:" + std::to_string(test::free_port());
    auto docker_config = [&](const std::string& password) {
        std::string auth = fmt::format(R"({{"auths":{{"{}":{{"username":"bot","password":"{}"}}}}}})",
                                       secured.host(), password);
        return fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: default}}\n"
                           "type: kubernetes.io/dockerconfigjson\ndata: {{.dockerconfigjson: {}}}\n",
                           base64_encode(auth));
    };
    c.apply_yaml(docker_config("wrong"));
    c.apply_yaml(fmt::format(R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: down, namespace: default}}
spec: {{image: "{}/team/app", interval: 1m, timeout: 5s, insecure: true}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: secured, namespace: default}}
spec: {{image: "{}/app", interval: 1m, insecure: true, secretRef: {{name: creds}}}}
)",
                             down, secured.host()));
    // A registry with its own CA: trusted through certSecretRef's ca.crt.
    c.apply_yaml(
        fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: registry-ca, namespace: default}}\n"
                    "data: {{ca.crt: {}}}\n---\n"
                    "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
                    "metadata: {{name: tls, namespace: default}}\n"
                    "spec: {{image: \"{}/app\", interval: 1m, certSecretRef: {{name: registry-ca}}}}\n",
                    base64_encode(tls.ca_pem()), tls.host()));
    value t = c.wait_for(image_repository, "default", "tls", test::ready_is("True"));
    CHECK(t.find_path({"status", "lastScanResult", "tagCount"})->as_int() == 2);

    value d = c.wait_for(image_repository, "default", "down", test::ready_is("False"));
    std::string dm = test::condition_message(d, "Ready");
    CHECK(dm.find("scan failed: " + down + "/team/app") != std::string::npos);
    CHECK(dm.find("cannot connect to 127.0.0.1") != std::string::npos);

    value s = c.wait_for(image_repository, "default", "secured", test::ready_is("False"));
    std::string sm = test::condition_message(s, "Ready");
    CHECK(sm.find("HTTP 401") != std::string::npos);
    CHECK(sm.find("check the credentials") != std::string::npos);
    CHECK(test::condition_reason(s, "Ready") == "ReadOperationFailed");

    // Fixing the Secret is enough: the retry picks the new password up.
    c.apply_yaml(docker_config("right"));
    value fixed =
        c.wait_for(image_repository, "default", "secured", test::ready_is("True"), std::chrono::seconds(60));
    CHECK(
        test::string_at(fixed, {"status", "lastScanResult", "latestTags"}).empty()); // an array, not a string
    CHECK(fixed.find_path({"status", "lastScanResult", "tagCount"})->as_int() == 1);
}

TEST_CASE("after a restart the stored tags are used until the interval is due, without asking the registry",
          "[integration][image]")
{
    auto reg = std::make_unique<test::registry>();
    reg->push_tags("team/app", {"1.0.0", "1.3.0"});
    std::string image = reg->host() + "/team/app";
    temp_dir storage(fs::temp_directory_path(), "image-storage");
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = {},
         .kustomize_controller = {},
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    c.apply_yaml(fmt::format("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
                             "metadata: {{name: app, namespace: default}}\nspec: {{image: \"{}\", interval: "
                             "1h, insecure: true}}\n",
                             image));
    value first = c.wait_for(image_repository, "default", "app", test::ready_is("True"));
    std::string scanned_at = test::string_at(first, {"status", "lastScanResult", "scanTime"});
    CHECK(fs::exists(storage.path() / "tags.db"));

    // With the registry gone, a rescan would fail: the policy must be served from the database.
    c.controller("image").stop();
    reg.reset();
    REQUIRE(c.controller("image").start());
    c.apply_yaml("apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: app, "
                 "namespace: default}\n"
                 "spec: {imageRepositoryRef: {name: app}, policy: {semver: {range: '>=1.0.0'}}}\n");
    value pol = c.wait_for(image_policy, "default", "app", tag_is("1.3.0"));
    CHECK(test::condition_message(pol, "Ready") == "Latest image tag for " + image + " resolved to 1.3.0");
    CHECK(c.controller_logs().find("scan failed") == std::string::npos);
    value repo = c.wait_for(image_repository, "default", "app", test::ready_is("True"));
    CHECK(test::string_at(repo, {"status", "lastScanResult", "scanTime"}) == scanned_at);
}

TEST_CASE("a push branch is created from the checkout branch, built upon later, and a refspec is pushed too",
          "[integration][image]")
{
    loop l("1.0.0", {"1.0.0", "1.1.0"});
    std::string main_before = l.repos.head("fleet", "main");
    l.apply_all("^1.0", "{branch: image-updates, refspec: 'HEAD:refs/heads/review'}");
    auto& c = *l.cluster;
    value pushed = c.wait_for(automation, "default", "fleet", [](const value& o) {
        return test::string_at(o, {"status", "observedSourceRevision"}).starts_with("image-updates@");
    });
    std::string sha = test::string_at(pushed, {"status", "lastPushCommit"});
    CHECK(test::condition_message(pushed, "Ready") ==
          "committed and pushed commit '" + sha +
              "' to branch 'image-updates' and using refspec 'HEAD:refs/heads/review'");
    CHECK(l.repos.head("fleet", "image-updates") == sha);
    CHECK(l.repos.head("fleet", "review") == sha);
    CHECK(l.repos.head("fleet", "main") == main_before);
    CHECK(l.show("image-updates:apps/web.yaml") == deployment(l.image() + ":1.1.0"));

    // The next update builds on the push branch instead of replacing it.
    l.reg.push_tags("team/app", {"1.2.0"});
    value again = c.wait_for(automation, "default", "fleet", [&](const value& o) {
        return test::string_at(o, {"status", "lastPushCommit"}) != sha &&
               !test::string_at(o, {"status", "lastPushCommit"}).empty();
    });
    std::string sha2 = test::string_at(again, {"status", "lastPushCommit"});
    CHECK(l.repos.head("fleet", "image-updates") == sha2);
    CHECK(test::run({"git", "--git-dir", l.repos.bare("fleet").string(), "rev-parse", "image-updates~1"}) ==
          sha + "\n");
    CHECK(l.show("image-updates:apps/web.yaml") == deployment(l.image() + ":1.2.0"));
}

TEST_CASE("automation commits are signed with an OpenPGP key or an SSH key from a Secret, and verify",
          "[integration][image]")
{
    temp_dir keys(fs::temp_directory_path(), "signing-keys");
    fs::path gnupg = keys.path() / "g";
    fs::create_directories(gnupg);
    fs::permissions(gnupg, fs::perms::owner_all, fs::perm_options::replace);
    test::run({"gpg", "--batch", "--homedir", gnupg.string(), "--passphrase", "", "--quick-gen-key",
               "Weir Bot <bot@weir.test>", "ed25519", "sign", "never"});
    std::string armored =
        test::run({"gpg", "--batch", "--homedir", gnupg.string(), "--armor", "--export-secret-keys"});
    test::run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bot@weir.test", "-f",
               (keys.path() / "id").string()});
    std::ifstream id_in(keys.path() / "id");
    std::string identity((std::istreambuf_iterator<char>(id_in)), std::istreambuf_iterator<char>());
    std::ifstream pub_in(keys.path() / "id.pub");
    std::string pub((std::istreambuf_iterator<char>(pub_in)), std::istreambuf_iterator<char>());
    std::ofstream(keys.path() / "allowed") << "bot@weir.test " << pub;

    for (std::string type : {"gpg", "ssh"}) {
        DYNAMIC_SECTION("signed with " << type)
        {
            loop l("1.0.0", {"1.0.0", "1.1.0"});
            std::string key_field = type == "gpg" ? "git.asc" : "identity";
            l.cluster->apply_yaml(
                fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: signing, namespace: default}}\n"
                            "data: {{{}: {}}}\n",
                            key_field, base64_encode(type == "gpg" ? armored : identity)));
            l.apply_all("^1.0", "{branch: main}", "{secretRef: {name: signing}, type: " + type + "}");
            value pushed = l.cluster->wait_for(automation, "default", "fleet", [](const value& o) {
                return !test::string_at(o, {"status", "lastPushCommit"}).empty();
            });
            std::string sha = test::string_at(pushed, {"status", "lastPushCommit"});
            std::vector<std::string> verify{"env", "GNUPGHOME=" + gnupg.string(), "git", "--git-dir",
                                            l.repos.bare("fleet").string()};
            if (type == "ssh") {
                verify.push_back("-c");
                verify.push_back("gpg.ssh.allowedSignersFile=" + (keys.path() / "allowed").string());
            }
            verify.insert(verify.end(), {"verify-commit", "-v", sha});
            std::string out = test::run(verify); // throws (fails the test) on a bad signature
            CHECK(out.find("Good") != std::string::npos);
            CHECK(l.show("main:apps/web.yaml") == deployment(l.image() + ":1.1.0"));
        }
    }
    test::run({"gpgconf", "--homedir", gnupg.string(), "--kill", "gpg-agent"});
}

TEST_CASE("a policy in another namespace may use a repository only when accessFrom selects its namespace",
          "[integration][image]")
{
    test::registry reg;
    reg.push_tags("team/app", {"3.1.0"});
    temp_dir storage(fs::temp_directory_path(), "image-storage");
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = {},
         .kustomize_controller = {},
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    c.apply_yaml(fmt::format(R"(apiVersion: v1
kind: Namespace
metadata: {{name: apps, labels: {{team: a}}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: other}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec:
  image: "{}/team/app"
  interval: 1h
  insecure: true
  accessFrom: {{namespaceSelectors: [{{matchLabels: {{team: a}}}}]}}
)",
                             reg.host()));
    for (std::string ns : {"apps", "other"})
        c.apply_yaml(
            "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: app, namespace: " +
            ns +
            "}\nspec: {imageRepositoryRef: {name: app, namespace: default}, policy: {semver: {range: "
            "'>=1.0.0'}}}\n");
    c.wait_for(image_policy, "apps", "app", tag_is("3.1.0"));
    value denied = c.wait_for(image_policy, "other", "app", test::ready_is("False"));
    CHECK(test::condition_reason(denied, "Ready") == "AccessDenied");
    CHECK(test::condition_message(denied, "Ready").find("does not grant access to namespace 'other'") !=
          std::string::npos);
    CHECK(denied.find_path({"status", "latestRef"}) == nullptr);
}

TEST_CASE("policySelector limits the automation to the labelled policies, other markers stay as they are",
          "[integration][image]")
{
    test::registry reg;
    reg.push_tags("team/app", {"1.0.0", "1.5.0"});
    test::git_repos repos;
    test::git_http_server git{repos.root()};
    std::string image = reg.host() + "/team/app";
    std::string values = "web:\n  tag: 1.0.0 # {\"$imagepolicy\": \"default:selected:tag\"}\n"
                         "worker:\n  tag: 1.0.0 # {\"$imagepolicy\": \"default:ignored:tag\"}\n";
    repos.commit("fleet", "main", {{"values.yaml", values}}, "initial");
    temp_dir storage(fs::temp_directory_path(), "image-storage");
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = {},
         .kustomize_controller = {},
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.path().string()}}}});
    c.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "{}", interval: 1h, ref: {{branch: main}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec: {{image: "{}", interval: 1h, insecure: true}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {{name: selected, namespace: default, labels: {{automation: "yes"}}}}
spec: {{imageRepositoryRef: {{name: app}}, policy: {{semver: {{range: ">=1.0.0"}}}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {{name: ignored, namespace: default}}
spec: {{imageRepositoryRef: {{name: app}}, policy: {{semver: {{range: ">=1.0.0"}}}}}}
)",
                             git.url("fleet"), image));
    c.wait_for(image_policy, "default", "selected", tag_is("1.5.0"));
    c.wait_for(image_policy, "default", "ignored", tag_is("1.5.0"));
    c.apply_yaml(R"(apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: {name: fleet, namespace: default}
spec:
  interval: 1h
  sourceRef: {kind: GitRepository, name: fleet}
  git:
    commit: {author: {email: bot@weir.test}}
  policySelector: {matchLabels: {automation: "yes"}}
)");
    value pushed = c.wait_for(automation, "default", "fleet", [](const value& o) {
        return !test::string_at(o, {"status", "lastPushCommit"}).empty();
    });
    CHECK(test::run({"git", "--git-dir", repos.bare("fleet").string(), "show", "main:values.yaml"}) ==
          "web:\n  tag: 1.5.0 # {\"$imagepolicy\": \"default:selected:tag\"}\n"
          "worker:\n  tag: 1.0.0 # {\"$imagepolicy\": \"default:ignored:tag\"}\n");
    const value* observed = pushed.find_path({"status", "observedPolicies"});
    REQUIRE(observed);
    CHECK(observed->find("selected"));
    CHECK(!observed->find("ignored"));
    CHECK(test::run({"git", "--git-dir", repos.bare("fleet").string(), "log", "-1", "--format=%B"}) ==
          "Update from image update automation\n");
}
