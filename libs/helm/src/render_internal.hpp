// Private pieces of the renderer.
#pragma once

#include "helm_internal.hpp"

#include <weir/gotemplate/template.hpp>
#include <weir/helm/render.hpp>

#include <memory>

namespace weir::helm {

// Sprig 3.2.3 functions missing from libs/gotemplate (semver, shuffle, kebabcase, ...).
void add_sprig_extra(gotemplate::function_table& t);
inline constexpr std::string_view warn_start = "HELM_ERR_START";
inline constexpr std::string_view warn_end = "HELM_ERR_END";
std::string warn_wrap(std::string_view msg);
// The functions do not capture per-render state, so that parsed sets can be cached and shared:
// `lookup` asks the cluster that the render running on this thread set here.
extern thread_local cluster_lookup* current_cluster;
void add_helm_functions(gotemplate::function_table& t);
gotemplate::go_value files_object(std::shared_ptr<const std::vector<chart_file>> files);
gotemplate::go_value api_versions_object(const std::vector<std::string>& versions);
// Integers become float64, as values read through sigs.k8s.io/yaml are in Helm.
weir::value values_as_go_floats(weir::value v);
// Integral float64s written as integers, as Go's encoding/json and sigs.k8s.io/yaml write them.
weir::value json_integers(weir::value v);
// YAML as go-yaml v2 writes it (sigs.k8s.io/yaml.Marshal), with a trailing newline.
std::string go_yaml(const weir::value& v);

} // namespace weir::helm
