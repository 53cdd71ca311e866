// Helm's values: user values from -f files and --set flags, coalesced over a chart's defaults.
//
//   weir::helm::value_options opts{.value_files = {"prod.yaml"}, .values = {"image.tag=1.2"}};
//   WEIR_TRY_ASSIGN(weir::value user, weir::helm::merge_value_options(opts));
//   WEIR_TRY(weir::helm::process_dependencies(chart, user));   // conditions, tags, import-values
//   WEIR_TRY_ASSIGN(weir::value vals, weir::helm::coalesce_values(chart, user));
//
// The rules are Helm 3's: user values win over defaults, maps merge recursively, a user null
// deletes a default key, a subchart sees .Values.<name> (its alias if it has one) coalesced over
// its own values.yaml, and `global` flows from parent to every subchart. --set follows Helm's
// strvals: `a.b=c`, lists `a[0]=x`, `a={x,y}`, `\.` and `\,` escapes, numbers and bools typed
// (--set-string keeps strings, --set-literal keeps the whole right-hand side). Errors are terminal.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/helm/chart.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weir::helm {

enum class set_mode : std::uint8_t {
    typed,   // --set: 1 is an int, true a bool, null deletes
    string,  // --set-string: every value a string
    literal, // --set-literal: the right-hand side as is, no list or escape syntax
};

// Parses one --set argument ("a.b=c,d[0]=e") into `into`, as Helm's strvals.ParseInto does.
status parse_set(std::string_view expr, weir::value& into, set_mode mode = set_mode::typed);

struct value_options {
    std::vector<std::filesystem::path> value_files; // -f, merged in order
    std::vector<std::string> values;                // --set
    std::vector<std::string> string_values;         // --set-string
    std::vector<std::string> literal_values;        // --set-literal
    std::vector<std::string> json_values;           // --set-json: one key=JSON per entry
    std::vector<std::string> file_values;           // --set-file: key=path, the file's text
};

// -f files merged in order (maps recursively), then --set, --set-string, --set-json,
// --set-literal, --set-file (Helm's order).
result<weir::value> merge_value_options(const value_options& opts);
// Helm's mergeMaps: `over` onto `base`, maps recursively, everything else replaced.
weir::value merge_maps(weir::value base, const weir::value& over);

// Helm's CoalesceValues: the values a chart renders with, subcharts and globals included.
// `user` must be an object (or null). Null user values delete defaults.
result<weir::value> coalesce_values(const chart& c, const weir::value& user);

// Helm's ProcessDependencies: renames aliased subcharts (a chart listed twice under two aliases
// appears twice), drops those whose condition or tags disable them, then applies import-values
// into the parents' defaults. Mutates `c`; render_chart calls it on its own copy.
status process_dependencies(chart& c, const weir::value& user);

// Validates `values` against the chart's values.schema.json and every subchart's (that has
// values) against theirs, as Helm does before rendering (JSON Schema draft 7). The message is
// Helm 3.18+/4's: "values don't meet the specifications of the schema(s) in the following
// chart(s):\npodinfo:\n- at '/replicaCount': got string, want integer\n".
status validate_values(const chart& c, const weir::value& values);
// One schema against one document; returns the top-level failures, each "- at 'PTR': MESSAGE"
// (a failure with causes spans several lines, the causes indented).
result<std::vector<std::string>> validate_json_schema(const weir::value& schema, const weir::value& doc);

} // namespace weir::helm
