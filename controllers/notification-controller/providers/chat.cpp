// Chat services: Slack and the Slack-compatible Discord and Rocket.Chat, Microsoft Teams, Google
// Chat, Webex, Telegram, Matrix and Lark. Each message carries the object title, the event message
// and the metadata as fields, coloured by severity.
#include "provider.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::notification::providers {
namespace {

bool is_error(const flux_event& ev)
{
    return ev.severity == "error";
}

value slack_payload(const provider_config& cfg, const flux_event& ev)
{
    value payload = weir::object{};
    if (!cfg.channel.empty()) payload["channel"] = cfg.channel;
    if (!cfg.username.empty()) payload["username"] = cfg.username;
    weir::array fields;
    for (const auto& [k, v] : display_metadata(ev))
        fields.push_back(weir::object{{"title", k}, {"value", v}, {"short", false}});
    weir::object attachment{{"color", is_error(ev) ? "danger" : "good"},
                            {"author_name", object_title(ev)},
                            {"text", ev.message},
                            {"mrkdwn_in", weir::array{"text"}}};
    if (!fields.empty()) attachment.push_back("fields", std::move(fields));
    payload["attachments"] = weir::array{value(std::move(attachment))};
    return payload;
}

std::string markdown_text(const flux_event& ev)
{
    std::string text = fmt::format("**{}**\n\n{}", object_title(ev), ev.message);
    for (const auto& [k, v] : display_metadata(ev))
        text += fmt::format("\n- **{}**: {}", k, v);
    return text;
}

// Telegram's MarkdownV2 reserves these characters everywhere outside entities.
std::string telegram_escape(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (std::string_view("_*[]()~`>#+-=|{}.!\\").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

} // namespace

requests slack(const provider_config& cfg, const flux_event& ev)
{
    std::string url = cfg.address;
    if (url.empty() && !cfg.token.empty()) url = "https://slack.com/api/chat.postMessage";
    WEIR_TRY(require(!url.empty(), "slack", "a webhook address or a bot token"));
    http_request r = json_post(url, slack_payload(cfg, ev));
    if (!cfg.token.empty()) {
        r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
        r.ok_field = "ok"; // the Web API reports errors in the body
    }
    add_secret_headers(r, cfg);
    return std::vector{std::move(r)};
}

requests discord(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "discord", "a webhook address"));
    // Discord webhooks accept Slack's format at "<webhook>/slack".
    std::string url = cfg.address;
    if (!url.ends_with("/slack")) url += url.ends_with("/") ? "slack" : "/slack";
    return std::vector{json_post(url, slack_payload(cfg, ev))};
}

requests rocket(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "rocket", "a webhook address"));
    return std::vector{json_post(cfg.address, slack_payload(cfg, ev))};
}

requests msteams(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "msteams", "a webhook address"));
    std::string title = object_title(ev);
    auto meta = display_metadata(ev);
    // Office 365 connector URLs take the legacy MessageCard; Power Automate workflow URLs take an
    // Adaptive Card in a message envelope.
    if (cfg.address.find(".webhook.office.com") != std::string::npos) {
        weir::array facts;
        for (const auto& [k, v] : meta)
            facts.push_back(weir::object{{"name", k}, {"value", v}});
        value card = weir::object{{"@type", "MessageCard"},
                                  {"@context", "https://schema.org/extensions"},
                                  {"themeColor", is_error(ev) ? "FF0000" : "0076D7"},
                                  {"summary", title},
                                  {"sections", weir::array{weir::object{{"activityTitle", title},
                                                                        {"activitySubtitle", ev.message},
                                                                        {"facts", std::move(facts)}}}}};
        return std::vector{json_post(cfg.address, card)};
    }
    weir::array facts;
    for (const auto& [k, v] : meta)
        facts.push_back(weir::object{{"title", k}, {"value", v}});
    weir::array body{
        weir::object{{"type", "TextBlock"},
                     {"text", title},
                     {"weight", "bolder"},
                     {"size", "medium"},
                     {"color", is_error(ev) ? "attention" : "good"}},
        weir::object{{"type", "TextBlock"}, {"text", ev.message}, {"wrap", true}},
    };
    if (!facts.empty()) body.push_back(weir::object{{"type", "FactSet"}, {"facts", std::move(facts)}});
    value card = weir::object{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                              {"type", "AdaptiveCard"},
                              {"version", "1.4"},
                              {"body", std::move(body)}};
    value msg = weir::object{
        {"type", "message"},
        {"attachments", weir::array{weir::object{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                                 {"content", std::move(card)}}}}};
    return std::vector{json_post(cfg.address, msg)};
}

