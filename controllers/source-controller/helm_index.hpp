// A Helm repository index (index.yaml) as the HelmChart reconciler reads it: the chart versions it
// lists, the choice of one by a semver range (Helm's rule: the highest matching version, an exact
// version string wins), and chart URLs resolved against the repository address.
//
//   WEIR_TRY_ASSIGN(auto index, helm_index::parse(text));
//   WEIR_TRY_ASSIGN(auto entry, index.select("podinfo", ">=6.0 <7"));
//   std::string url = resolve_chart_url("https://charts.example.com/", entry.urls[0]);
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weir::source {

struct chart_version_entry {
    std::string name;
    std::string version;
    std::vector<std::string> urls;
    std::string digest; // hex sha256 of the .tgz when the index gives one (Helm writes it bare)
};

class helm_index {
public:
    // Terminal error (reason IndexationFailed) when the text is not an index with `entries`.
    static result<helm_index> parse(std::string_view text);

    // The highest version of `chart` matching `range` ("*" by default). A missing chart or no
    // matching version is a transient error: the repository may publish it later.
    result<chart_version_entry> select(std::string_view chart, std::string_view range) const;

private:
    value entries_;
};

// `url` when absolute, else `url` relative to the repository root (which is treated as a directory).
std::string resolve_chart_url(std::string_view repository_url, std::string_view url);
// host[:port] of an http(s) URL, for deciding whether credentials go along.
std::string url_host(std::string_view url);

} // namespace weir::source
