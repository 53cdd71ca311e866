#include "alert_match.hpp"

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <re2/re2.h>
#include <unordered_map>

namespace weir::notification {
namespace {

// Alerts keep their patterns for their lifetime: compile each once.
result<std::shared_ptr<const RE2>> compiled(const std::string& pattern)
{
    static std::mutex mutex;
    static std::unordered_map<std::string, std::shared_ptr<const RE2>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(pattern); it != cache.end()) return it->second;
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(pattern, opts);
    if (!re->ok())
        return terminal_error(fmt::format("invalid regular expression \"{}\": {}", pattern, re->error()),
                              "InvalidRegex");
    if (cache.size() > 10'000) cache.clear();
    cache.emplace(pattern, re);
    return std::shared_ptr<const RE2>(re);
}

result<bool> any_matches(const std::vector<std::string>& patterns, const std::string& text)
{
    for (const auto& p : patterns) {
        WEIR_TRY_ASSIGN(auto re, compiled(p));
        if (RE2::PartialMatch(text, *re)) return true;
    }
    return false;
}

} // namespace

bool source_matches(const api::notification::object_selector& source, std::string_view alert_namespace,
                    const eventsink::flux_event& ev, const labels_lookup& labels)
{
    const auto& io = ev.involved_object;
    if (source.kind != io.kind) return false;
    std::string_view ns = source.namespace_.empty() ? alert_namespace : std::string_view(source.namespace_);
    if (ns != io.namespace_) return false;
    if (source.name != "*") return source.name == io.name;
    if (source.match_labels.empty()) return true;
    value l = labels ? labels(ev) : value();
    for (const auto& [k, v] : source.match_labels) {
        const value* got = l.find(k);
        if (!got || !got->is_string() || got->as_string() != v) return false;
    }
    return true;
}

result<bool> passes_filters(const api::notification::alert_spec& alert, const eventsink::flux_event& ev)
{
    if (alert.event_severity == "error" && ev.severity != "error") return false;
    if (!alert.inclusion_list.empty()) {
        WEIR_TRY_ASSIGN(bool included, any_matches(alert.inclusion_list, ev.message));
        if (!included) return false;
    }
    WEIR_TRY_ASSIGN(bool excluded, any_matches(alert.exclusion_list, ev.message));
    return !excluded;
}

eventsink::flux_event with_alert_metadata(const api::notification::alert_spec& alert,
                                          const eventsink::flux_event& ev)
{
    // Flux's precedence, lowest first: the object's event.toolkit.fluxcd.io/ annotations (prefix
    // stripped), the Alert's eventMetadata, its summary, then the controller's own keys (which
    // carry their group prefix, so only the first three can collide).
    eventsink::flux_event out = ev;
    std::map<std::string, std::string> merged;
    for (auto it = out.metadata.begin(); it != out.metadata.end();) {
        if (!it->first.starts_with(eventsink::event_group_prefix)) {
            ++it;
            continue;
        }
        merged[it->first.substr(eventsink::event_group_prefix.size())] = it->second;
        it = out.metadata.erase(it);
    }
    for (const auto& [k, v] : alert.event_metadata)
        merged[k] = v;
    if (!alert.summary.empty()) merged["summary"] = alert.summary;
    for (auto& [k, v] : merged)
        out.metadata.emplace(k, std::move(v));
    return out;
}

result<std::optional<eventsink::flux_event>> event_for_alert(const api::notification::alert_spec& alert,
                                                             std::string_view alert_namespace,
                                                             const eventsink::flux_event& ev,
                                                             const labels_lookup& labels)
{
    bool matched = false;
    for (const auto& s : alert.event_sources)
        if (source_matches(s, alert_namespace, ev, labels)) {
            matched = true;
            break;
        }
    if (!matched) return std::optional<eventsink::flux_event>{};
    WEIR_TRY_ASSIGN(bool pass, passes_filters(alert, ev));
    if (!pass) return std::optional<eventsink::flux_event>{};
    return std::optional<eventsink::flux_event>{with_alert_metadata(alert, ev)};
}

} // namespace weir::notification
