// What engines must know about built-in Kubernetes kinds, as weir's own tables: how list fields
// merge under a strategic-merge patch, which kinds are cluster-scoped, and which fields hold the
// names of other objects (so renames made by namePrefix/nameSuffix/hash suffixes follow them).
//
//   const schema::type_info* t = schema::type_for("apps/v1", "Deployment");
//   const schema::field_info* f = t ? t->find("spec") : nullptr;   // walk down field by field
//   if (schema::cluster_scoped("rbac.authorization.k8s.io", "ClusterRole")) ...
//
// Facts come from the Kubernetes API reference (patchStrategy / patchMergeKey tags) and from
// kustomize's documentation; unknown kinds (custom resources) have no type_info.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::schema {

struct type_info;

// One field of an object type.
struct field_info {
    // The object type of the value (for a list: of each element); nullptr for scalars and maps
    // of scalars, or when nothing below this field needs special handling.
    const type_info* type = nullptr;
    bool is_list = false;
    // List elements merge by these keys (the first is the patch merge key); empty: the list is
    // atomic and a patch replaces it.
    std::vector<std::string> merge_keys{};
    // A list of scalars whose patch strategy is merge (a set union), e.g. metadata.finalizers.
    bool merge_scalars = false;
    // patchStrategy retainKeys (e.g. Deployment spec.strategy, pod volumes).
    bool retain_keys = false;
};

struct type_info {
    std::vector<std::pair<std::string, field_info>> fields;
    const field_info* find(std::string_view name) const;
};

// The group of an apiVersion ("apps/v1" -> "apps", "v1" -> "").
std::string_view group_of(std::string_view api_version);

// The schema of a built-in kind, or nullptr when unknown (custom resources, unknown versions).
const type_info* type_for(std::string_view api_version, std::string_view kind);

// The schema of metadata (ObjectMeta), shared by every kind, known or not.
const type_info* object_meta();

// True for built-in cluster-scoped kinds (Namespace, ClusterRole, CRD, PV, ...). Unknown kinds
// count as namespaced, as kustomize assumes without an openapi schema.
bool cluster_scoped(std::string_view group, std::string_view kind);

// A field that holds the name of another object: objects of kind `referrer_kind` (any kind when
// empty; group matched when non-empty) name an object of `kind`/`group` at `path` (slash-separated,
// lists traversed implicitly, as kustomize field specs are written).
struct name_reference {
    std::string group;
    std::string kind;
    std::string referrer_group;
    std::string referrer_kind;
    std::string path;
};

// The built-in name-reference table.
const std::vector<name_reference>& name_references();

} // namespace weir::schema
