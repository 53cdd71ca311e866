// The complete field names of built-in Kubernetes kinds, recursively (PodSpec, Container, ...),
// so that a server can do what the real one does when it decodes into Go structs: report
// unknown fields (fieldValidation Strict/Warn) and drop them.
//
//   const schema::field_type* t = schema::fields_for("apps/v1", "Deployment");
//   const schema::field_ref* f = t ? t->find("spec") : nullptr;  // nullptr: unknown field
//   if (f && f->type) ... f->type->find("template") ...          // nullptr type: any value
//
// A field's type applies to its value when that is an object and to each element when it is a
// list. Facts from the Kubernetes API reference (v1.32); `status` and free-form values (maps,
// quantities, the CRD's openAPIV3Schema, legacy volume plugins) are not described below them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::schema {

struct field_type;

struct field_ref {
    std::string name;
    const field_type* type = nullptr; // nullptr: any value, nothing below is checked
};

struct field_type {
    std::string name;
    std::vector<field_ref> fields;
    const field_ref* find(std::string_view field) const;
};

// The fields of a built-in kind (including apiVersion, kind, metadata), or nullptr when this
// table does not describe it (custom resources, kinds outside the table).
const field_type* fields_for(std::string_view api_version, std::string_view kind);

// A named type of the table ("ObjectMeta", "PodSpec", "Container"), or nullptr.
const field_type* named_type(std::string_view name);

} // namespace weir::schema
