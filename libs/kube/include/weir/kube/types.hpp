// Names of Kubernetes kinds, resources and objects, shared by the client and the runtime.
//
//   gvk cm{"", "v1", "ConfigMap"};                         // core group is ""
//   gvk ks = gvk::from_api_version("kustomize.toolkit.fluxcd.io/v1", "Kustomization");
//   object_key k = object_key::of(obj);                     // {"default", "podinfo"}
//   k.str() == "default/podinfo"
//
// Objects are weir::value trees; the cache shares them as `object_ptr` (immutable snapshots).
#pragma once

#include <weir/core/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace weir::kube {

using object_ptr = std::shared_ptr<const weir::value>;

struct gvk {
    std::string group;
    std::string version;
    std::string kind;

    // "v1" for the core group, "group/version" otherwise.
    std::string api_version() const;
    // Splits "group/version" (or "v1") and attaches kind.
    static gvk from_api_version(std::string_view api_version, std::string_view kind);
    // The kind of an object from its apiVersion and kind fields.
    static gvk of(const weir::value& obj);
    std::string str() const; // "ConfigMap.v1" or "Kustomization.v1.kustomize.toolkit.fluxcd.io"
    bool operator==(const gvk&) const = default;
    auto operator<=>(const gvk&) const = default;
};

// How a kind is served: its plural resource name and whether objects live in namespaces.
struct resource_mapping {
    std::string group;
    std::string version;
    std::string resource; // plural, lower-case: "configmaps"
    std::string kind;
    bool namespaced = true;
};

// namespace/name of an object; namespace is empty for cluster-scoped objects.
struct object_key {
    std::string namespace_;
    std::string name;

    static object_key of(const weir::value& obj);
    // Parses "ns/name" or "name".
    static object_key parse(std::string_view key);
    std::string str() const;
    bool operator==(const object_key&) const = default;
    auto operator<=>(const object_key&) const = default;
};

// Metadata accessors that tolerate missing fields (empty string / 0).
std::string_view name_of(const weir::value& obj);
std::string_view namespace_of(const weir::value& obj);
std::string_view resource_version_of(const weir::value& obj);
std::string_view uid_of(const weir::value& obj);
std::int64_t generation_of(const weir::value& obj);
const weir::value* labels_of(const weir::value& obj);
const weir::value* annotations_of(const weir::value& obj);

} // namespace weir::kube
