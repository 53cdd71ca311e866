#include "git_test_util.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/fetcher.hpp>
#include <weir/git/mirror.hpp>

#include <fstream>

#include <catch2/catch.hpp>

using namespace weir::git;
using namespace weir::test;

TEST_CASE("https basic auth: the right password fetches and a wrong one is AuthenticationFailed", "[git][auth]")
{
    git_repos repos;
    auto c = repos.commit("app", "main", {{"a", "1"}}, "one");
    git_http_server http(repos.root(), {.username = "bot", .password = "s3cret"});
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = http.url("app");
    auto good = cache.sync(url, {.branch = "main"}, {.username = "bot", .password = "s3cret"});
    INFO((good ? std::string() : good.err().message));
    REQUIRE(good);
    CHECK(good->commit == c);

    auto wrong = cache.sync(url, {.branch = "main"}, {.username = "bot", .password = "nope"});
    REQUIRE_FALSE(wrong);
    INFO(wrong.err().message);
    CHECK(wrong.err().reason == "AuthenticationFailed");
    CHECK(wrong.err().terminal());
    CHECK(wrong.err().message.find("check the credentials") != std::string::npos);

    auto none = cache.sync(url, {.branch = "main"}, {});
    REQUIRE_FALSE(none);
    CHECK(none.err().reason == "AuthenticationFailed");
    CHECK(none.err().message.find("secretRef") != std::string::npos);
}

TEST_CASE("a bearer token is sent as an Authorization header", "[git][auth]")
{
    git_repos repos;
    auto c = repos.commit("app", "main", {{"a", "1"}}, "one");
    git_http_server http(repos.root(), {.bearer_token = "tok-123"});
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto good = cache.sync(http.url("app"), {.branch = "main"}, {.bearer_token = "tok-123"});
    REQUIRE(good);
    CHECK(good->commit == c);
    auto wrong = cache.sync(http.url("app"), {.branch = "main"}, {.bearer_token = "other"});
    REQUIRE_FALSE(wrong);
    CHECK(wrong.err().reason == "AuthenticationFailed");
}

TEST_CASE("https with a custom CA is trusted only with that CA", "[git][tls]")
{
    git_repos repos;
    auto c = repos.commit("app", "main", {{"a", "1"}}, "one");
    git_http_server https(repos.root(), {.tls = true});
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = https.url("app");
    auto untrusted = cache.sync(url, {.branch = "main"}, {});
    REQUIRE_FALSE(untrusted);
    INFO(untrusted.err().message);
    CHECK(untrusted.err().reason == "CertificateInvalid");
    CHECK(untrusted.err().terminal());
    auto good = cache.sync(url, {.branch = "main"}, {.ca_pem = https.ca_pem()});
    REQUIRE(good);
    CHECK(good->commit == c);
}

TEST_CASE("ssh with a key and known_hosts fetches; host keys are always checked", "[git][ssh]")
{
    git_repos repos;
    auto c = repos.commit("app", "main", {{"a", "1"}}, "one");
    ssh_server sshd(repos.root());
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto url = sshd.url("app");

    auto good = cache.sync(url, {.branch = "main"}, {.ssh_private_key = sshd.user_key(), .known_hosts = sshd.known_hosts()});
    INFO((good ? std::string() : good.err().message));
    REQUIRE(good);
    CHECK(good->commit == c);

    auto pass = cache.sync(url, {.branch = "main"},
                           {.ssh_private_key = sshd.user_key_with_passphrase(), .ssh_passphrase = "secret",
                            .known_hosts = sshd.known_hosts()});
    INFO((pass ? std::string() : pass.err().message));
    CHECK(pass);

    auto changed = cache.sync(url, {.branch = "main"}, {.ssh_private_key = sshd.user_key(), .known_hosts = sshd.other_known_hosts()});
    REQUIRE_FALSE(changed);
    CHECK(changed.err().reason == "HostKeyMismatch");
    CHECK(changed.err().terminal());

    auto unknown = cache.sync(url, {.branch = "main"},
                              {.ssh_private_key = sshd.user_key(), .known_hosts = "[example.org]:22 ecdsa-sha2-nistp256 AAAA\n"});
    REQUIRE_FALSE(unknown);
    INFO(unknown.err().message);
    CHECK(unknown.err().reason == "HostKeyUnknown");
    CHECK(unknown.err().message.find("not in known_hosts") != std::string::npos);

    auto no_kh = cache.sync(url, {.branch = "main"}, {.ssh_private_key = sshd.user_key()});
    REQUIRE_FALSE(no_kh);
    CHECK(no_kh.err().reason == "HostKeyUnknown");
}

TEST_CASE("ssh with a key the server does not accept is AuthenticationFailed", "[git][ssh]")
{
    git_repos repos;
    repos.commit("app", "main", {{"a", "1"}}, "one");
    ssh_server sshd(repos.root());
    ssh_server other(repos.root()); // its user key is not authorized on sshd
    temp_dir tmp;
    mirror_cache cache(tmp / "m");
    auto r = cache.sync(sshd.url("app"), {.branch = "main"}, {.ssh_private_key = other.user_key(), .known_hosts = sshd.known_hosts()});
    REQUIRE_FALSE(r);
    INFO(r.err().message);
    CHECK(r.err().reason == "AuthenticationFailed");
    CHECK(r.err().terminal());
}

TEST_CASE("the artifact fetcher verifies https servers against the given CA", "[git][tls][fetch]")
{
    // git http-backend serves a repository's HEAD file as plain text: a handy https peer.
    git_repos repos;
    repos.commit("app", "main", {{"a", "1"}}, "one");
    git_http_server https(repos.root(), {.tls = true});
    temp_dir tmp;
    std::ofstream(tmp / "ca.crt") << https.ca_pem();
    auto url = https.url("app") + "/HEAD";
    auto head = std::string("ref: refs/heads/main\n");
    auto good = weir::artifact::download(url, weir::artifact::digest_of(head), tmp / "head",
                                         {.ca_file = (tmp / "ca.crt").string()});
    INFO((good ? std::string() : good.err().message));
    REQUIRE(good);
    CHECK(slurp_file(tmp / "head") == head);
    auto untrusted = weir::artifact::download(url, "", tmp / "head2");
    REQUIRE_FALSE(untrusted);
    CHECK(untrusted.err().message.find("TLS handshake") != std::string::npos);
}
