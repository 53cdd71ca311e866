#include "git_test_util.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/git/mirror.hpp>

#include <catch2/catch.hpp>

#include <cstring>

using namespace weir::git;
using namespace weir::test;
namespace fs = std::filesystem;

TEST_CASE("a new commit gives a new revision and checkout; the same commit is a no-op", "[git][mirror]")
{
    git_repos repos;
    auto c1 = repos.commit("app", "main", {{"deploy.yaml", "v: 1\n"}, {"dir/run.sh", "#!/bin/sh\n"}}, "one");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "mirrors");
    auto url = daemon.url("app");

    auto s1 = cache.sync(url, {.branch = "main"}, {});
    REQUIRE(s1);
    CHECK(s1->commit == c1);
    CHECK(s1->revision == "main@sha1:" + c1);
    CHECK(s1->fetched);
    CHECK_FALSE(s1->unchanged);
    auto co = cache.checkout(url, s1->commit, tmp / "co1");
    REQUIRE(co);
    CHECK(co->files == 2);
    CHECK(slurp_file(tmp / "co1/deploy.yaml") == "v: 1\n");
    CHECK_FALSE(fs::exists(tmp / "co1/.git"));

    auto again = cache.sync(url, {.branch = "main"}, {}, s1->revision);
    REQUIRE(again);
    CHECK(again->unchanged);
    CHECK_FALSE(again->fetched);

    auto c2 = repos.commit("app", "main", {{"deploy.yaml", "v: 2\n"}}, "two");
    auto s2 = cache.sync(url, {.branch = "main"}, {}, s1->revision);
    REQUIRE(s2);
    CHECK_FALSE(s2->unchanged);
    CHECK(s2->fetched);
    CHECK(s2->revision == "main@sha1:" + c2);
    REQUIRE(cache.checkout(url, s2->commit, tmp / "co2"));
    CHECK(slurp_file(tmp / "co2/deploy.yaml") == "v: 2\n");
}

TEST_CASE("tags and annotated tags and semver ranges resolve to the tagged commit", "[git][mirror]")
{
    git_repos repos;
    auto c1 = repos.commit("app", "main", {{"a", "1"}}, "one");
    auto c2 = repos.commit("app", "main", {{"a", "2"}}, "two");
    auto c3 = repos.commit("app", "main", {{"a", "3"}}, "three");
    repos.tag("app", "v1.0.0", c1);
    repos.tag("app", "v1.1.0", c2, "annotated release");
    repos.tag("app", "v2.0.0", c3);
    repos.tag("app", "not-a-version", c3);
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = repos.file_url("app");

    auto t = cache.sync(url, {.tag = "v1.0.0"}, {});
    REQUIRE(t);
    CHECK(t->revision == "v1.0.0@sha1:" + c1);
    auto annotated = cache.sync(url, {.tag = "v1.1.0"}, {});
    REQUIRE(annotated);
    CHECK(annotated->revision == "v1.1.0@sha1:" + c2); // peeled to the commit
    auto range = cache.sync(url, {.semver = "1.x"}, {});
    REQUIRE(range);
    CHECK(range->revision == "v1.1.0@sha1:" + c2);
    auto newest = cache.sync(url, {.semver = ">=1.0.0"}, {});
    REQUIRE(newest);
    CHECK(newest->revision == "v2.0.0@sha1:" + c3);
    REQUIRE(cache.checkout(url, range->commit, tmp / "co"));
    CHECK(slurp_file(tmp / "co/a") == "2");

    auto none = cache.sync(url, {.semver = ">=3.0.0"}, {});
    REQUIRE_FALSE(none);
    CHECK(none.err().reason == "ReferenceNotFound");
    auto bad = cache.sync(url, {.semver = ">=x.y"}, {});
    REQUIRE_FALSE(bad);
    CHECK(bad.err().terminal());
}

TEST_CASE("name and commit references select exactly that commit", "[git][mirror]")
{
    git_repos repos;
    auto c1 = repos.commit("app", "main", {{"a", "1"}}, "one");
    auto c2 = repos.commit("app", "main", {{"a", "2"}}, "two");
    run({"git", "--git-dir", repos.bare("app").string(), "update-ref", "refs/pull/1/head", c1});
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = daemon.url("app");

    auto pr = cache.sync(url, {.name = "refs/pull/1/head"}, {});
    REQUIRE(pr);
    CHECK(pr->revision == "refs/pull/1/head@sha1:" + c1);
    auto commit = cache.sync(url, {.commit = c1}, {});
    REQUIRE(commit);
    CHECK(commit->revision == "sha1:" + c1);
    auto with_branch = cache.sync(url, {.branch = "main", .commit = c2}, {});
    REQUIRE(with_branch);
    CHECK(with_branch->revision == "main@sha1:" + c2);
    auto missing = cache.sync(url, {.commit = std::string(40, 'e')}, {});
    REQUIRE_FALSE(missing);
    CHECK(missing.err().reason == "ReferenceNotFound");
    auto bad = cache.sync(url, {.commit = "abc"}, {});
    REQUIRE_FALSE(bad);
    CHECK(bad.err().terminal());
}

