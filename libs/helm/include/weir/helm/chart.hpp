// A Helm chart in memory, loaded as Helm's loader does: from a directory, a .tgz file or the
// bytes of one.
//
//   WEIR_TRY_ASSIGN(weir::helm::chart c, weir::helm::load_chart("charts/podinfo"));
//   c.metadata.name;            // "podinfo"
//   c.templates;                // {"templates/deployment.yaml", text}, ... (paths inside the chart)
//   c.dependencies;             // subcharts from charts/ (directories and .tgz archives)
//
// Chart.yaml apiVersion v1 and v2 are read; for v1, requirements.yaml supplies the dependencies.
// Files are sorted by path. A directory's .helmignore is honoured, archives follow Helm's path
// rules, and a UTF-8 byte order mark is dropped from every file. Errors are terminal and name
// the chart and file.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weir::helm {

// One file of a chart: its path relative to the chart root and its bytes.
struct chart_file {
    std::string name;
    std::string data;
};

// An entry of Chart.yaml `dependencies` (or requirements.yaml for apiVersion v1).
struct dependency {
    std::string name;
    std::string version;
    std::string repository;
    std::string condition;          // comma-separated value paths; the first that is a bool wins
    std::vector<std::string> tags;  // enabled when any tag is true in .Values.tags
    bool enabled = true;            // the outcome of condition/tags processing
    weir::array import_values;      // strings ("data") or {child, parent} objects, as written
    std::string alias;
};

// Chart.yaml. `raw` keeps the file as parsed (unknown keys included) for the release record.
struct chart_metadata {
    std::string api_version; // "v1" or "v2"
    std::string name;
    std::string version;
    std::string app_version;
    std::string description;
    std::string type; // "" (application), "application" or "library"
    std::string kube_version;
    std::string home;
    std::string icon;
    std::string condition;
    std::string tags;
    bool deprecated = false;
    std::vector<std::string> sources;
    std::vector<std::string> keywords;
    weir::array maintainers;  // [{name, email, url}]
    weir::object annotations; // string -> string
    std::vector<dependency> dependencies;

    bool is_library() const { return type == "library"; }
};

struct chart {
    chart_metadata metadata;
    weir::value values = weir::object{}; // values.yaml (an empty object when absent)
    std::string values_raw;              // values.yaml as written
    std::string schema;                  // values.schema.json bytes; empty when absent
    std::vector<chart_file> templates;   // "templates/..." files
    std::vector<chart_file> files;       // every other file (.Files): crds/, README, ...
    weir::value lock;                    // Chart.lock / requirements.lock, null when absent
    std::vector<chart> dependencies;     // subcharts under charts/, in path order

    // The CRD files (crds/*.yaml|yml|json), which Helm installs before the templates.
    std::vector<const chart_file*> crd_files() const;
    // The chart's name; after process_dependencies, an aliased subchart carries its alias here,
    // which is also its key in the parent's values.
    const std::string& name() const { return metadata.name; }
};

// `path` may be a chart directory or a .tgz archive (a chart directory at its top level).
result<chart> load_chart(const std::filesystem::path& path);
// The bytes of a .tgz chart archive (as fetched from a Helm repository or an artifact).
result<chart> load_chart_archive(std::string_view tgz_bytes, std::string_view origin = "chart archive");
// Files with paths relative to the chart root ("Chart.yaml", "templates/x.yaml", "charts/a/..."),
// as both loaders end up with. `origin` names the chart in errors.
result<chart> load_chart_files(std::vector<chart_file> files, std::string_view origin);

} // namespace weir::helm
