// The parts of HelmRelease status that describe releases: history snapshots (newest first, at most
// five, as Flux keeps them), the inventory of applied objects, and Flux's messages.
#pragma once

#include <weir/api/helm_v2.hpp>
#include <weir/helm/release.hpp>

#include <string>

namespace weir::helm_controller {

// Flux's snapshot of a release record: {digest, name, namespace, version, status, chartName,
// chartVersion, appVersion, configDigest, firstDeployed, lastDeployed, deleted}.
value snapshot_of(const helm::release& r, const std::string& config_digest);
// Puts `snapshot` first in status.history (replacing an entry of the same version), keeping five.
void record_snapshot(value& status, value snapshot);

std::string chart_name_of(const helm::release& r);
std::string chart_version_of(const helm::release& r);
// "<namespace>/<name>.v<version>", as Flux's messages name a release.
std::string release_label(const helm::release& r);

// Flux's release name: spec.releaseName, else "[<targetNamespace>-]<name>", shortened to its first
// 40 characters + "-" + 12 hex characters of its sha256 when longer than Helm's 53.
std::string release_name_for(const value& hr, const api::helm_v2::helm_release_spec& spec);

} // namespace weir::helm_controller