TEST_CASE("a force-pushed branch moves the mirror to the new tip", "[git][mirror]")
{
    git_repos repos;
    repos.commit("app", "main", {{"a", "base"}}, "base");
    auto old_tip = repos.commit("app", "main", {{"a", "old"}}, "old");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = daemon.url("app");
    auto s1 = cache.sync(url, {.branch = "main"}, {});
    REQUIRE(s1);
    CHECK(s1->commit == old_tip);
    auto new_tip = repos.force_push("app", "main", {{"a", "rewritten"}}, "rewritten");
    auto s2 = cache.sync(url, {.branch = "main"}, {}, s1->revision);
    REQUIRE(s2);
    CHECK(s2->commit == new_tip);
    CHECK_FALSE(s2->unchanged);
    REQUIRE(cache.checkout(url, s2->commit, tmp / "co"));
    CHECK(slurp_file(tmp / "co/a") == "rewritten");
}

TEST_CASE("an empty repository and a missing branch are clear transient errors", "[git][mirror]")
{
    git_repos repos;
    repos.create("empty");
    repos.commit("app", "main", {{"a", "1"}}, "one");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto empty = cache.sync(daemon.url("empty"), {.branch = "main"}, {});
    REQUIRE_FALSE(empty);
    CHECK(empty.err().reason == "EmptyRepository");
    CHECK_FALSE(empty.err().terminal());
    CHECK(empty.err().message.find("is empty") != std::string::npos);

    auto missing = cache.sync(daemon.url("app"), {.branch = "nope"}, {});
    REQUIRE_FALSE(missing);
    CHECK(missing.err().reason == "ReferenceNotFound");
    CHECK(missing.err().message.find("branch 'nope'") != std::string::npos);

    auto no_repo = cache.sync(daemon.url("does-not-exist"), {.branch = "main"}, {});
    REQUIRE_FALSE(no_repo);
    INFO(no_repo.err().message);
    CHECK(no_repo.err().reason == "RepositoryNotFound");
}

TEST_CASE("an unreachable server is a transient Unreachable error", "[git][mirror]")
{
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto port = free_port(); // nothing listens there
    auto r = cache.sync("git://127.0.0.1:" + std::to_string(port) + "/app.git", {.branch = "main"}, {});
    REQUIRE_FALSE(r);
    INFO(r.err().message);
    CHECK(r.err().reason == "Unreachable");
    CHECK_FALSE(r.err().terminal());
    auto h = cache.sync("http://127.0.0.1:" + std::to_string(port) + "/app.git", {.branch = "main"}, {});
    REQUIRE_FALSE(h);
    CHECK(h.err().reason == "Unreachable");
}

TEST_CASE("a symlink pointing outside the repository is checked out but kept out of the artifact", "[git][mirror]")
{
    git_repos repos;
    repos.add_symlink("app", "escape", "../../../../etc/passwd");
    repos.add_symlink("app", "inside", "a.yaml");
    auto c = repos.commit("app", "main", {{"a.yaml", "a: 1\n"}}, "links");
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = repos.file_url("app");
    auto s = cache.sync(url, {.branch = "main"}, {});
    REQUIRE(s);
    REQUIRE(cache.checkout(url, c, tmp / "co"));
    CHECK(fs::is_symlink(tmp / "co/escape"));
    auto built = weir::artifact::build_tarball(tmp / "co", tmp / "a.tar.gz");
    REQUIRE(built);
    CHECK(built->skipped == std::vector<std::string>{"escape"});
    REQUIRE(weir::artifact::extract_tarball(tmp / "a.tar.gz", tmp / "x"));
    CHECK_FALSE(fs::exists(fs::symlink_status(tmp / "x/escape")));
    CHECK(slurp_file(tmp / "x/inside") == "a: 1\n");
}

TEST_CASE("a large file goes through fetch and checkout and archive intact", "[git][mirror]")
{
    git_repos repos;
    std::string big(24u << 20, '\0');
    std::uint64_t x = 88172645463325252ull; // xorshift: incompressible enough to be honest
    for (std::size_t i = 0; i < big.size(); i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::memcpy(&big[i], &x, 8);
    }
    auto c = repos.commit("app", "main", {{"big.bin", big}}, "big");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = daemon.url("app");
    REQUIRE(cache.sync(url, {.branch = "main"}, {}));
    auto co = cache.checkout(url, c, tmp / "co");
    REQUIRE(co);
    CHECK(co->bytes == big.size());
    CHECK(weir::artifact::file_digest(tmp / "co/big.bin").value() == weir::artifact::digest_of(big));
    REQUIRE(weir::artifact::build_tarball(tmp / "co", tmp / "a.tar.gz"));
    REQUIRE(weir::artifact::extract_tarball(tmp / "a.tar.gz", tmp / "x"));
    CHECK(weir::artifact::file_digest(tmp / "x/big.bin").value() == weir::artifact::digest_of(big));
}

