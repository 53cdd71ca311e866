// Rendering a chart as `helm template` / `helm install` do: values, Helm's template functions,
// manifests split, sorted in Helm's install order, and hooks set apart.
//
//   weir::helm::render_options opts{.release = {.name = "web", .namespace_ = "apps"}};
//   WEIR_TRY_ASSIGN(auto out, weir::helm::render_chart(chart, user_values, opts));
//   for (const auto& m : out.manifests) std::cout << "---\n# Source: " << m.path << "\n" << m.content << "\n";
//
// The templates see .Values, .Release, .Chart, .Capabilities, .Files, .Template and .Subcharts,
// and Helm's functions on top of Sprig: include, tpl, required, fail, toYaml, fromYaml,
// fromYamlArray, toJson, fromJson, fromJsonArray, toToml, lookup (through `cluster`; an empty
// map without one). Errors are terminal and read like Helm's, naming the template file, line
// and column. Rendering is bounded in depth, output and time by gotemplate::options.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/helm/chart.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weir::helm {

// .Capabilities. Defaults are what `helm template` 3.17 assumes offline (Kubernetes 1.32).
struct capabilities {
    std::string kube_version = "v1.32.0";
    std::vector<std::string> api_versions; // extra "group/version" or "group/version/Kind"
    std::string helm_version = "v3.17.0";
};

struct release_options {
    std::string name = "release-name";
    std::string namespace_ = "default";
    int revision = 1;
    bool is_install = true;
    bool is_upgrade = false;
    capabilities caps;
};

// `lookup apiVersion kind namespace name`: one object (name set) or a list object {items: [...]}.
// Return an empty object when nothing matches, as Helm does; an error stops rendering.
class cluster_lookup {
public:
    virtual ~cluster_lookup() = default;
    virtual result<weir::value> lookup(std::string_view api_version, std::string_view kind,
                                       std::string_view namespace_, std::string_view name) = 0;
};

struct render_options {
    release_options release;
    cluster_lookup* cluster = nullptr; // null: offline, lookup returns an empty map
    bool strict = false;               // missingkey=error (helm --strict lint)
    bool skip_schema_validation = false;
    std::size_t max_output = 64u << 20;
};

// One rendered Kubernetes document.
struct manifest {
    std::string path;    // "<chart>/templates/x.yaml" (subcharts: "<parent>/charts/<sub>/templates/..")
    std::string content; // the document text, without "---"
    std::string api_version, kind, name, namespace_;
};

struct hook {
    std::string name, kind, path, manifest;
    std::vector<std::string> events;          // "pre-install", "post-upgrade", "test", ...
    int weight = 0;
    std::vector<std::string> delete_policies; // "before-hook-creation" (Helm's default), ...
};

struct rendered_chart {
    std::map<std::string, std::string> templates; // every rendered template by path (NOTES too)
    std::vector<manifest> crds;                   // crds/ files, as written
    std::vector<manifest> manifests;              // install order: kind order, stable within a kind
    std::vector<hook> hooks;                      // in kind order as Helm stores them; run by weight
    std::string notes;                            // the top chart's NOTES.txt, rendered
    weir::value values;                           // the coalesced values the chart rendered with
    weir::value config;                           // the user-supplied values (release `config`)
};

// Processes dependencies, coalesces values, validates the schema, renders and sorts.
result<rendered_chart> render_chart(const chart& c, const weir::value& user_values, const render_options& opts);

// The release manifest as Helm stores it: "---\n# Source: PATH\nCONTENT\n" per manifest (CRDs
// first when `include_crds`).
std::string release_manifest(const rendered_chart& r, bool include_crds = false);

// Helm's install order of kinds (Namespace, NetworkPolicy, ..., APIService); unknown kinds last.
int install_order(std::string_view kind);

} // namespace weir::helm
