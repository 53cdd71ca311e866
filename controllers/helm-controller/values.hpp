// The values a HelmRelease installs with, composed as Flux does: spec.valuesFrom in order (a whole
// values document merged in, or with targetPath one value set by Helm's --set path syntax), then
// spec.values merged over them. Plus the digests Flux records of them.
#pragma once

#include <weir/api/helm_v2.hpp>
#include <weir/core/result.hpp>
#include <weir/kube/client.hpp>

#include <string>

namespace weir::helm_controller {

// A missing non-optional ConfigMap/Secret or key is a transient error (it may be created soon);
// a document that is not YAML, or a bad targetPath, is terminal. Reason "ValuesError".
result<value> compose_values(kube::client& client, std::string_view namespace_,
                             const api::helm_v2::helm_release_spec& spec);

// "sha256:<hex>" of the values' canonical JSON (status.lastAttemptedConfigDigest).
std::string config_digest(const value& values);
// The legacy sha1 hex checksum (status.lastAttemptedValuesChecksum).
std::string values_checksum(const value& values);

} // namespace weir::helm_controller
