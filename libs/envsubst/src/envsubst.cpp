#include <weir/envsubst/envsubst.hpp>

#include <weir/core/encoding.hpp>
#include <weir/core/yaml.hpp>

#include <vector>

#include "funcs.hpp"
#include "parse.hpp"

#include <fmt/format.h>

namespace weir::envsubst {
namespace {

bool default_op(std::string_view op)
{
    return op == "-" || op == "+" || op == "=" || op == "?" || op == ":-" || op == ":+" || op == ":=" ||
           op == ":?";
}

class evaluator {
public:
    evaluator(std::string_view input, const lookup_fn& lookup, options opts)
        : input_(input), lookup_(lookup), opts_(opts)
    {
    }

    status eval_list(const std::vector<detail::node>& nodes, std::string& out)
    {
        for (const auto& n : nodes) WEIR_TRY(eval(n, out));
        return ok();
    }

private:
    status eval(const detail::node& n, std::string& out)
    {
        if (!n.is_expr) {
            out += n.text;
            return ok();
        }
        // Arguments first, as Flux does: a nested undefined variable fails even when unused.
        std::vector<std::string> args;
        args.reserve(n.args.size());
        for (const auto& a : n.args) {
            std::string s;
            WEIR_TRY(eval(a, s));
            args.push_back(std::move(s));
        }
        std::optional<std::string_view> v = lookup_(n.param);
        if (!v && opts_.strict && !default_op(n.op)) {
            return terminal_error(
                fmt::format("variable \"{}\" is not set (strict mode) at {}: define it in postBuild.substitute "
                            "or a substituteFrom ConfigMap/Secret, or give a default with ${{{}:=default}}",
                            n.param, detail::location(input_, n.offset), n.param),
                "BuildFailed");
        }
        std::string value = v ? std::string(*v) : std::string();
        out += detail::apply(n.op, value, args);
        return ok();
    }

    std::string_view input_;
    const lookup_fn& lookup_;
    options opts_;
};

std::string object_name(const value& obj)
{
    std::string kind(obj.get_string("kind", "object"));
    const value* meta = obj.find("metadata");
    std::string ns, name;
    if (meta) {
        ns = meta->get_string("namespace");
        name = meta->get_string("name");
    }
    return ns.empty() ? fmt::format("{} {}", kind, name) : fmt::format("{} {}/{}", kind, ns, name);
}

bool map_disables(const value* meta, std::string_view field)
{
    if (!meta) return false;
    const value* m = meta->find(field);
    if (!m) return false;
    const value* v = m->find(substitute_key);
    return v && v->is_string() && v->as_string() == disabled_value;
}

// Fields Kubernetes only accepts as strings: a substituted "8080" or "true" stays a string there.
bool string_only(const std::vector<std::string>& path, std::string_view kind)
{
    auto n = path.size();
    if (n == 3 && path[0] == "metadata" && (path[1] == "labels" || path[1] == "annotations")) return true;
    if (n == 2 && kind == "ConfigMap" && (path[0] == "data" || path[0] == "binaryData")) return true;
    if (n == 2 && kind == "Secret" && (path[0] == "data" || path[0] == "stringData")) return true;
    if (n >= 3 && path[n - 1] == "value" && path[n - 3] == "env") return true;
    if (n >= 2 && (path[n - 2] == "args" || path[n - 2] == "command")) return true;
    return false;
}

bool null_literal(std::string_view s) { return s == "null" || s == "Null" || s == "NULL" || s == "~"; }

// What an unquoted YAML scalar with this text would be in Flux (sigs.k8s.io/yaml, YAML 1.1):
// numbers, booleans, null and flow collections take their type; anything else stays the string,
// including text that would have broken the YAML around it (where Flux fails the build).
value retype(std::string s)
{
    if (s.empty() || s.size() > 4096 || s.find('\n') != std::string::npos) return value(std::move(s));
    char c = s[0];
    bool maybe = std::string_view("0123456789-+.~{[tfynoTFYNO").find(c) != std::string_view::npos;
    if (!maybe) return value(std::move(s));
    auto parsed = parse_yaml(s, {.schema = yaml_schema::kubernetes_1_1, .max_depth = 64});
    if (!parsed) return value(std::move(s));
    if (parsed->is_number() || parsed->is_bool()) return std::move(*parsed);
    if (parsed->is_null() && null_literal(s)) return std::move(*parsed);
    if ((parsed->is_object() && c == '{') || (parsed->is_array() && c == '[')) return std::move(*parsed);
    return value(std::move(s));
}

std::string dotted(const std::vector<std::string>& path)
{
    std::string out;
    for (const auto& p : path) {
        if (p == "[]") {
            out += "[]";
            continue;
        }
        if (!out.empty()) out += '.';
        out += p;
    }
    return out.empty() ? std::string("(root)") : out;
}

// Substitutes every key and string scalar of an object. Flux substitutes in the object's YAML text,
// where kyaml remembers whether each scalar was quoted: a quoted "${n}" stays a string and an
// unquoted ${n} takes the type of its new text. weir's values do not record quoting, so each
// substituted scalar is typed as if unquoted (retype), except in fields the API only takes as
// strings and in multi-line text, and a value can never break the document's structure.
class object_substituter {
public:
    object_substituter(const variables& vars, bool strict, std::string kind)
        : vars_(vars), strict_(strict), kind_(std::move(kind))
    {
    }

