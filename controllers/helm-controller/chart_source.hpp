// Where a HelmRelease's chart comes from. With spec.chart, the controller owns a HelmChart named
// "<release namespace>-<release name>" in the source's namespace (created and kept in step with
// spec.chart.spec, as Flux does); with spec.chartRef, the referenced HelmChart or OCIRepository.
// Either way the chart is the source's artifact, downloaded with its digest checked.
#pragma once

#include <weir/api/helm_v2.hpp>
#include <weir/helm/chart.hpp>
#include <weir/kube/client.hpp>

#include <filesystem>
#include <string>

namespace weir::helm_controller {

inline const kube::gvk helm_chart_kind{"source.toolkit.fluxcd.io", "v1", "HelmChart"};
inline const kube::gvk oci_repository_kind{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};

struct chart_source {
    kube::gvk kind;
    std::string namespace_, name;
    std::string key() const { return kind.kind + "/" + namespace_ + "/" + name; }
};

// The source a HelmRelease reads its chart from (no API call).
chart_source source_of(const value& hr, const api::helm_v2::helm_release_spec& spec);

// Creates or updates the HelmChart of spec.chart (server-side apply, field manager helm-controller).
status reconcile_helm_chart(kube::client& client, const value& hr,
                            const api::helm_v2::helm_release_spec& spec);
// Deletes that HelmChart (on HelmRelease deletion or a switch to chartRef).
status delete_helm_chart(kube::client& client, const value& hr);

struct chart_artifact {
    std::string url, digest, revision;
};
// The source's current artifact once it is Ready for its latest generation; a transient error
// (reason ArtifactFailed) saying what is missing otherwise.
result<chart_artifact> ready_artifact(kube::client& client, const chart_source& src);
// Downloads and loads the chart archive into `scratch`.
result<helm::chart> load_chart_artifact(const chart_artifact& art, const std::filesystem::path& scratch);

} // namespace weir::helm_controller
