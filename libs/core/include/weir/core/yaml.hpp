// YAML text <-> weir::value, the way Kubernetes tooling reads and writes it.
//
//   WEIR_TRY_ASSIGN(auto docs, parse_yaml_stream(text));         // "---"-separated documents
//   std::string out = to_yaml_stream(docs);                        // kubectl/kustomize layout
//
// Plain scalars resolve by one of two schemas: YAML 1.2 core (kustomize's kyaml, the default:
// `yes` and `on` stay strings) or Kubernetes' YAML 1.1 (sigs.k8s.io/yaml, as the API server and
// kubectl read manifests: `yes/no/on/off/y/n` are booleans, `0755` is octal). Quoted scalars are
// always strings. Errors name the line and column (1-based). Hostile input is bounded: nesting
// depth, alias expansion (billion laughs), scalar size; duplicate mapping keys are an error.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weir {

// kyaml_1_2: YAML 1.2 core as kustomize's go-yaml v3 reads it, which also takes a leading-zero
// integer (`0755`) as octal.
enum class yaml_schema : std::uint8_t { core_1_2, kubernetes_1_1, kyaml_1_2 };

struct yaml_parse_options {
    yaml_schema schema = yaml_schema::core_1_2;
    std::size_t max_depth = 1000;
    // Aliases may expand a document to at most this many nodes in all.
    std::size_t max_alias_nodes = 1'000'000;
    std::size_t max_scalar_bytes = 64u << 20;
    // Keep documents that are empty (a bare "---") as nulls instead of dropping them.
    bool keep_empty_documents = false;
};

// Every document of a stream.
result<std::vector<value>> parse_yaml_stream(std::string_view text, yaml_parse_options options = {});
// Exactly one document (an empty input is null); a stream of several is an error.
result<value> parse_yaml(std::string_view text, yaml_parse_options options = {});

// Block-style YAML as kubectl prints it: two-space indents, sequences flush under their key,
// multi-line strings as literal blocks, strings that would read back as another type quoted.
std::string to_yaml(const value& v);
// Documents joined with "---\n".
std::string to_yaml_stream(const std::vector<value>& docs);

// True when a plain (unquoted) scalar with this text would read back as the string itself under
// both schemas, so it can be written without quotes.
bool yaml_plain_safe(std::string_view s);

} // namespace weir
