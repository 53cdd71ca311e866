// Types and names shared by every Flux-compatible kind: object references, the artifact record,
// well-known annotations, and the inventory id format.
//
//   WEIR_TRY_ASSIGN(auto art, artifact::from(*status.find("artifact")));
//   inventory_id("default", "podinfo", "", "Service") == "default_podinfo__Service"
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace weir::api {

inline constexpr std::string_view source_group = "source.toolkit.fluxcd.io";
inline constexpr std::string_view kustomize_group = "kustomize.toolkit.fluxcd.io";
inline constexpr std::string_view helm_group = "helm.toolkit.fluxcd.io";
inline constexpr std::string_view notification_group = "notification.toolkit.fluxcd.io";
inline constexpr std::string_view image_group = "image.toolkit.fluxcd.io";

inline constexpr std::string_view flux_finalizer = "finalizers.fluxcd.io";

struct local_object_reference {
    std::string name;
};

// spec.kubeConfig of Kustomizations and HelmReleases: the Secret holding a remote cluster's
// kubeconfig (key empty: "value", then "value.yaml").
struct kube_config_reference {
    std::string secret_name;
    std::string key;
    // Reads spec.kubeConfig; nullopt when absent. configMapRef (cloud workload identity) is refused.
    static result<std::optional<kube_config_reference>> from_spec(const value& spec);
};

// A reference to a source (or another object) that may live in another namespace.
struct cross_namespace_reference {
    std::string api_version; // optional; empty means "the served version"
    std::string kind;
    std::string name;
    std::string namespace_; // empty means "the referrer's namespace"
};

// status.artifact of every source kind.
struct artifact {
    std::string path;
    std::string url;
    std::string revision;
    std::string digest; // "<algo>:<hex>"
    std::string last_update_time;
    std::int64_t size = 0;
    std::map<std::string, std::string> metadata;

    static result<artifact> from(const value& v);
    value to_value() const;
    bool same_revision(const artifact& other) const { return revision == other.revision && digest == other.digest; }
};

// "<namespace>_<name>_<group>_<kind>", with ":" in names written as "__" (Flux's inventory format).
std::string inventory_id(std::string_view namespace_, std::string_view name, std::string_view group,
                         std::string_view kind);

// The group part of an apiVersion ("apps/v1" -> "apps", "v1" -> "").
std::string_view api_group(std::string_view api_version);

} // namespace weir::api
