// Webhook verification with payloads in each sender's real format, and the ways they go wrong.
#include "providers/provider.hpp"
#include "receiver_verify.hpp"

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::notification;

namespace {

api::notification::receiver_spec spec(std::string type, std::vector<std::string> events = {})
{
    api::notification::receiver_spec s;
    s.type = std::move(type);
    s.events = std::move(events);
    return s;
}

// A trimmed GitHub push event, as GitHub sends it.
const std::string github_push =
    R"({"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5","repository":{"id":1296269,"full_name":"octocat/Hello-World","clone_url":"https://github.com/octocat/Hello-World.git"},"pusher":{"name":"octocat"},"head_commit":{"id":"59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5","message":"Update README"}})";

webhook_request github(const std::string& body, const std::string& key, const std::string& event = "push")
{
    return {{{"x-github-event", event},
             {"x-hub-signature-256", "sha256=" + providers::hex_hmac_sha256(key, body)},
             {"content-type", "application/json"}},
            body};
}

} // namespace

TEST_CASE("github: a push signed with the receiver token is verified", "[notification][receiver]")
{
    auto v = verify_webhook(spec("github"), "tok3n", github("" + github_push, "tok3n"));
    CHECK(v.status == 200);
    CHECK(v.event == "push");
    CHECK_FALSE(v.ping);
}

TEST_CASE("github: wrong key, altered body or missing signature get 401", "[notification][receiver]")
{
    CHECK(verify_webhook(spec("github"), "tok3n", github(github_push, "other")).status == 401);
    auto replayed = github(github_push, "tok3n");
    replayed.body.replace(replayed.body.find("main"), 4, "prod"); // same signature, altered content
    CHECK(verify_webhook(spec("github"), "tok3n", replayed).status == 401);
    auto unsigned_req = github(github_push, "tok3n");
    unsigned_req.headers.erase("x-hub-signature-256");
    CHECK(verify_webhook(spec("github"), "tok3n", unsigned_req).status == 401);
    auto garbage = github(github_push, "tok3n");
    garbage.headers["x-hub-signature-256"] = "sha256=zz";
    CHECK(verify_webhook(spec("github"), "tok3n", garbage).status == 401);
}

TEST_CASE("github: ping is answered without action and the events list filters", "[notification][receiver]")
{
    auto ping =
        verify_webhook(spec("github", {"push"}), "k", github(R"({"zen":"Keep it simple."})", "k", "ping"));
    CHECK(ping.status == 200);
    CHECK(ping.ping);
    CHECK(verify_webhook(spec("github", {"push"}), "k", github(github_push, "k", "issues")).status == 400);
    CHECK(verify_webhook(spec("github", {"Push"}), "k", github(github_push, "k", "push")).status == 200);
}

TEST_CASE("gitlab: X-Gitlab-Token must equal the token", "[notification][receiver]")
{
    std::string body =
        R"({"object_kind":"push","ref":"refs/heads/main","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","project":{"path_with_namespace":"mike/diaspora"}})";
    webhook_request ok{{{"x-gitlab-token", "tok"}, {"x-gitlab-event", "Push Hook"}}, body};
    CHECK(verify_webhook(spec("gitlab", {"Push Hook"}), "tok", ok).status == 200);
    CHECK(verify_webhook(spec("gitlab", {"Tag Push Hook"}), "tok", ok).status == 400);
    webhook_request wrong{{{"x-gitlab-token", "tok2"}, {"x-gitlab-event", "Push Hook"}}, body};
    CHECK(verify_webhook(spec("gitlab"), "tok", wrong).status == 401);
    webhook_request missing{{{"x-gitlab-event", "Push Hook"}}, body};
    CHECK(verify_webhook(spec("gitlab"), "tok", missing).status == 401);
}

