// What happens to each built object before it is applied, as Flux does it: SOPS decryption with
// the keys of spec.decryption.secretRef, then variable substitution from spec.postBuild (inline
// values, then ConfigMaps and Secrets). Decrypted values stay in memory.
#pragma once

#include <weir/api/kustomize_v1.hpp>
#include <weir/core/result.hpp>
#include <weir/envsubst/envsubst.hpp>
#include <weir/kube/client.hpp>
#include <weir/kustomize/kustomize.hpp>
#include <weir/sops/sops.hpp>

#include <functional>

namespace weir::kustomize_controller {

// The variables of spec.postBuild: later substituteFrom entries override earlier ones, and inline
// `substitute` overrides them all. A missing non-optional ConfigMap/Secret is a transient error
// (it may be created soon).
result<envsubst::variables> resolve_variables(kube::client& client, std::string_view namespace_,
                                              const api::kustomize_v1::kustomization_spec& spec);

// The age keys of spec.decryption.secretRef; nullopt without spec.decryption.
result<std::optional<sops::keys>> resolve_decryption_keys(kube::client& client, std::string_view namespace_,
                                                         const api::kustomize_v1::kustomization_spec& spec);

// The per-object step for kustomization::build_request::post_build. Without decryption keys, a
// SOPS-encrypted object is an error that says to configure spec.decryption.
std::function<status(value&)> post_build_step(const api::kustomize_v1::kustomization_spec& spec,
                                              envsubst::variables vars, std::optional<sops::keys> keys);

// The secretGenerator source step for kustomization::build_request::secret_source_filter: SOPS
// files (format by extension, as SOPS decides) are decrypted in memory; plain files pass as
// they are. Without keys, an encrypted source is an error that says to configure spec.decryption.
kustomize::source_filter secret_source_step(std::optional<sops::keys> keys);

} // namespace weir::kustomize_controller
