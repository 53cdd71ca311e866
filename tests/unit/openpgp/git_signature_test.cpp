// Commits and tags signed by `git commit -S` / `git tag -s` through gpg, fetched into a mirror,
// and verified with libs/openpgp.
#include "gpg_home.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/git/mirror.hpp>
#include <weir/openpgp/openpgp.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using namespace weir;
using weir::test::gpg_home;
namespace fs = std::filesystem;

namespace {

struct signed_repo {
    gpg_home& gpg;
    fs::path work;
    std::string git(std::vector<std::string> args) const
    {
        std::vector<std::string> argv{"env", gpg.env(), "git", "-C", work.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return test::run(argv);
    }
    std::string commit(const std::string& file, const std::string& key) const
    {
        std::ofstream(work / file) << file;
        git({"add", file});
        std::vector<std::string> args{"commit", "-q", "-m", "add " + file};
        if (!key.empty()) args.push_back("-S" + key);
        git(args);
        std::string head = git({"rev-parse", "HEAD"});
        return head.substr(0, 40);
    }
};

} // namespace

TEST_CASE("commits signed with git commit -S by RSA and Ed25519 keys verify against their gpgsig")
{
    gpg_home gpg;
    temp_dir tmp(fs::temp_directory_path(), "gitsig");
    std::string rsa = gpg.generate("RSA Dev <rsa@example.com>", "rsa2048");
    std::string ed = gpg.generate("Ed Dev <ed@example.com>", "ed25519");
    signed_repo repo{gpg, tmp.path() / "work"};
    test::run({"git", "init", "-q", "-b", "main", repo.work.string()});
    repo.git({"config", "user.name", "Dev"});
    repo.git({"config", "user.email", "dev@example.com"});
    std::string c1 = repo.commit("a.txt", rsa);
    std::string c2 = repo.commit("b.txt", ed);
    std::string c3 = repo.commit("c.txt", "");

    git::mirror_cache mirrors(tmp.path() / "mirrors");
    std::string url = "file://" + repo.work.string();
    auto synced = mirrors.sync(url, {.branch = "main"}, {});
    REQUIRE(synced);
    openpgp::keyring keys;
    REQUIRE(keys.add(gpg.export_key(rsa) + gpg.export_key(ed), "keys"));

    for (auto [commit, fpr] : {std::pair{c1, rsa}, std::pair{c2, ed}}) {
        auto s = mirrors.commit_signature(url, commit);
        REQUIRE(s);
        REQUIRE_FALSE(s->signature.empty());
        CHECK(s->payload.find("gpgsig") == std::string::npos);
        auto who = openpgp::verify_detached(keys, s->signature, s->payload);
        INFO((who ? "" : who.err().message));
        REQUIRE(who);
        CHECK(who->key_id == fpr.substr(24));
    }
    auto unsigned_commit = mirrors.commit_signature(url, c3);
    REQUIRE(unsigned_commit);
    CHECK(unsigned_commit->signature.empty());
}

TEST_CASE("a signed annotated tag's signature verifies and sync reports the tag object")
{
    gpg_home gpg;
    temp_dir tmp(fs::temp_directory_path(), "gitsig");
    std::string ed = gpg.generate("Tagger <tagger@example.com>", "ed25519");
    signed_repo repo{gpg, tmp.path() / "work"};
    test::run({"git", "init", "-q", "-b", "main", repo.work.string()});
    repo.git({"config", "user.name", "Dev"});
    repo.git({"config", "user.email", "dev@example.com"});
    std::string c1 = repo.commit("a.txt", "");
    repo.git({"tag", "-s", "-u", ed, "-m", "release", "v1.0.0"});
    repo.git({"tag", "-a", "-m", "unsigned", "v1.0.1"});

    git::mirror_cache mirrors(tmp.path() / "mirrors");
    std::string url = "file://" + repo.work.string();
    // The commit arrives through the branch first: the tag object must still be fetched.
    REQUIRE(mirrors.sync(url, {.branch = "main"}, {}));
    auto synced = mirrors.sync(url, {.tag = "v1.0.0"}, {});
    REQUIRE(synced);
    CHECK(synced->commit == c1);
    REQUIRE(synced->tag_object.size() == 40);
    auto s = mirrors.tag_signature(url, synced->tag_object);
    REQUIRE(s);
    CHECK(s->name == "v1.0.0");
    CHECK(s->target == c1);
    openpgp::keyring keys;
    REQUIRE(keys.add(gpg.export_key(ed), "keys"));
    auto who = openpgp::verify_detached(keys, s->signature, s->payload);
    INFO((who ? "" : who.err().message));
    CHECK(who);

    auto plain = mirrors.sync(url, {.tag = "v1.0.1"}, {});
    REQUIRE(plain);
    auto unsigned_tag = mirrors.tag_signature(url, plain->tag_object);
    REQUIRE(unsigned_tag);
    CHECK(unsigned_tag->signature.empty());
}
