// Each provider's request as its service documents it: URL, method, headers and JSON body.
#include "providers/provider.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::notification;

namespace {

eventsink::flux_event sample(std::string severity = "error")
{
    eventsink::flux_event ev;
    ev.involved_object = {"Kustomization", "apps", "webapp", "uid-1", "kustomize.toolkit.fluxcd.io/v1", "42"};
    ev.severity = std::move(severity);
    ev.timestamp = "2026-11-22T10:00:00Z";
    ev.message = "health check failed after 30s";
    ev.reason = "HealthCheckFailed";
    ev.metadata = {
        {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:0123456789abcdef0123456789abcdef01234567"},
        {"summary", "prod cluster"}};
    ev.reporting_controller = "kustomize-controller";
    return ev;
}

http_request one(const provider_config& cfg, const eventsink::flux_event& ev)
{
    auto r = build_requests(cfg, ev);
    REQUIRE(r);
    REQUIRE(r->size() == 1);
    return r->front();
}

value body_of(const http_request& r)
{
    auto v = parse_json(r.body);
    REQUIRE(v);
    return *v;
}

} // namespace

TEST_CASE("generic provider posts the Flux event JSON with the Gotk-Component header",
          "[notification][providers]")
{
    auto r = one({.type = "generic", .address = "http://hook.example/x", .headers = {{"X-Team", "ops"}}},
                 sample());
    CHECK(r.method == "POST");
    CHECK(r.url == "http://hook.example/x");
    CHECK(r.header("Gotk-Component") == "kustomize-controller");
    CHECK(r.header("X-Team") == "ops");
    value b = body_of(r);
    CHECK(b.find_path({"involvedObject", "kind"})->as_string() == "Kustomization");
    CHECK(b.find_path({"involvedObject", "namespace"})->as_string() == "apps");
    CHECK(b.get_string("severity") == "error");
    CHECK(b.get_string("reason") == "HealthCheckFailed");
    CHECK(b.get_string("reportingController") == "kustomize-controller");
    CHECK(b.find_path({"metadata", "kustomize.toolkit.fluxcd.io/revision"}) != nullptr);
}

TEST_CASE("generic-hmac signs the exact body with X-Signature sha256=<hex hmac>", "[notification][providers]")
{
    auto r = one({.type = "generic-hmac", .address = "http://hook.example/x", .token = "s3cret"}, sample());
    CHECK(r.header("X-Signature") == "sha256=" + providers::hex_hmac_sha256("s3cret", r.body));
    // Known vector (RFC 4231 style check of the helper itself).
    CHECK(providers::hex_hmac_sha256("key", "The quick brown fox jumps over the lazy dog") ==
          "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    CHECK_FALSE(build_requests({.type = "generic-hmac", .address = "http://h/"}, sample()));
}

TEST_CASE("slack, discord and rocket send Slack attachments coloured by severity",
          "[notification][providers]")
{
    auto r = one({.type = "slack",
                  .address = "https://hooks.slack.com/services/T/B/X",
                  .channel = "ops",
                  .username = "flux"},
                 sample());
    value b = body_of(r);
    CHECK(b.get_string("channel") == "ops");
    CHECK(b.get_string("username") == "flux");
    const value& a = b.find("attachments")->as_array().at(0);
    CHECK(a.get_string("color") == "danger");
    CHECK(a.get_string("author_name") == "Kustomization/webapp.apps");
    CHECK(a.get_string("text") == "health check failed after 30s");
    CHECK(a.find("fields")->as_array().size() == 2);
    CHECK(body_of(one({.type = "slack", .address = "https://x/y"}, sample("info")))
              .find("attachments")
              ->as_array()[0]
              .get_string("color") == "good");

    auto bot = one({.type = "slack", .token = "xoxb-1"}, sample());
    CHECK(bot.url == "https://slack.com/api/chat.postMessage");
    CHECK(bot.header("Authorization") == "Bearer xoxb-1");

    CHECK(one({.type = "discord", .address = "https://discord.com/api/webhooks/1/abc"}, sample()).url ==
          "https://discord.com/api/webhooks/1/abc/slack");
    CHECK(one({.type = "rocket", .address = "https://rocket.example/hooks/x"}, sample()).url ==
          "https://rocket.example/hooks/x");
}

TEST_CASE("msteams sends a MessageCard to Office connectors and an Adaptive Card to workflows",
          "[notification][providers]")
{
    value legacy =
        body_of(one({.type = "msteams", .address = "https://org.webhook.office.com/webhookb2/x"}, sample()));
    CHECK(legacy.get_string("@type") == "MessageCard");
    CHECK(legacy.get_string("themeColor") == "FF0000");
    CHECK(legacy.find("sections")->as_array()[0].get_string("activitySubtitle") ==
          "health check failed after 30s");

    value card = body_of(
        one({.type = "msteams", .address = "https://prod.westeurope.logic.azure.com/workflows/x"}, sample()));
    CHECK(card.get_string("type") == "message");
    const value& att = card.find("attachments")->as_array()[0];
    CHECK(att.get_string("contentType") == "application/vnd.microsoft.card.adaptive");
    CHECK(att.find_path({"content", "type"})->as_string() == "AdaptiveCard");
}

TEST_CASE("googlechat, webex, telegram, matrix and lark use each service's message shape",
          "[notification][providers]")
{
    value gc = body_of(
        one({.type = "googlechat", .address = "https://chat.googleapis.com/v1/spaces/x/messages"}, sample()));
    CHECK(gc.find("cards")->as_array()[0].find_path({"header", "title"})->as_string() ==
          "Kustomization/webapp.apps");

    auto wx = one({.type = "webex", .channel = "room1", .token = "t"}, sample());
    CHECK(wx.url == "https://webexapis.com/v1/messages");
    CHECK(wx.header("Authorization") == "Bearer t");
    CHECK(body_of(wx).get_string("roomId") == "room1");

    auto tg = one({.type = "telegram", .channel = "-100", .token = "123:abc"}, sample());
    CHECK(tg.url == "https://api.telegram.org/bot123:abc/sendMessage");
    value tgb = body_of(tg);
    CHECK(tgb.get_string("chat_id") == "-100");
    CHECK(tgb.get_string("parse_mode") == "MarkdownV2");
    CHECK(tgb.get_string("text").find("Kustomization/webapp\\.apps") != std::string::npos);

    auto mx = one(
        {.type = "matrix", .address = "https://matrix.example", .channel = "!room:example", .token = "tok"},
        sample());
    CHECK(mx.method == "PUT");
    CHECK(mx.url.starts_with(
        "https://matrix.example/_matrix/client/r0/rooms/%21room%3Aexample/send/m.room.message/"));
    CHECK(body_of(mx).get_string("msgtype") == "m.text");

    value lk = body_of(
        one({.type = "lark", .address = "https://open.larksuite.com/open-apis/bot/v2/hook/x"}, sample()));
    CHECK(lk.get_string("msg_type") == "interactive");
    CHECK(lk.find_path({"card", "header", "template"})->as_string() == "red");
}

TEST_CASE("incident providers: opsgenie, pagerduty, alertmanager, grafana, sentry, datadog",
          "[notification][providers]")
{
    auto og = one({.type = "opsgenie", .token = "key"}, sample());
    CHECK(og.url == "https://api.opsgenie.com/v2/alerts");
    CHECK(og.header("Authorization") == "GenieKey key");
    CHECK(body_of(og).get_string("description") == "health check failed after 30s");

    auto pd = one({.type = "pagerduty", .channel = "routing"}, sample());
    CHECK(pd.url == "https://events.pagerduty.com/v2/enqueue");
    value pdb = body_of(pd);
    CHECK(pdb.get_string("event_action") == "trigger");
    CHECK(pdb.get_string("routing_key") == "routing");
    CHECK(pdb.find_path({"payload", "severity"})->as_string() == "error");
    auto pd_info = build_requests({.type = "pagerduty", .channel = "routing"}, sample("info"));
    REQUIRE(pd_info);
    REQUIRE(pd_info->size() == 2);
    CHECK(body_of((*pd_info)[1]).get_string("event_action") == "resolve");

    auto am =
        one({.type = "alertmanager", .address = "http://am:9093/api/v2/alerts", .token = "t"}, sample());
    value amb = body_of(am);
    REQUIRE(amb.is_array());
    CHECK(amb.as_array()[0].find_path({"labels", "alertname"})->as_string() ==
          "FluxKustomizationHealthCheckFailed");
    CHECK(amb.as_array()[0].find_path({"annotations", "summary"})->as_string() == "prod cluster");
    CHECK(am.header("Authorization") == "Bearer t");

    auto gf = one(
        {.type = "grafana", .address = "http://grafana/api/annotations", .username = "u", .password = "p"},
        sample());
    CHECK(gf.header("Authorization") == "Basic dTpw");
    CHECK(body_of(gf).find("tags")->as_array()[0].as_string() == "flux");

    auto st = one({.type = "sentry", .address = "https://pubkey@o1.ingest.sentry.io/42", .channel = "prod"},
                  sample());
    CHECK(st.url == "https://o1.ingest.sentry.io/api/42/store/");
    CHECK(st.header("X-Sentry-Auth").find("sentry_key=pubkey") != std::string::npos);
    CHECK(body_of(st).get_string("environment") == "prod");
    auto st_info = build_requests({.type = "sentry", .address = "https://pubkey@o1.ingest.sentry.io/42"},
                                  sample("info"));
    REQUIRE(st_info);
    CHECK(st_info->empty());

    auto dd = one({.type = "datadog", .token = "api"}, sample());
    CHECK(dd.url == "https://api.datadoghq.com/api/v1/events");
    CHECK(dd.header("DD-API-KEY") == "api");
    CHECK(body_of(dd).get_string("alert_type") == "error");
}

TEST_CASE("commit status providers post the state of the event's revision", "[notification][providers]")
{
    const std::string sha = "0123456789abcdef0123456789abcdef01234567";
    provider_config base{.provider_uid = "3b1e4f2a-1111-2222-3333-444455556666"};

    auto cfg = base;
    cfg.type = "github";
    cfg.address = "https://github.com/org/repo.git";
    cfg.token = "ghp";
    auto gh = one(cfg, sample());
    CHECK(gh.url == "https://api.github.com/repos/org/repo/statuses/" + sha);
    value ghb = body_of(gh);
    CHECK(ghb.get_string("state") == "failure");
    CHECK(ghb.get_string("context") == "kustomization/webapp/3b1e4f2a");
    CHECK(ghb.get_string("description") == "Health check failed");
    cfg.address = "https://ghe.corp/org/repo";
    CHECK(one(cfg, sample("info")).url == "https://ghe.corp/api/v3/repos/org/repo/statuses/" + sha);

    cfg.type = "gitlab";
    cfg.address = "https://gitlab.com/group/sub/project";
    auto gl = one(cfg, sample("info"));
    CHECK(gl.url == "https://gitlab.com/api/v4/projects/group%2Fsub%2Fproject/statuses/" + sha);
    CHECK(gl.header("PRIVATE-TOKEN") == "ghp");
    CHECK(body_of(gl).get_string("state") == "success");

    cfg.type = "gitea";
    cfg.address = "https://gitea.example/org/repo";
    auto gt = one(cfg, sample());
    CHECK(gt.url == "https://gitea.example/api/v1/repos/org/repo/statuses/" + sha);
    CHECK(gt.header("Authorization") == "token ghp");

    cfg.type = "bitbucket";
    cfg.address = "https://bitbucket.org/team/repo";
    cfg.token = "user:app-pass";
    auto bb = one(cfg, sample());
    CHECK(bb.url == "https://api.bitbucket.org/2.0/repositories/team/repo/commit/" + sha + "/statuses/build");
    value bbb = body_of(bb);
    CHECK(bbb.get_string("state") == "FAILED");
    CHECK(bbb.get_string("key").size() == 40);

    cfg.type = "bitbucketserver";
    cfg.address = "https://bbs.corp/scm/proj/repo.git";
    cfg.token = "pat";
    CHECK(one(cfg, sample()).url ==
          "https://bbs.corp/rest/api/latest/projects/proj/repos/repo/commits/" + sha + "/builds");

    cfg.type = "azuredevops";
    cfg.address = "https://dev.azure.com/org/proj/_git/repo";
    auto az = one(cfg, sample("info"));
    CHECK(az.url == "https://dev.azure.com/org/proj/_apis/git/repositories/repo/commits/" + sha +
                        "/statuses?api-version=6.0");
    value azb = body_of(az);
    CHECK(azb.get_string("state") == "succeeded");
    CHECK(azb.find_path({"context", "genre"})->as_string() == "fluxcd");

    auto no_rev = sample();
    no_rev.metadata.clear();
    cfg.type = "github";
    cfg.address = "https://github.com/org/repo";
    auto none = build_requests(cfg, no_rev);
    REQUIRE(none);
    CHECK(none->empty());
}

TEST_CASE("a provider without what its service needs is a terminal error naming it",
          "[notification][providers]")
{
    auto r = build_requests({.type = "webex", .token = "t"}, sample());
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(r.err().message.find("channel") != std::string::npos);
    CHECK_FALSE(build_requests({.type = "nope"}, sample()));
}

TEST_CASE("Slack's Web API and Telegram answers with ok=false are failures", "[notification][providers]")
{
    auto bot = one({.type = "slack", .token = "xoxb-1"}, sample());
    CHECK(check_ok_field(bot, {200, R"({"ok":true,"ts":"1"})"}));
    auto bad = check_ok_field(bot, {200, R"({"ok":false,"error":"channel_not_found"})"});
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("channel_not_found") != std::string::npos);
    // Incoming webhooks answer plain "ok": no body rule for them.
    auto hook = one({.type = "slack", .address = "https://hooks.slack.com/services/T/B/X"}, sample());
    CHECK(check_ok_field(hook, {200, "ok"}));
    auto tg = one({.type = "telegram", .channel = "1", .token = "t"}, sample());
    CHECK_FALSE(check_ok_field(tg, {200, R"({"ok":false,"description":"chat not found"})"}));
}
