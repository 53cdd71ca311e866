// kustomize.toolkit.fluxcd.io/v1 Kustomization as a typed spec with Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, kustomization_spec::from(obj));
//   auto source = spec.source_ref;           // namespace filled in from the object
//
// Errors are terminal and name the field.
#pragma once

#include <weir/api/meta.hpp>

#include <optional>
#include <vector>

namespace weir::api::kustomize_v1 {

inline constexpr std::string_view api_version = "kustomize.toolkit.fluxcd.io/v1";

struct selector {
    std::string group, version, kind, name, namespace_, label_selector, annotation_selector;
};

struct patch {
    std::string patch;
    std::optional<selector> target;
};

struct image {
    std::string name, new_name, new_tag, digest;
};

struct substitute_reference {
    std::string kind; // Secret or ConfigMap
    std::string name;
    bool optional = false;
};

struct dependency {
    std::string api_version, kind, name, namespace_;
};

// spec.healthCheckExprs: CEL expressions judging the health of objects of one apiVersion/kind.
struct health_check_expr {
    std::string api_version, kind, current, in_progress, failed; // in_progress/failed may be empty
};

struct kustomization_spec {
    cross_namespace_reference source_ref;
    std::string path; // "./" when empty
    std::chrono::nanoseconds interval{};
    std::chrono::nanoseconds retry_interval{};
    std::chrono::nanoseconds timeout{};
    bool prune = false;
    std::string deletion_policy = "MirrorPrune";
    bool wait = false;
    bool force = false;
    bool suspend = false;
    std::string target_namespace, name_prefix, name_suffix, service_account_name;
    std::vector<std::string> components;
    bool ignore_missing_components = false;
    std::map<std::string, std::string> common_labels, common_annotations;
    std::vector<dependency> depends_on;
    std::vector<cross_namespace_reference> health_checks;
    std::vector<health_check_expr> health_check_exprs;
    std::vector<image> images;
    std::vector<patch> patches;
    std::map<std::string, std::string> substitute;
    std::vector<substitute_reference> substitute_from;
    std::string substitute_strategy = "WithVariables";
    std::optional<std::string> decryption_provider;
    std::optional<local_object_reference> decryption_secret_ref;
    std::optional<kube_config_reference> kube_config; // a remote cluster

    static result<kustomization_spec> from(const value& object);
};

} // namespace weir::api::kustomize_v1
