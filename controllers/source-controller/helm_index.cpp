#include "helm_index.hpp"

#include <weir/core/semver.hpp>
#include <weir/core/yaml.hpp>

#include <fmt/format.h>

#include <optional>

namespace weir::source {

result<helm_index> helm_index::parse(std::string_view text)
{
    auto doc = parse_yaml(text);
    if (!doc)
        return terminal_error("failed to parse the repository index: " + doc.err().message,
                              "IndexationFailed");
    const value* entries = doc->find("entries");
    if (!doc->is_object() || !doc->find("apiVersion"))
        return terminal_error("the repository index has no apiVersion: not a Helm repository index.yaml",
                              "IndexationFailed");
    helm_index idx;
    idx.entries_ = entries && entries->is_object() ? *entries : value(object{});
    return idx;
}

result<chart_version_entry> helm_index::select(std::string_view chart, std::string_view range) const
{
    const value* versions = entries_.find(chart);
    if (!versions || !versions->is_array() || versions->as_array().empty())
        return transient_error(fmt::format("no chart name '{}' found in the repository index", chart),
                               "ChartPullError");
    std::string wanted = range.empty() ? "*" : std::string(range);
    WEIR_TRY_ASSIGN(auto constraint, semver_range::parse(wanted));
    const value* best = nullptr;
    std::optional<semver> best_version;
    for (const auto& entry : versions->as_array()) {
        std::string_view text = entry.get_string("version");
        if (text == wanted) { // an exact version string always wins, as in Helm
            best = &entry;
            break;
        }
        auto v = semver::parse(text);
        if (!v || !constraint.matches(*v)) continue;
        if (!best_version || *best_version < *v) {
            best_version = *v;
            best = &entry;
        }
    }
    if (!best)
        return transient_error(fmt::format("no '{}' chart with version matching '{}' found", chart, wanted),
                               "ChartPullError");
    chart_version_entry out;
    out.name = std::string(best->get_string("name", chart));
    out.version = std::string(best->get_string("version"));
    out.digest = std::string(best->get_string("digest"));
    if (const value* urls = best->find("urls"); urls && urls->is_array())
        for (const auto& u : urls->as_array())
            if (u.is_string()) out.urls.push_back(u.as_string());
    if (out.urls.empty())
        return terminal_error(
            fmt::format("chart '{}' version '{}' has no download URL in the repository index", chart,
                        out.version),
            "ChartPullError");
    return out;
}

std::string resolve_chart_url(std::string_view repository_url, std::string_view url)
{
    if (url.find("://") != std::string_view::npos) return std::string(url);
    std::string base(repository_url);
    if (auto q = base.find('?'); q != std::string::npos) base.resize(q);
    if (url.starts_with("/")) { // host-relative
        auto scheme = base.find("://");
        auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        return base.substr(0, slash) + std::string(url);
    }
    if (!base.ends_with("/")) base += '/';
    while (url.starts_with("./"))
        url.remove_prefix(2);
    return base + std::string(url);
}

std::string url_host(std::string_view url)
{
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    auto end = url.find_first_of("/?#");
    auto authority = url.substr(0, end);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return std::string(authority);
}

} // namespace weir::source
