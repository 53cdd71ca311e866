// Plain-scalar resolution shared by the YAML parser and emitter (private to libs/core).
#pragma once

#include <weir/core/value.hpp>
#include <weir/core/yaml.hpp>

#include <optional>
#include <string_view>

namespace weir::detail {

// The typed value a plain scalar denotes under a schema; nullopt means "a string".
std::optional<value> resolve_plain_scalar(std::string_view text, yaml_schema schema);

// Whether the text would resolve to something other than a string under the YAML 1.1 rules that
// other readers (PyYAML, go-yaml v2) apply beyond our two schemas: timestamps, base-60, `=`.
bool looks_like_yaml11_special(std::string_view text);

} // namespace weir::detail
