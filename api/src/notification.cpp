#include "fields.hpp"

#include <weir/api/notification.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace weir::api::notification {

using namespace detail;

namespace {

constexpr std::array commit_status_types{"github",    "gitlab",          "gitea",
                                         "bitbucket", "bitbucketserver", "azuredevops"};
constexpr std::array chat_types{"generic",    "generic-hmac", "slack",    "msteams", "discord", "rocket",
                                "googlechat", "webex",        "telegram", "matrix",  "lark",    "opsgenie",
                                "pagerduty",  "alertmanager", "grafana",  "sentry",  "datadog", "nats"};
constexpr std::array receiver_types{"generic",   "generic-hmac", "github", "gitlab", "bitbucket", "harbor",
                                    "dockerhub", "quay",         "gcr",    "nexus",  "acr",       "cdevents"};

template <class A> bool contains(const A& list, std::string_view s)
{
    return std::find(list.begin(), list.end(), s) != list.end();
}

const value& spec_of(const value& obj)
{
    static const value empty = weir::object{};
    const value* s = obj.find("spec");
    return s && s->is_object() ? *s : empty;
}

result<std::optional<local_object_reference>> optional_ref(const value& spec, std::string_view key,
                                                           std::string_view path)
{
    const value* r = spec.find(key);
    if (!r || r->is_null()) return std::optional<local_object_reference>{};
    if (!r->is_object()) return invalid_field(path, "must be an object with a name");
    WEIR_TRY_ASSIGN(auto name, required_string(*r, "name", fmt::format("{}.name", path)));
    return std::optional<local_object_reference>{local_object_reference{std::move(name)}};
}

result<std::vector<object_selector>> selectors(const value& spec, std::string_view key, bool required)
{
    std::vector<object_selector> out;
    const value* list = spec.find(key);
    std::string path = fmt::format("spec.{}", key);
    if (!list || list->is_null()) {
        if (required) return invalid_field(path, "is required: list the objects by kind and name");
        return out;
    }
    if (!list->is_array()) return invalid_field(path, "must be a list");
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const value& e = list->as_array()[i];
        std::string at = fmt::format("{}[{}]", path, i);
        if (!e.is_object()) return invalid_field(at, "must be an object");
        object_selector s;
        WEIR_TRY_ASSIGN(s.kind, required_string(e, "kind", at + ".kind"));
        WEIR_TRY_ASSIGN(s.name, required_string(e, "name", at + ".name"));
        WEIR_TRY_ASSIGN(auto av, optional_string(e, "apiVersion", at + ".apiVersion"));
        WEIR_TRY_ASSIGN(auto ns, optional_string(e, "namespace", at + ".namespace"));
        WEIR_TRY_ASSIGN(s.match_labels, string_map(e, "matchLabels", at + ".matchLabels"));
        s.api_version = av.value_or("");
        s.namespace_ = ns.value_or("");
        out.push_back(std::move(s));
    }
    if (required && out.empty()) return invalid_field(path, "must list at least one object");
    return out;
}

} // namespace

bool known_provider_type(std::string_view type)
{
    return contains(chat_types, type) || is_commit_status_type(type);
}
bool is_commit_status_type(std::string_view type)
{
    return contains(commit_status_types, type);
}
bool known_receiver_type(std::string_view type)
{
    return contains(receiver_types, type);
}