TEST_CASE("ls_remote lists branches and tags with peeled commits", "[git][mirror]")
{
    git_repos repos;
    auto c1 = repos.commit("app", "main", {{"a", "1"}}, "one");
    repos.tag("app", "v1", c1, "annotated");
    git_daemon daemon(repos.root());
    auto refs = ls_remote(daemon.url("app"), {});
    REQUIRE(refs);
    std::map<std::string, std::string> m;
    for (auto& r : *refs) m[r.name] = r.target;
    CHECK(m["refs/heads/main"] == c1);
    CHECK(m["refs/tags/v1"] == c1);
}

TEST_CASE("an archive built from the object store has the bytes of the checkout's tarball", "[git][archive]")
{
    git_repos repos;
    repos.add_symlink("app", "link", "a/x.yaml");
    repos.add_symlink("app", "escape", "../outside");
    repos.add_symlink("app", "self", ".");
    repos.add_symlink("app", "up", "self/..");
    auto c = repos.commit("app", "main",
                          {{"a.yaml", "file before dir in git order\n"}, {"a/x.yaml", "x\n"}, {"a/b/deep.yaml", "d\n"},
                           {"a/notes.txt", "ignored by a/.sourceignore\n"}, {"a/.sourceignore", "*.txt\n"},
                           {"top.txt", "kept: the rule is scoped to a/\n"}, {"logo.png", "default exclusion\n"},
                           {"keep.png", "re-included by spec.ignore\n"}, {".github/workflows/ci.yaml", "ci\n"}},
                          "tree");
    run({"chmod", "+x", (repos.root().string() + ".work/app/a/x.yaml")});
    c = repos.commit("app", "main", {{"a/x.yaml", "x\n"}}, "exec bit");
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = repos.file_url("app");
    REQUIRE(cache.sync(url, {.branch = "main"}, {}));

    weir::artifact::ignore_matcher defaults, overrides;
    defaults.add_defaults();
    overrides.add_lines("!keep.png\n");
    auto from_tree = cache.archive(url, c, tmp / "tree.tar.gz", {.defaults = &defaults, .overrides = &overrides});
    REQUIRE(from_tree);

    REQUIRE(cache.checkout(url, c, tmp / "co"));
    weir::artifact::ignore_matcher layered;
    layered.add_defaults();
    layered.add_sourceignore_files(tmp / "co");
    layered.add_lines("!keep.png\n");
    auto from_dir = weir::artifact::build_tarball(tmp / "co", tmp / "dir.tar.gz", {.ignore = &layered});
    REQUIRE(from_dir);
    CHECK(from_tree->digest == from_dir->digest);
    CHECK(slurp_file(tmp / "tree.tar.gz") == slurp_file(tmp / "dir.tar.gz"));
    CHECK(from_tree->skipped == std::vector<std::string>{"escape", "up"});

    REQUIRE(weir::artifact::extract_tarball(tmp / "tree.tar.gz", tmp / "x"));
    CHECK(fs::exists(tmp / "x/keep.png"));
    CHECK_FALSE(fs::exists(tmp / "x/logo.png"));
    CHECK_FALSE(fs::exists(tmp / "x/a/notes.txt"));
    CHECK(fs::exists(tmp / "x/top.txt"));
    CHECK_FALSE(fs::exists(tmp / "x/.github"));
    CHECK(slurp_file(tmp / "x/link") == "x\n");
}

TEST_CASE("submodules are fetched from their own mirrors and included when asked", "[git][submodules]")
{
    git_repos repos;
    repos.commit("lib", "main", {{"lib.yaml", "lib: 1\n"}}, "lib");
    repos.commit("app", "main", {{"app.yaml", "app: 1\n"}}, "app");
    repos.add_submodule("app", "vendor/lib", "lib");
    auto c = repos.commit("app", "main", {{"app.yaml", "app: 2\n"}}, "with submodule");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = daemon.url("app");
    REQUIRE(cache.sync(url, {.branch = "main"}, {}));

    auto plain = cache.checkout(url, c, tmp / "plain");
    REQUIRE(plain);
    CHECK(plain->skipped == std::vector<std::string>{"vendor/lib"});
    CHECK_FALSE(fs::exists(tmp / "plain/vendor/lib/lib.yaml"));

    auto not_fetched = cache.checkout(url, c, tmp / "early", true);
    REQUIRE_FALSE(not_fetched);
    CHECK(not_fetched.err().message.find("vendor/lib") != std::string::npos);

    auto synced = cache.sync_submodules(url, c, {});
    INFO((synced ? std::string() : synced.err().message));
    REQUIRE(synced);
    auto full = cache.checkout(url, c, tmp / "full", true);
    REQUIRE(full);
    CHECK(slurp_file(tmp / "full/vendor/lib/lib.yaml") == "lib: 1\n");

    weir::artifact::ignore_matcher defaults;
    defaults.add_defaults();
    auto from_tree = cache.archive(url, c, tmp / "t.tar.gz", {.defaults = &defaults, .submodules = true});
    REQUIRE(from_tree);
    auto from_dir = weir::artifact::build_tarball(tmp / "full", tmp / "d.tar.gz", {.ignore = &defaults});
    REQUIRE(from_dir);
    CHECK(from_tree->digest == from_dir->digest);
}
