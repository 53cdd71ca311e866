// The fields of built-in kinds that the real API server refuses to change after creation. Flux's
// `spec.force` (delete and recreate) exists because of these errors, so the server has to raise
// them for the controllers' recreate path to be exercised at all.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::apiserver {

namespace {

const value* at(const value& obj, std::initializer_list<std::string_view> path)
{
    return obj.find_path(path);
}

bool same(const value* a, const value* b)
{
    if (!a || !b) return a == b;
    return *a == *b;
}

bool is_true(const value* v)
{
    return v && v->is_bool() && v->as_bool();
}

std::string shown(const value* v)
{
    return v ? to_json(*v) : "null";
}

// ConfigMaps and Secrets marked `immutable: true` keep their data, and the mark itself.
status check_immutable_data(call& c, const value& old, const value& obj, std::string_view kind)
{
    if (!is_true(old.find("immutable"))) return ok();
    if (!is_true(obj.find("immutable")))
        return invalid(c, kind, c.t.name, "immutable",
                       "Forbidden: field is immutable when `immutable` is set", "FieldValueForbidden");
    for (const char* field : {"data", "binaryData"})
        if (!same(old.find(field), obj.find(field)))
            return invalid(c, kind, c.t.name, field, "Forbidden: field is immutable when `immutable` is set",
                           "FieldValueForbidden");
    return ok();
}

status check_same(call& c, const value& old, const value& obj, std::string_view kind,
                  std::initializer_list<std::string_view> path, std::string field)
{
    const value* before = at(old, path);
    const value* after = at(obj, path);
    if (same(before, after)) return ok();
    return invalid(c, kind, c.t.name, std::move(field),
                   fmt::format("Invalid value: {}: field is immutable", shown(after)), "FieldValueInvalid");
}

} // namespace

status api::impl::validate_immutable(call& c, const value& old, const value& obj)
{
    const std::string& resource = c.t.res->resource;
    const std::string& group = c.t.res->group;
    const std::string& kind = c.t.res->kind;
    if (group.empty() && resource == "configmaps") return check_immutable_data(c, old, obj, kind);
    if (group.empty() && resource == "secrets") {
        WEIR_TRY(check_same(c, old, obj, kind, {"type"}, "type"));
        return check_immutable_data(c, old, obj, kind);
    }
    if (group == "apps" && (resource == "deployments" || resource == "statefulsets" ||
                            resource == "daemonsets" || resource == "replicasets"))
        return check_same(c, old, obj, kind, {"spec", "selector"}, "spec.selector");
    if (group == "batch" && resource == "jobs") {
        WEIR_TRY(check_same(c, old, obj, kind, {"spec", "selector"}, "spec.selector"));
        return check_same(c, old, obj, kind, {"spec", "template"}, "spec.template");
    }
    return ok();
}

} // namespace weir::apiserver