result<provider_spec> provider_spec::from(const value& object)
{
    const value& spec = spec_of(object);
    provider_spec p;
    WEIR_TRY_ASSIGN(p.type, required_string(spec, "type", "spec.type"));
    if (!known_provider_type(p.type))
        return invalid_field("spec.type", fmt::format("unsupported provider type \"{}\"", p.type));
    WEIR_TRY_ASSIGN(auto address, optional_string(spec, "address", "spec.address"));
    WEIR_TRY_ASSIGN(auto channel, optional_string(spec, "channel", "spec.channel"));
    WEIR_TRY_ASSIGN(auto username, optional_string(spec, "username", "spec.username"));
    WEIR_TRY_ASSIGN(auto proxy, optional_string(spec, "proxy", "spec.proxy"));
    p.address = address.value_or("");
    if (p.address.size() > 2048) return invalid_field("spec.address", "must be at most 2048 characters");
    p.channel = channel.value_or("");
    p.username = username.value_or("");
    p.proxy = proxy.value_or("");
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(spec, "timeout", "spec.timeout"));
    if (timeout) p.timeout = *timeout;
    WEIR_TRY_ASSIGN(p.secret_ref, optional_ref(spec, "secretRef", "spec.secretRef"));
    WEIR_TRY_ASSIGN(p.cert_secret_ref, optional_ref(spec, "certSecretRef", "spec.certSecretRef"));
    WEIR_TRY_ASSIGN(p.proxy_secret_ref, optional_ref(spec, "proxySecretRef", "spec.proxySecretRef"));
    WEIR_TRY_ASSIGN(p.suspend, optional_bool(spec, "suspend", "spec.suspend", false));
    return p;
}

result<alert_spec> alert_spec::from(const value& object)
{
    const value& spec = spec_of(object);
    alert_spec a;
    WEIR_TRY_ASSIGN(auto ref, optional_ref(spec, "providerRef", "spec.providerRef"));
    if (!ref) return invalid_field("spec.providerRef", "is required: name the Provider to send to");
    a.provider_ref = *ref;
    WEIR_TRY_ASSIGN(a.event_sources, selectors(spec, "eventSources", true));
    WEIR_TRY_ASSIGN(auto severity, optional_string(spec, "eventSeverity", "spec.eventSeverity"));
    a.event_severity = severity.value_or("info");
    if (a.event_severity != "info" && a.event_severity != "error")
        return invalid_field("spec.eventSeverity", "must be \"info\" or \"error\"");
    WEIR_TRY_ASSIGN(a.inclusion_list, string_list(spec, "inclusionList", "spec.inclusionList"));
    WEIR_TRY_ASSIGN(a.exclusion_list, string_list(spec, "exclusionList", "spec.exclusionList"));
    WEIR_TRY_ASSIGN(a.event_metadata, string_map(spec, "eventMetadata", "spec.eventMetadata"));
    WEIR_TRY_ASSIGN(auto summary, optional_string(spec, "summary", "spec.summary"));
    a.summary = summary.value_or("");
    if (a.summary.size() > 255) return invalid_field("spec.summary", "must be at most 255 characters");
    WEIR_TRY_ASSIGN(a.suspend, optional_bool(spec, "suspend", "spec.suspend", false));
    return a;
}

result<receiver_spec> receiver_spec::from(const value& object)
{
    const value& spec = spec_of(object);
    receiver_spec r;
    WEIR_TRY_ASSIGN(r.type, required_string(spec, "type", "spec.type"));
    if (!known_receiver_type(r.type))
        return invalid_field("spec.type", fmt::format("unsupported receiver type \"{}\"", r.type));
    WEIR_TRY_ASSIGN(auto interval, optional_duration(spec, "interval", "spec.interval"));
    if (interval) r.interval = *interval;
    WEIR_TRY_ASSIGN(r.events, string_list(spec, "events", "spec.events"));
    WEIR_TRY_ASSIGN(r.resources, selectors(spec, "resources", true));
    WEIR_TRY_ASSIGN(auto secret, optional_ref(spec, "secretRef", "spec.secretRef"));
    if (!secret) return invalid_field("spec.secretRef", "is required: name the Secret holding the token");
    r.secret_ref = *secret;
    WEIR_TRY_ASSIGN(r.suspend, optional_bool(spec, "suspend", "spec.suspend", false));
    return r;
}

std::string_view default_api_version(std::string_view kind)
{
    if (kind == "Bucket" || kind == "HelmChart" || kind == "HelmRepository" || kind == "GitRepository" ||
        kind == "OCIRepository")
        return "source.toolkit.fluxcd.io/v1";
    if (kind == "ImageRepository") return "image.toolkit.fluxcd.io/v1";
    if (kind == "ArtifactGenerator") return "source.extensions.fluxcd.io/v1beta1";
    return {};
}

} // namespace weir::api::notification
