// What happens to each built object before it is applied: variable substitution from
// spec.postBuild (inline values, then ConfigMaps and Secrets), as Flux does it.
#pragma once

#include <weir/api/kustomize_v1.hpp>
#include <weir/core/result.hpp>
#include <weir/envsubst/envsubst.hpp>
#include <weir/kube/client.hpp>

#include <functional>

namespace weir::kustomize_controller {

// The variables of spec.postBuild: later substituteFrom entries override earlier ones, and inline
// `substitute` overrides them all. A missing non-optional ConfigMap/Secret is a transient error
// (it may be created soon).
result<envsubst::variables> resolve_variables(kube::client& client, std::string_view namespace_,
                                              const api::kustomize_v1::kustomization_spec& spec);

// The per-object step for kustomization::build_request::post_build (null when nothing to do).
std::function<status(value&)> substitution_step(const api::kustomize_v1::kustomization_spec& spec,
                                                envsubst::variables vars);

} // namespace weir::kustomize_controller
