#include <weir/artifact/ignore.hpp>

#include <catch2/catch.hpp>

using weir::artifact::ignore_matcher;

TEST_CASE("flux default exclusions drop VCS and CI and binary files but keep manifests", "[artifact][ignore]")
{
    ignore_matcher m;
    m.add_defaults();
    CHECK(m.match(".git", true));
    CHECK(m.match_path(".git/config", false));
    CHECK(m.match(".github", true));
    CHECK(m.match("logo.png", false));
    CHECK(m.match("docs/img/a.jpg", false));
    CHECK(m.match("deep/dir/.sops.yaml", false));
    CHECK(m.match(".gitlab-ci.yml", false));
    CHECK(m.match("bundle.tar.gz", false));
    CHECK_FALSE(m.match("apps/deploy.yaml", false));
    CHECK_FALSE(m.match("kustomization.yaml", false));
    CHECK_FALSE(m.match(".github", false)); // ".github/" matches directories only
}

TEST_CASE("gitignore negation and anchoring and dir-only and double-star follow git's rules", "[artifact][ignore]")
{
    ignore_matcher m;
    m.add_lines("# comment\n*.yaml\n!keep.yaml\n/root-only.txt\nbuild/\ndocs/**/draft.md\na/**\n");
    CHECK(m.match("x.yaml", false));
    CHECK(m.match("sub/x.yaml", false));
    CHECK_FALSE(m.match("keep.yaml", false));
    CHECK_FALSE(m.match("sub/keep.yaml", false));
    CHECK(m.match("root-only.txt", false));
    CHECK_FALSE(m.match("sub/root-only.txt", false));
    CHECK(m.match("build", true));
    CHECK_FALSE(m.match("build", false));
    CHECK(m.match_path("x/build/out.bin", false));
    CHECK(m.match("docs/draft.md", false));
    CHECK(m.match("docs/a/b/draft.md", false));
    CHECK_FALSE(m.match("other/draft.md", false));
    CHECK(m.match("a/anything/here", false));
    CHECK_FALSE(m.match("a", true));
}

TEST_CASE("patterns from a nested .sourceignore only apply below their directory", "[artifact][ignore]")
{
    ignore_matcher m;
    m.add_lines("*.txt\n/top.md\n", {"apps"});
    CHECK(m.match("apps/notes.txt", false));
    CHECK(m.match("apps/x/notes.txt", false));
    CHECK_FALSE(m.match("notes.txt", false));
    CHECK(m.match("apps/top.md", false));
    CHECK_FALSE(m.match("apps/x/top.md", false));
}

TEST_CASE("character classes and escaped characters in patterns", "[artifact][ignore]")
{
    ignore_matcher m;
    m.add_lines("file[0-9].log\n\\#hash\n?.tmp\n");
    CHECK(m.match("file3.log", false));
    CHECK_FALSE(m.match("filex.log", false));
    CHECK(m.match("#hash", false));
    CHECK(m.match("a.tmp", false));
    CHECK_FALSE(m.match("ab.tmp", false));
}
