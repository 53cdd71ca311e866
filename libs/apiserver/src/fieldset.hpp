// Private: field sets in the managedFields "FieldsV1" form, and the list semantics they need.
// A set is a value tree: {"f:spec": {"f:replicas": {}, "f:containers": {"k:{\"name\":\"web\"}":
// {".": {}, "f:image": {}}}}}; an empty object is an owned leaf, "." owns a list element itself.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <vector>

namespace weir::apiserver {

struct list_semantics {
    enum class type : unsigned char { atomic, map, set } kind = type::atomic;
    std::vector<std::string> keys;
    // Built-in ports lists: a missing protocol key is its default, TCP (as the real server's
    // schema declares it), so {port: 80} and {port: 80, protocol: TCP} are the same element.
    bool tcp_default = false;
};

// How the array at field `name` merges: from the schema when given (x-kubernetes-list-type),
// else from what Kubernetes' built-in types declare for well-known field names.
list_semantics list_type_of(const value* array_schema, std::string_view name, const value& arr);
const value* child_schema(const value* schema, std::string_view field);
const value* item_schema(const value* schema);

// The path element of a list item ("k:{...}" or "v:...").
std::string item_element(const list_semantics& ls, const value& item);

enum class fields_scope : unsigned char { all, no_status, status_only };

// Every field `obj` sets, as a set.
value fields_of(const value& obj, const value* schema, fields_scope scope);
// Fields set in `now` whose value differs from (or is absent in) `before`, and fields of `before`
// absent from `now`.
value changed_fields(const value* before, const value& now, const value* schema, fields_scope scope);

void fs_union(value& into, const value& add);
// a minus the leaves of b.
value fs_subtract(const value& a, const value& b);
bool fs_empty(const value& s);
// Leaf paths of a set (element lists), in tree order; "." leaves name their parent element.
void fs_leaves(const value& s, std::vector<std::vector<std::string>>& out, std::vector<std::string>& cur);
bool fs_contains(const value& s, const std::vector<std::string>& path);

// The value at a field path in an object, or nullptr.
const value* resolve_path(const value& obj, const std::vector<std::string>& path);
// Removes the field or list element at path; false when absent.
bool remove_path(value& obj, const std::vector<std::string>& path);
// ".spec.containers[name=\"web\"].image", as conflicts name fields.
std::string path_string(const std::vector<std::string>& path);

// Merges an applied configuration into a live object: maps merge, associative lists merge by
// key, everything else is replaced.
void merge_applied(value& live, const value& applied, const value* schema, std::string_view name);

} // namespace weir::apiserver
