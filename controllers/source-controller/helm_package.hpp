// Turning a chart directory into the artifact a HelmChart serves: Chart.yaml read and its version
// rewritten when metadata is appended, valuesFiles merged into values.yaml the way Flux does it
// (in order, maps merged deeply, later files win, the chart's own values.yaml only when listed),
// and a `helm package`-shaped .tgz whose entries live under "<chart name>/".
//
//   WEIR_TRY_ASSIGN(auto meta, read_chart_metadata(dir));
//   WEIR_TRY_ASSIGN(auto merged, merge_values_files(root, {"charts/app/values-prod.yaml"}, false));
//   WEIR_TRY(write_chart(dir, meta.name, "1.2.0+abc", merged));
//   WEIR_TRY_ASSIGN(auto built, package_chart(dir, meta.name, out));
#pragma once

#include <weir/artifact/tarball.hpp>
#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace weir::source {

struct chart_metadata {
    std::string name;
    std::string version;
};

// Reads <dir>/Chart.yaml; a missing or invalid file is a terminal error naming `display_path`.
result<chart_metadata> read_chart_metadata(const std::filesystem::path& dir, std::string_view display_path);

// Merges the values files (paths relative to `base`, never outside it). Without files, nullopt.
// A missing file is a terminal error unless `ignore_missing`; `used` receives the files merged.
result<std::optional<value>> merge_values_files(const std::filesystem::path& base,
                                                const std::vector<std::string>& files, bool ignore_missing,
                                                std::vector<std::string>* used = nullptr);

// Deep merge of maps: keys of `over` replace those of `base`, maps merging recursively.
void merge_values(value& base, const value& over);

// Rewrites <dir>/Chart.yaml with `version`, and <dir>/values.yaml with `values` when given.
status write_chart(const std::filesystem::path& dir, const std::string& version,
                   const std::optional<value>& values);

// Packages `dir` into `out` as "<name>/<path>" entries, leaving out what <dir>/.helmignore lists.
result<artifact::build_result> package_chart(const std::filesystem::path& dir, const std::string& name,
                                             const std::filesystem::path& out);

// Vendors the chart's dependencies (Chart.yaml `dependencies`, or requirements.yaml for apiVersion
// v1) that are not in charts/ yet, as `helm dependency build` would: "file://<path>" copies the
// directory (which must stay inside `source_root`), an http(s) repository is read through its
// index.yaml (the version range resolved, the digest checked). Other repositories are an error
// that says to vendor the chart. `scratch` is a directory for downloads.
status vendor_dependencies(const std::filesystem::path& chart_dir, const std::filesystem::path& source_root,
                           const std::filesystem::path& scratch);

// The single top-level directory of an extracted chart archive (its entries live under "<name>/").
result<std::filesystem::path> chart_root_of(const std::filesystem::path& extracted);

} // namespace weir::source
