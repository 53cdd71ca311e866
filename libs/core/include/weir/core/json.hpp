// JSON text <-> weir::value, on RapidJSON (kept out of this header).
//
//   WEIR_TRY_ASSIGN(value doc, parse_json(body));
//   std::string text = to_json(doc);                 // compact, keys in stored order
//   std::string pretty = to_json(doc, {.indent = 2});
//
// Parsing validates UTF-8, keeps full double precision, limits nesting depth, and reports the
// byte offset of an error. Integers that do not fit int64 become doubles, as Go does.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <string_view>

namespace weir {

struct json_parse_options {
    std::size_t max_depth = 1000;
};

result<value> parse_json(std::string_view text, json_parse_options options = {});

struct json_write_options {
    int indent = 0; // 0: compact on one line
};

// Non-finite numbers (YAML's .inf and .nan), which JSON cannot hold, are written as null; callers
// that must refuse them (the API server, as Kubernetes does) check json_representable first.
std::string to_json(const value& v, json_write_options options = {});
bool json_representable(const value& v);
void append_json(std::string& out, const value& v);
// A JSON string literal for s, with quotes and escapes.
std::string json_quote(std::string_view s);

} // namespace weir
