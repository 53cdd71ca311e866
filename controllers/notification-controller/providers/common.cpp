#include "provider.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace weir::notification {
namespace providers {

std::string object_title(const flux_event& ev)
{
    const auto& io = ev.involved_object;
    return fmt::format("{}/{}.{}", io.kind, io.name, io.namespace_);
}

std::vector<std::pair<std::string, std::string>> display_metadata(const flux_event& ev)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : ev.metadata)
        out.emplace_back(k, v);
    return out;
}

std::string hex_hmac_sha256(std::string_view key, std::string_view data)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string hex_sha1(std::string_view data)
{
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

std::string basic_auth(std::string_view user, std::string_view password)
{
    return "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
}

status require(bool present, std::string_view type, std::string_view what)
{
    if (present) return ok();
    return terminal_error(fmt::format("provider type {} needs {}", type, what), "InvalidProvider");
}

void add_secret_headers(http_request& r, const provider_config& cfg)
{
    for (const auto& [k, v] : cfg.headers)
        r.headers.emplace_back(k, v);
}

std::string event_commit_sha(const flux_event& ev)
{
    std::string rev = ev.meta("commit");
    if (rev.empty()) rev = ev.meta("originRevision");
    if (rev.empty()) rev = ev.meta("revision");
    if (rev.empty()) return {};
    if (auto p = rev.find("@sha1:"); p != std::string::npos) return rev.substr(p + 6);
    if (auto p = rev.rfind(':'); p != std::string::npos) return rev.substr(p + 1);
    if (auto p = rev.rfind('/'); p != std::string::npos)
        return rev.substr(p + 1); // "main/<sha>" (Flux v1 form)
    return rev;
}

http_request json_post(std::string url, const value& body)
{
    http_request r{.method = "POST", .url = std::move(url), .headers = {}, .body = to_json(body)};
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

} // namespace providers

result<std::vector<http_request>> build_requests(const provider_config& cfg, const eventsink::flux_event& ev)
{
    using fn = providers::requests (*)(const provider_config&, const eventsink::flux_event&);
    static const std::map<std::string, fn, std::less<>> table{{"generic", providers::generic},
                                                              {"generic-hmac", providers::generic_hmac},
                                                              {"slack", providers::slack},
                                                              {"discord", providers::discord},
                                                              {"rocket", providers::rocket},
                                                              {"msteams", providers::msteams},
                                                              {"googlechat", providers::googlechat},
                                                              {"webex", providers::webex},
                                                              {"telegram", providers::telegram},
                                                              {"matrix", providers::matrix},
                                                              {"lark", providers::lark},
                                                              {"opsgenie", providers::opsgenie},
                                                              {"pagerduty", providers::pagerduty},
                                                              {"alertmanager", providers::alertmanager},
                                                              {"grafana", providers::grafana},
                                                              {"sentry", providers::sentry},
                                                              {"datadog", providers::datadog},
                                                              {"nats", providers::nats},
                                                              {"github", providers::github},
                                                              {"gitlab", providers::gitlab},
                                                              {"gitea", providers::gitea},
                                                              {"bitbucket", providers::bitbucket},
                                                              {"bitbucketserver", providers::bitbucketserver},
                                                              {"azuredevops", providers::azuredevops}};
    auto it = table.find(cfg.type);
    if (it == table.end())
        return terminal_error(fmt::format("unsupported provider type \"{}\"", cfg.type), "InvalidProvider");
    return it->second(cfg, ev);
}

} // namespace weir::notification
