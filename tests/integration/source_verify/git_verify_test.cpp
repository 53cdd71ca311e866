// GitRepository spec.verify against the real source-controller: commits signed with `git commit -S`
// and tags signed with `git tag -s` by gpg keys; the Secret holds the armored public keys.
#include "support/local_cluster.hpp"
#include "unit/openpgp/gpg_home.hpp"

#include <weir/core/encoding.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace weir;
namespace fs = std::filesystem;
using test::gpg_home;

namespace {

test::local_cluster_options source_only()
{
    return {.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN};
}

std::string git(const gpg_home& gpg, const fs::path& repo, std::vector<std::string> args)
{
    std::vector<std::string> argv{"env",
                                  gpg.env(),
                                  "git",
                                  "-C",
                                  repo.string(),
                                  "-c",
                                  "user.name=Dev",
                                  "-c",
                                  "user.email=dev@example.com"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv);
}

// Commits a change to a.yaml, signed by `key` (unsigned when empty); the new commit's hash.
std::string commit(const gpg_home& gpg, const fs::path& repo, const std::string& content,
                   const std::string& key)
{
    std::ofstream(repo / "a.yaml") << content;
    git(gpg, repo, {"add", "a.yaml"});
    std::vector<std::string> args{"commit", "-q", "-m", "change"};
    if (!key.empty()) args.push_back("-S" + key);
    git(gpg, repo, args);
    return git(gpg, repo, {"rev-parse", "HEAD"}).substr(0, 40);
}

std::string keys_secret(const std::map<std::string, std::string>& keys)
{
    std::string data;
    for (const auto& [name, text] : keys)
        data += fmt::format("  {}: {}\n", name, base64_encode(text));
    return "apiVersion: v1\nkind: Secret\nmetadata: {name: pgp-keys, namespace: default}\ndata:\n" + data;
}

std::string repository(const std::string& name, const std::string& url, const std::string& ref,
                       const std::string& mode)
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
                       "metadata: {{name: {}, namespace: default}}\n"
                       "spec: {{url: \"{}\", interval: 10m, ref: {}, verify: {{mode: {}, secretRef: {{name: "
                       "pgp-keys}}}}}}\n",
                       name, url, ref, mode);
}

std::string revision_of(const value& obj)
{
    return test::string_at(obj, {"status", "artifact", "revision"});
}

std::function<bool(const value&)> verified_is(std::string status, std::string reason)
{
    return [=](const value& o) {
        return test::condition_status(o, "SourceVerified") == status &&
               test::condition_reason(o, "SourceVerified") == reason;
    };
}

} // namespace

TEST_CASE(
    "GitRepository verify HEAD stores commits signed by trusted RSA and Ed25519 keys and refuses unsigned, "
    "untrusted and altered ones, keeping the last verified artifact",
    "[integration][source][verify]")
{
    gpg_home gpg;
    std::string rsa = gpg.generate("RSA Dev <rsa@example.com>", "rsa2048");
    std::string ed = gpg.generate("Ed Dev <ed@example.com>", "ed25519");
    std::string stranger = gpg.generate("Stranger <x@example.com>", "ed25519");
    test::local_cluster c(source_only());
    fs::path repo = c.make_repo("app", {{"a.yaml", "v: 0\n"}});
    std::string c1 = commit(gpg, repo, "v: 1\n", rsa);
    c.apply_yaml(keys_secret({{"rsa.asc", gpg.export_key(rsa)}, {"ed.asc", gpg.export_key(ed)}}));
    c.apply_yaml(repository("app", "file://" + repo.string(), "{branch: main}", "HEAD"));

    value ready = c.wait_for(test::git_repository_kind, "default", "app", test::ready_is("True"));
    CHECK(revision_of(ready) == "main@sha1:" + c1);
    CHECK(test::condition_status(ready, "SourceVerified") == "True");
    CHECK(test::condition_message(ready, "SourceVerified") ==
          fmt::format("verified signature of commit '{}' with key '{}'", c1, rsa.substr(24)));
    CHECK(test::string_at(ready, {"status", "sourceVerificationMode"}) == "HEAD");

    std::string c2 = commit(gpg, repo, "v: 2\n", ed);
    test::request_reconcile(c, test::git_repository_kind, "app", "ed");
    value by_ed = c.wait_for(test::git_repository_kind, "default", "app",
                             [&](const value& o) { return revision_of(o) == "main@sha1:" + c2; });
    CHECK_THAT(test::condition_message(by_ed, "SourceVerified"), Catch::Contains(ed.substr(24)));

    // Unsigned: refused, the artifact stays at the last verified commit.
    std::string c3 = commit(gpg, repo, "v: 3\n", "");
    test::request_reconcile(c, test::git_repository_kind, "app", "unsigned");
    value unsigned_ =
        c.wait_for(test::git_repository_kind, "default", "app", verified_is("False", "InvalidGitObject"));
    CHECK(test::condition_message(unsigned_, "SourceVerified") ==
          fmt::format("cannot verify signature of commit '{}' since it is not signed", c3));
    CHECK(test::condition_reason(unsigned_, "Ready") == "InvalidGitObject");
    CHECK(revision_of(unsigned_) == "main@sha1:" + c2);
    CHECK(test::condition_status(unsigned_, "FetchFailed").empty());

    // Signed by a key that is not in the Secret: the message names that key.
    commit(gpg, repo, "v: 4\n", stranger);
    test::request_reconcile(c, test::git_repository_kind, "app", "stranger");
    value untrusted = c.wait_for(test::git_repository_kind, "default", "app",
                                 verified_is("False", "InvalidCommitSignature"));
    CHECK_THAT(test::condition_message(untrusted, "SourceVerified"),
               Catch::Contains("signature verification of commit") && Catch::Contains(stranger) &&
                   Catch::Contains("not among the trusted keys"));
    CHECK(revision_of(untrusted) == "main@sha1:" + c2);

    // A trusted signature copied onto different content: the hash no longer matches.
    std::string raw = git(gpg, repo, {"cat-file", "commit", c2});
    auto at = raw.rfind("change");
    REQUIRE(at != std::string::npos);
    raw.replace(at, 6, "chang3");
    fs::path forged_file = c.dir() / "forged";
    std::ofstream(forged_file, std::ios::binary) << raw;
    std::string forged =
        git(gpg, repo, {"hash-object", "-t", "commit", "-w", forged_file.string()}).substr(0, 40);
    git(gpg, repo, {"update-ref", "refs/heads/main", forged});
    test::request_reconcile(c, test::git_repository_kind, "app", "forged");
    value altered = c.wait_for(test::git_repository_kind, "default", "app", [&](const value& o) {
        return test::condition_message(o, "SourceVerified").find(forged) != std::string::npos;
    });
    CHECK(test::condition_reason(altered, "SourceVerified") == "InvalidCommitSignature");
    CHECK_THAT(test::condition_message(altered, "SourceVerified"), Catch::Contains("altered"));
    CHECK(revision_of(altered) == "main@sha1:" + c2);
}

