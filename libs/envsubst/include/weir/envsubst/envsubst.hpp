// Flux's post-build variable substitution (fluxcd/pkg envsubst, a fork of drone/envsubst): bash-like
// `${var}` expressions expanded in text.
//
//   envsubst::variables vars{{"cluster", "prod"}};
//   WEIR_TRY_ASSIGN(std::string out, envsubst::substitute("name: app-${cluster}", vars, {.strict = true}));
//   WEIR_TRY_ASSIGN(bool changed, envsubst::substitute_object(obj, vars, {}));   // as Flux does per object
//
// Supported, with Flux's semantics (byte offsets, like Go):
//   ${var}                     the value ("" when unset, an error in strict mode)
//   ${var:=d} ${var=d} ${var:-d} ${var:?d} ${var:+d}
//                              the value, or d when the value is empty (Flux's fork treats all five alike;
//                              d may contain nested ${...}); never a strict-mode error
//   ${var:pos} ${var:pos:len}  substring; negative pos counts from the end, negative len drops chars
//   ${var/pat/rep} ${var//pat/rep} ${var/#pat/rep} ${var/%pat/rep}
//                              replace first / all / prefix / suffix (plain text; \/ and \\ escape)
//   ${var#glob} ${var##glob} ${var%glob} ${var%%glob}   strip shortest/longest prefix/suffix match
//   ${#var} ${var^} ${var^^} ${var,} ${var,,}           length, upper/lower case (ASCII)
//   $var                       left alone (Flux does not substitute without braces)
//   $$                         a literal $, so $${var} gives ${var}
// Errors are terminal, name the line and column, and say what to fix.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace weir::envsubst {

using variables = std::map<std::string, std::string, std::less<>>;

// Returns the variable's value, or nullopt when it is not defined.
using lookup_fn = std::function<std::optional<std::string_view>(std::string_view name)>;

struct options {
    // Undefined variables referenced without a default are errors (Flux's StrictPostBuildSubstitutions).
    bool strict = false;
};

result<std::string> substitute(std::string_view text, const lookup_fn& lookup, options opts = {});
result<std::string> substitute(std::string_view text, const variables& vars, options opts = {});

// Checks the syntax only (what substitute would reject before looking any variable up).
status check_syntax(std::string_view text);

// True when name matches ^[_[:alpha:]][_[:alpha:][:digit:]]*$ (ASCII), as Flux requires of variables.
bool valid_variable_name(std::string_view name);
// An error naming the first invalid variable name.
status validate_variable_names(const variables& vars);

// Flux removes every "\n" from a variable's value when it loads it (from postBuild.substitute and from
// ConfigMap/Secret data), so that a value cannot break the YAML it is substituted into. Loaders call this.
std::string normalize_value(std::string_view value);

// Flux's LoadVariables, one source at a time in spec order (a later source overrides an earlier one;
// call add_inline_variables last, as postBuild.substitute overrides every substituteFrom): a
// ConfigMap's `data`, or a Secret's `data` base64-decoded, each value with its newlines removed.
// Errors (another kind, a Secret value that is not base64) name the object.
status add_variables(variables& vars, const value& config_map_or_secret);
// postBuild.substitute: a mapping of strings.
status add_inline_variables(variables& vars, const value& substitute);

// The label/annotation key and value that opt an object out of substitution.
inline constexpr std::string_view substitute_key = "kustomize.toolkit.fluxcd.io/substitute";
inline constexpr std::string_view disabled_value = "disabled";

// True when the object carries kustomize.toolkit.fluxcd.io/substitute: disabled as a label or annotation.
bool substitution_disabled(const value& obj);

struct object_options {
    bool strict = true;  // StrictPostBuildSubstitutions defaults to true
    bool always = false; // substituteStrategy: Always (substitute even with no variables)
};

// Substitutes in one object's keys and string values. Flux substitutes in the object's YAML text
// and parses it again, so an unquoted ${n} becomes the number 3 while a quoted "${n}" stays the
// string "3"; weir's values do not record quoting, so each substituted scalar is typed as if it was
// unquoted (numbers, booleans, null literals, flow {..}/[..] collections take their type; all other
// text stays a string and, unlike Flux, can never break the YAML around it), except in fields the
// Kubernetes API only accepts as strings (labels, annotations, ConfigMap/Secret data, env values,
// args, command) and in multi-line text, which stay strings.
// Skips objects opted out with substitution_disabled and, unless `always`, does nothing when `vars`
// is empty (substituteStrategy WithVariables). Variable names are validated first. Returns true
// when the object changed; on error the object is unchanged. Errors name the object and the field.
result<bool> substitute_object(value& obj, const variables& vars, object_options opts = {});

} // namespace weir::envsubst
