// Go's text/template language, as Go 1.19 defines it, with the builtin functions and Sprig 3.2.3.
//
//   using namespace weir::gotemplate;
//   template_set set(function_table::with_sprig(), {.missing = missing_key::zero});
//   WEIR_TRY(set.parse("deployment.yaml", text));          // defines add named templates
//   WEIR_TRY_ASSIGN(std::string out, set.execute("deployment.yaml", go_value::from(values)));
//
//   // the one-shot form, as `weir helm render-template` uses it:
//   WEIR_TRY_ASSIGN(std::string out, render("{{ .name | upper }}", data));
//
// Errors read as Go's do ("template: NAME:LINE:COL: executing \"NAME\" at <.x>: ...") and are
// terminal: the template or its data must change. Rendering is bounded: template calls nest at
// most `max_depth` deep and the output stops at `max_output` bytes, each with a clear error.
// A template_set is immutable while it executes, so one set may render from several threads.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/gotemplate/go_value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weir::gotemplate {

// What a field or map access yields for a missing key (Go's Option("missingkey=...")).
// Helm renders with `zero`, and `error` when --strict is given.
enum class missing_key : std::uint8_t { invalid, zero, error };

struct options {
    missing_key missing = missing_key::invalid;
    std::size_t max_depth = 1000;       // nested {{template}}/include calls
    std::size_t max_output = 64u << 20; // bytes of rendered text
};

// A Go parameter type: how an argument is checked and converted before the call, as Go's
// reflection-based call does ("wrong type for value; expected int; got int64").
enum class param : std::uint8_t {
    any, // interface{}: missing becomes nil, constants become int or float64
    raw, // reflect.Value: passed as is, missing included (eq, and, or, ...)
    string_,
    int_,
    int64_,
    float64_,
    bool_,
    list_any, // []interface{}
    list_string,
    map_any, // map[string]interface{}
};

class call_context;
// A function receives its converted arguments; an error becomes "error calling NAME: MESSAGE".
using function_body = std::function<result<go_value>(call_context&, std::span<const go_value>)>;

struct function {
    std::vector<param> params; // with `variadic`, the last one repeats
    bool variadic = false;
    function_body body;
    // and/or evaluate their arguments lazily; only the builtins set this.
    bool short_circuit = false;
};

// The functions a template may call, by name. Users add theirs (Helm adds include, tpl,
// toYaml, ...) before parsing: a name unknown at parse time is a parse error, as in Go.
class function_table {
public:
    // Go's builtins: and call eq ge gt html index js le len lt ne not or print printf println
    // slice urlquery.
    static function_table builtins();
    // builtins plus Sprig 3.2.3's TxtFuncMap, as Helm starts from.
    static function_table with_sprig();

    void add(std::string name, function f);
    const function* find(std::string_view name) const;

private:
    std::unordered_map<std::string, function> map_;
};

// Methods of one value (see go_value::with_methods). Each function already holds its receiver.
struct method_set {
    function_table methods;
    // What the value's String() method returns, when it has one: %v, %s and print use it.
    std::optional<std::string> display;
    // For a map standing in for a Go map with struct keys (map[ObjectIdentifier][]Change): what
    // `range $k, $v := .` binds to $k for each string key, so `$k.Kind` works. The string keys
    // order the iteration (make them sort as Go sorts the structs).
    std::shared_ptr<const go_map> range_keys;
};

struct template_tree; // a parsed template (private)

// What a function may ask of the running template: Helm's `include` executes a named template
// at the current depth, `tpl` parses and renders text with the same functions.
class call_context {
public:
    virtual ~call_context() = default;
    virtual result<std::string> execute_template(std::string_view name, const go_value& data) = 0;
    virtual result<std::string> render_text(std::string_view name, std::string_view text,
                                            const go_value& data) = 0;
    virtual const options& opts() const = 0;
};

class template_set {
public:
    explicit template_set(function_table functions = function_table::with_sprig(), options opts = {});
    ~template_set();
    template_set(template_set&&) noexcept;
    template_set& operator=(template_set&&) noexcept;

    // Parses `text` as the template `name`; its {{define}}/{{block}}s join the set (a later
    // parse replaces a same-named template, as Go's Parse does).
    status parse(std::string_view name, std::string_view text);
    bool has(std::string_view name) const;
    result<std::string> execute(std::string_view name, const go_value& data) const;
    // Appends to `out`, which holds what was rendered before an error too (as Go's writer does).
    status execute_into(std::string& out, std::string_view name, const go_value& data) const;

    const function_table& functions() const;
    const options& opts() const { return opts_; }
    function_table& mutable_functions();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    options opts_;
};

// Parses `text` as template "render-template" and executes it on `data` with Sprig.
result<std::string> render(std::string_view text, const weir::value& data, options opts = {});

} // namespace weir::gotemplate