TEST_CASE(
    "GitRepository verify Tag and TagAndHEAD check the signed annotated tag (and its commit), and a tag mode "
    "on a branch reference stalls",
    "[integration][source][verify]")
{
    gpg_home gpg;
    std::string ed = gpg.generate("Release <rel@example.com>", "ed25519");
    std::string p256 = gpg.generate("Dev <p256@example.com>", "nistp256");
    test::local_cluster c(source_only());
    fs::path repo = c.make_repo("app", {{"a.yaml", "v: 0\n"}});
    std::string signed_commit = commit(gpg, repo, "v: 1\n", p256);
    git(gpg, repo, {"tag", "-s", "-u", ed, "-m", "release 1.0.0", "v1.0.0"});
    std::string tag_object = git(gpg, repo, {"rev-parse", "v1.0.0"}).substr(0, 40);
    c.apply_yaml(keys_secret({{"release.asc", gpg.export_key(ed) + gpg.export_key(p256)}}));
    c.apply_yaml(repository("tag", "file://" + repo.string(), "{tag: v1.0.0}", "Tag"));
    c.apply_yaml(repository("both", "file://" + repo.string(), "{semver: '>=1.0.0'}", "TagAndHEAD"));
    c.apply_yaml(repository("branch", "file://" + repo.string(), "{branch: main}", "Tag"));

    value tag = c.wait_for(test::git_repository_kind, "default", "tag", test::ready_is("True"));
    CHECK(test::condition_message(tag, "SourceVerified") ==
          fmt::format("verified signature of\n\t- tag 'v1.0.0@{}' with key '{}'", tag_object, ed.substr(24)));
    value both = c.wait_for(test::git_repository_kind, "default", "both", test::ready_is("True"));
    CHECK(
        test::condition_message(both, "SourceVerified") ==
        fmt::format("verified signature of\n\t- tag 'v1.0.0@{}' with key '{}'\n\t- commit '{}' with key '{}'",
                    tag_object, ed.substr(24), signed_commit, p256.substr(24)));
    CHECK(test::string_at(both, {"status", "sourceVerificationMode"}) == "TagAndHEAD");

    value branch = c.wait_for(test::git_repository_kind, "default", "branch",
                              [](const value& o) { return test::condition_status(o, "Stalled") == "True"; });
    CHECK(test::condition_reason(branch, "Stalled") == "InvalidVerificationMode");
    CHECK_THAT(test::condition_message(branch, "SourceVerified"),
               Catch::Contains("tag reference is not specified"));
    CHECK_FALSE(branch.find_path({"status", "artifact"}));

    // An unsigned annotated tag under mode Tag is refused.
    commit(gpg, repo, "v: 2\n", p256);
    git(gpg, repo, {"tag", "-a", "-m", "unsigned", "v1.1.0"});
    c.apply_yaml(repository("unsigned-tag", "file://" + repo.string(), "{tag: v1.1.0}", "Tag"));
    value unsigned_tag = c.wait_for(test::git_repository_kind, "default", "unsigned-tag",
                                    verified_is("False", "InvalidGitObject"));
    CHECK_THAT(test::condition_message(unsigned_tag, "SourceVerified"),
               Catch::Contains("tag 'v1.1.0@") && Catch::Contains("not signed"));
}

TEST_CASE("GitRepository verify with a missing key Secret reports VerificationError and stores nothing",
          "[integration][source][verify]")
{
    gpg_home gpg;
    test::local_cluster c(source_only());
    fs::path repo = c.make_repo("app", {{"a.yaml", "v: 0\n"}});
    c.apply_yaml(repository("app", "file://" + repo.string(), "{branch: main}", "HEAD"));
    value failed =
        c.wait_for(test::git_repository_kind, "default", "app", verified_is("False", "VerificationError"));
    CHECK_THAT(test::condition_message(failed, "SourceVerified"),
               Catch::Contains("PGP public keys secret error") && Catch::Contains("default/pgp-keys"));
    CHECK_FALSE(failed.find_path({"status", "artifact"}));
}
