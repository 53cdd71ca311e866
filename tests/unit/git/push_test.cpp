#include "git_test_util.hpp"

#include <weir/git/push.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using namespace weir::git;
using namespace weir::test;

TEST_CASE("commit_all and push publish a change as a fast-forward", "[git][push]")
{
    git_repos repos;
    repos.commit("app", "main", {{"image.yaml", "image: a:1\n"}}, "one");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    REQUIRE(clone_worktree(daemon.url("app"), "main", tmp / "wt", {}));
    auto nothing = commit_all(tmp / "wt", {.author_name = "weir", .author_email = "weir@example.org", .message = "noop"});
    REQUIRE(nothing);
    CHECK(nothing->empty());

    std::ofstream(tmp / "wt/image.yaml") << "image: a:2\n";
    std::ofstream(tmp / "wt/new.yaml") << "new: true\n";
    auto sha = commit_all(tmp / "wt", {.author_name = "weir", .author_email = "weir@example.org", .message = "update"});
    REQUIRE(sha);
    REQUIRE(sha->size() == 40);
    auto pushed = push(tmp / "wt", "main", {});
    INFO((pushed ? std::string() : pushed.err().message));
    REQUIRE(pushed);
    CHECK(repos.head("app", "main") == *sha);
    CHECK(run({"git", "--git-dir", repos.bare("app").string(), "show", "main:image.yaml"}) == "image: a:2\n");
}

TEST_CASE("a push that is not a fast-forward is refused and nothing is forced", "[git][push]")
{
    git_repos repos;
    repos.commit("app", "main", {{"a", "1"}}, "one");
    git_daemon daemon(repos.root());
    temp_dir tmp;
    REQUIRE(clone_worktree(daemon.url("app"), "main", tmp / "wt", {}));
    auto theirs = repos.commit("app", "main", {{"a", "theirs"}}, "someone else");
    std::ofstream(tmp / "wt/a") << "ours";
    REQUIRE(commit_all(tmp / "wt", {.author_name = "weir", .author_email = "w@example.org", .message = "ours"}));
    auto r = push(tmp / "wt", "main", {});
    REQUIRE_FALSE(r);
    INFO(r.err().message);
    CHECK(r.err().reason == "NonFastForward");
    CHECK_FALSE(r.err().terminal());
    CHECK(repos.head("app", "main") == theirs);
}