    result<bool> walk(value& v)
    {
        if (v.is_object()) return walk_object(v.as_object());
        if (v.is_array()) {
            bool changed = false;
            for (auto& e : v.as_array()) {
                path_.push_back("[]");
                WEIR_TRY_ASSIGN(bool c, walk(e));
                path_.pop_back();
                changed = changed || c;
            }
            return changed;
        }
        if (!v.is_string() || v.as_string().find('$') == std::string::npos) return false;
        WEIR_TRY_ASSIGN(std::string s, expand(v.as_string()));
        if (s == v.as_string()) return false;
        v = string_only(path_, kind_) ? value(std::move(s)) : retype(std::move(s));
        return true;
    }

private:
    result<bool> walk_object(object& o)
    {
        bool changed = false;
        object out;
        out.reserve(o.size());
        for (auto& [k, v] : o) {
            std::string key = k;
            if (key.find('$') != std::string::npos) {
                WEIR_TRY_ASSIGN(key, expand(k));
                changed = changed || key != k;
            }
            path_.push_back(key);
            WEIR_TRY_ASSIGN(bool c, walk(v));
            path_.pop_back();
            changed = changed || c;
            if (out.contains(key))
                return terminal_error(fmt::format("field {}: variable substitution produced the duplicate key "
                                                  "\"{}\"; rename the variables used in keys",
                                                  dotted(path_), key),
                                      "BuildFailed");
            out.push_back(std::move(key), std::move(v));
        }
        o = std::move(out);
        return changed;
    }

    result<std::string> expand(const std::string& s)
    {
        auto r = substitute(s, vars_, {.strict = strict_});
        if (!r) return r.err().wrap(fmt::format("field {}", dotted(path_)));
        return r;
    }

    const variables& vars_;
    bool strict_;
    std::string kind_;
    std::vector<std::string> path_;
};

} // namespace

result<std::string> substitute(std::string_view text, const lookup_fn& lookup, options opts)
{
    WEIR_TRY_ASSIGN(auto nodes, detail::parse(text));
    std::string out;
    out.reserve(text.size());
    WEIR_TRY(evaluator(text, lookup, opts).eval_list(nodes, out));
    return out;
}

result<std::string> substitute(std::string_view text, const variables& vars, options opts)
{
    lookup_fn lookup = [&vars](std::string_view name) -> std::optional<std::string_view> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return std::string_view(it->second);
    };
    return substitute(text, lookup, opts);
}

status check_syntax(std::string_view text)
{
    WEIR_TRY(detail::parse(text));
    return ok();
}

bool valid_variable_name(std::string_view name)
{
    if (name.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(name[0])) return false;
    for (char c : name)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

status validate_variable_names(const variables& vars)
{
    for (const auto& [name, _] : vars) {
        if (!valid_variable_name(name))
            return terminal_error(
                fmt::format("'{}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$': rename "
                            "the key in postBuild.substitute or in the substituteFrom ConfigMap/Secret",
                            name),
                "BuildFailed");
    }
    return ok();
}

std::string normalize_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value)
        if (c != '\n') out += c;
    return out;
}

status add_variables(variables& vars, const value& source)
{
    std::string kind(source.get_string("kind"));
    std::string name = object_name(source);
    if (kind != "ConfigMap" && kind != "Secret")
        return terminal_error(fmt::format("{}: substituteFrom accepts only a ConfigMap or a Secret", name),
                              "BuildFailed");
    const value* data = source.find("data");
    if (!data || data->is_null()) return ok();
    if (!data->is_object()) return terminal_error(fmt::format("{}: data is not a mapping", name), "BuildFailed");
    for (const auto& [k, v] : data->as_object()) {
        if (!v.is_string())
            return terminal_error(fmt::format("{}: data key {} is not a string", name, k), "BuildFailed");
        if (kind == "ConfigMap") {
            vars[k] = normalize_value(v.as_string());
            continue;
        }
        auto decoded = base64_decode(v.as_string());
        if (!decoded)
            return terminal_error(fmt::format("{}: data key {} is not valid base64", name, k), "BuildFailed");
        vars[k] = normalize_value(*decoded);
    }
    return ok();
}

status add_inline_variables(variables& vars, const value& substitute)
{
    if (substitute.is_null()) return ok();
    if (!substitute.is_object())
        return terminal_error("postBuild.substitute must be a mapping of strings", "BuildFailed");
    for (const auto& [k, v] : substitute.as_object()) {
        if (!v.is_string())
            return terminal_error(fmt::format("postBuild.substitute.{} must be a string: quote numbers and booleans "
                                              "(\"{}\")",
                                              k, k),
                                  "BuildFailed");
        vars[k] = normalize_value(v.as_string());
    }
    return ok();
}

bool substitution_disabled(const value& obj)
{
    const value* meta = obj.find("metadata");
    return map_disables(meta, "labels") || map_disables(meta, "annotations");
}

result<bool> substitute_object(value& obj, const variables& vars, object_options opts)
{
    if (substitution_disabled(obj)) return false;
    if (vars.empty() && !opts.always) return false;
    WEIR_TRY(validate_variable_names(vars));
    value copy = obj;
    auto changed = object_substituter(vars, opts.strict, std::string(obj.get_string("kind"))).walk(copy);
    if (!changed) return changed.err().wrap(fmt::format("{}: variable substitution failed", object_name(obj)));
    if (*changed) obj = std::move(copy);
    return *changed;
}

} // namespace weir::envsubst