TEST_CASE("bitbucket, generic-hmac and nexus check HMAC signatures, harbor checks Authorization",
          "[notification][receiver]")
{
    std::string body = R"({"eventKey":"repo:refs_changed"})";
    webhook_request bb{{{"x-hub-signature", "sha256=" + providers::hex_hmac_sha256("k", body)},
                        {"x-event-key", "repo:refs_changed"}},
                       body};
    CHECK(verify_webhook(spec("bitbucket"), "k", bb).status == 200);
    CHECK(verify_webhook(spec("bitbucket"), "x", bb).status == 401);

    webhook_request gh{{{"x-signature", "sha256=" + providers::hex_hmac_sha256("k", body)}}, body};
    CHECK(verify_webhook(spec("generic-hmac"), "k", gh).status == 200);
    gh.body += " ";
    CHECK(verify_webhook(spec("generic-hmac"), "k", gh).status == 401);
    CHECK(verify_webhook(spec("generic-hmac"), "k", {{}, body}).status == 401);

    // Nexus signs with HMAC-SHA1 and sends the bare hex.
    CHECK(verify_hmac_header("sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9", "key",
                             "The quick brown fox jumps over the lazy dog"));
    webhook_request nx{{{"x-nexus-webhook-signature", "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"}},
                       "The quick brown fox jumps over the lazy dog"};
    CHECK(verify_webhook(spec("nexus"), "key", nx).status == 200);
    CHECK(verify_webhook(spec("nexus"), "other", nx).status == 401);

    CHECK(verify_webhook(spec("harbor"), "secret", {{{"authorization", "secret"}}, "{}"}).status == 200);
    CHECK(verify_webhook(spec("harbor"), "secret", {{{"authorization", "secreT"}}, "{}"}).status == 401);
}

TEST_CASE("dockerhub, quay and acr need only a JSON body, cdevents needs a CDEvent",
          "[notification][receiver]")
{
    std::string dockerhub =
        R"({"callback_url":"https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/","push_data":{"pushed_at":1417566161,"pusher":"trustedbuilder","tag":"latest"},"repository":{"name":"testhook","namespace":"svendowideit","repo_name":"svendowideit/testhook","repo_url":"https://registry.hub.docker.com/u/svendowideit/testhook/"}})";
    CHECK(verify_webhook(spec("dockerhub"), "t", {{}, dockerhub}).status == 200);
    CHECK(verify_webhook(spec("dockerhub"), "t", {{}, "not json"}).status == 400);
    CHECK(verify_webhook(spec("quay"), "t", {{}, R"({"repository":"x/y","updated_tags":["1.0"]})"}).status ==
          200);
    std::string cd =
        R"({"context":{"version":"0.4.1","id":"1","source":"/ci","type":"dev.cdevents.artifact.published.0.1.1","timestamp":"2026-01-01T00:00:00Z"},"subject":{"id":"pkg:oci/app"}})";
    CHECK(verify_webhook(spec("cdevents"), "t", {{{"ce-type", "dev.cdevents.artifact.published.0.1.1"}}, cd})
              .status == 200);
    CHECK(verify_webhook(spec("cdevents", {"dev.cdevents.service.deployed.0.1.1"}), "t",
                         {{{"ce-type", "dev.cdevents.artifact.published.0.1.1"}}, cd})
              .status == 400);
    CHECK(verify_webhook(spec("cdevents"), "t", {{}, cd}).status == 400);
}

TEST_CASE("webhook path is /hook/ + hex sha256 of token, name and namespace", "[notification][receiver]")
{
    // sha256("tokenappflux-system")
    std::string p = webhook_path("token", "app", "flux-system");
    CHECK(p.starts_with("/hook/"));
    CHECK(p.size() == 6 + 64);
    CHECK(p != webhook_path("token2", "app", "flux-system"));
    CHECK(webhook_path("", "", "") ==
          "/hook/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("requestedAt is written in Go's time.Time String form", "[notification][receiver]")
{
    std::string t = go_time_now();
    // "2026-11-22 10:00:00.123456789 +0000 UTC"
    CHECK(t.size() >= 29);
    CHECK(t[4] == '-');
    CHECK(t[10] == ' ');
    CHECK(t.ends_with(" +0000 UTC"));
}