requests googlechat(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "googlechat", "a webhook address"));
    weir::array kv;
    for (const auto& [k, v] : display_metadata(ev))
        kv.push_back(weir::object{{"keyValue", weir::object{{"topLabel", k}, {"content", v}}}});
    weir::array sections{weir::object{
        {"widgets", weir::array{weir::object{{"textParagraph", weir::object{{"text", ev.message}}}}}}}};
    if (!kv.empty()) sections.push_back(weir::object{{"widgets", std::move(kv)}});
    value card = weir::object{
        {"header", weir::object{{"title", object_title(ev)}, {"subtitle", ev.reporting_controller}}},
        {"sections", std::move(sections)}};
    return std::vector{json_post(cfg.address, weir::object{{"cards", weir::array{std::move(card)}}})};
}

requests webex(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.channel.empty(), "webex", "a channel (the room id)"));
    WEIR_TRY(require(!cfg.token.empty(), "webex", "a bot token in its secretRef"));
    std::string url = cfg.address.empty() ? "https://webexapis.com/v1/messages" : cfg.address;
    http_request r = json_post(url, weir::object{{"roomId", cfg.channel}, {"markdown", markdown_text(ev)}});
    r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
    return std::vector{std::move(r)};
}

requests telegram(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.channel.empty(), "telegram", "a channel (the chat id)"));
    WEIR_TRY(require(!cfg.token.empty(), "telegram", "a bot token in its secretRef"));
    std::string base = cfg.address.empty() ? "https://api.telegram.org" : cfg.address;
    while (base.ends_with("/"))
        base.pop_back();
    std::string text =
        fmt::format("*{}*\n{}", telegram_escape(object_title(ev)), telegram_escape(ev.message));
    for (const auto& [k, v] : display_metadata(ev))
        text += fmt::format("\n\\- *{}*: {}", telegram_escape(k), telegram_escape(v));
    value body = weir::object{{"chat_id", cfg.channel}, {"text", text}, {"parse_mode", "MarkdownV2"}};
    http_request r = json_post(base + "/bot" + cfg.token + "/sendMessage", body);
    r.ok_field = "ok";
    return std::vector{std::move(r)};
}

requests matrix(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "matrix", "an address (the homeserver URL)"));
    WEIR_TRY(require(!cfg.channel.empty(), "matrix", "a channel (the room id)"));
    WEIR_TRY(require(!cfg.token.empty(), "matrix", "an access token in its secretRef"));
    std::string base = cfg.address;
    while (base.ends_with("/"))
        base.pop_back();
    std::string text = fmt::format("{}\n{}", object_title(ev), ev.message);
    for (const auto& [k, v] : display_metadata(ev))
        text += fmt::format("\n{}: {}", k, v);
    // The transaction id makes a retried PUT idempotent on the homeserver.
    std::string txn = hex_sha1(text + ev.timestamp);
    http_request r = json_post(fmt::format("{}/_matrix/client/r0/rooms/{}/send/m.room.message/{}", base,
                                           url_encode(cfg.channel), txn),
                               weir::object{{"msgtype", "m.text"}, {"body", text}});
    r.method = "PUT";
    r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
    return std::vector{std::move(r)};
}

requests lark(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY(require(!cfg.address.empty(), "lark", "a webhook address"));
    std::string content = ev.message;
    for (const auto& [k, v] : display_metadata(ev))
        content += fmt::format("\n**{}**: {}", k, v);
    value card = weir::object{
        {"config", weir::object{{"wide_screen_mode", true}}},
        {"header", weir::object{{"title", weir::object{{"tag", "plain_text"}, {"content", object_title(ev)}}},
                                {"template", is_error(ev) ? "red" : "green"}}},
        {"elements", weir::array{weir::object{
                         {"tag", "div"}, {"text", weir::object{{"tag", "lark_md"}, {"content", content}}}}}}};
    return std::vector{
        json_post(cfg.address, weir::object{{"msg_type", "interactive"}, {"card", std::move(card)}})};
}

} // namespace weir::notification::providers
