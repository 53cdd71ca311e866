// The resource types weir-apiserver serves: the built-in kinds and, once their
// CustomResourceDefinitions exist, custom ones. One entry per group, version and resource.
//
//   resource_registry reg;                      // built-ins
//   const resource_info* r = reg.find("apps", "v1", "deployments");
//   reg.set_custom(crds);                       // after a CRD changes
//
// Objects of every version of a group/resource share one storage key space.
#pragma once

#include <weir/core/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir::apiserver {

struct resource_info {
    std::string group, version, resource, kind, singular;
    bool namespaced = true;
    bool status = false;       // has a status subresource
    bool scale = false;        // has a scale subresource
    bool generation = true;    // metadata.generation tracks spec changes
    bool custom = false;
    std::vector<std::string> short_names, categories, verbs;
    // CRDs: the schema of this version (openAPIV3Schema) and the scale paths.
    std::shared_ptr<const value> schema;
    std::shared_ptr<const value> printer_columns;
    std::string spec_replicas_path, status_replicas_path;

    std::string api_version() const { return group.empty() ? version : group + "/" + version; }
    std::string key_prefix() const { return group + "/" + resource + "/"; }
    std::string list_kind() const { return kind + "List"; }
};

class resource_registry {
public:
    resource_registry();

    const resource_info* find(std::string_view group, std::string_view version, std::string_view resource) const;
    const resource_info* find_kind(std::string_view api_version, std::string_view kind) const;
    // Any served version of group/resource (for garbage collection and namespace cleanup).
    std::vector<const resource_info*> all() const;
    // Replaces the custom resources with those the given CRD objects define.
    void set_custom(const std::vector<value>& crds);
    // The groups in discovery order, each with its versions (preferred first).
    std::vector<std::pair<std::string, std::vector<std::string>>> groups() const;

private:
    std::vector<resource_info> builtin_;
    std::vector<resource_info> custom_;
};

} // namespace weir::apiserver
