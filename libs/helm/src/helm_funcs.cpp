// Helm's own template functions on top of Sprig (pkg/engine/funcs.go): include, tpl, required,
// fail, toYaml & co, and the objects with methods: .Files and .Capabilities.APIVersions.
#include "render_internal.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <fnmatch.h>

#include <cmath>

namespace weir::helm {
namespace gt = weir::gotemplate;
namespace {

// Go's encoding/json and sigs.k8s.io/yaml write an integral float64 as an integer.
weir::value json_numbers(weir::value v)
{
    switch (v.type()) {
    case weir::value::kind::number: {
        double d = v.as_double();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.2e18) return std::int64_t(d);
        return v;
    }
    case weir::value::kind::array:
        for (auto& e : v.as_array()) e = json_numbers(std::move(e));
        return v;
    case weir::value::kind::object:
        for (auto& [k, e] : v.as_object()) e = json_numbers(std::move(e));
        return v;
    default:
        return v;
    }
}

// Numbers read by sigs.k8s.io/yaml or encoding/json into interface{} are float64.
weir::value go_floats(weir::value v)
{
    switch (v.type()) {
    case weir::value::kind::integer:
        return double(v.as_int());
    case weir::value::kind::array:
        for (auto& e : v.as_array()) e = go_floats(std::move(e));
        return v;
    case weir::value::kind::object:
        for (auto& [k, e] : v.as_object()) e = go_floats(std::move(e));
        return v;
    default:
        return v;
    }
}

std::string to_yaml_text(const gt::go_value& v)
{
    std::string s = go_yaml(json_numbers(v.to_value()));
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

gt::function fn(std::vector<gt::param> params, gt::function_body body, bool variadic = false)
{
    return gt::function{std::move(params), variadic, std::move(body), false};
}

gt::go_value str(std::string s) { return gt::go_value::of_string(std::move(s)); }

void toml_scalar(std::string& out, const weir::value& v)
{
    if (v.is_string()) out += weir::json_quote(v.as_string());
    else if (v.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& e : v.as_array()) {
            if (!first) out += ", ";
            first = false;
            toml_scalar(out, e);
        }
        out += ']';
    } else out += weir::to_json(v);
}

void toml_table(std::string& out, const weir::value& v, const std::string& prefix)
{
    for (const auto& [k, e] : v.as_object())
        if (!e.is_object() && !e.is_null()) {
            out += k + " = ";
            toml_scalar(out, e);
            out += '\n';
        }
    for (const auto& [k, e] : v.as_object())
        if (e.is_object()) {
            std::string name = prefix.empty() ? k : prefix + "." + k;
            out += "\n[" + name + "]\n";
            toml_table(out, e, name);
        }
}

// gobwas/glob with '/' as separator: * stays within a segment, ** crosses them, {a,b} alternates.
bool glob_match(std::string_view pat, std::string_view s)
{
    auto brace = pat.find('{');
    if (brace != std::string_view::npos) {
        auto close = pat.find('}', brace);
        if (close != std::string_view::npos) {
            std::string_view alts = pat.substr(brace + 1, close - brace - 1);
            std::size_t st = 0;
            for (;;) {
                auto comma = alts.find(',', st);
                std::string p = std::string(pat.substr(0, brace)) +
                                std::string(alts.substr(st, comma == std::string_view::npos ? alts.npos : comma - st)) +
                                std::string(pat.substr(close + 1));
                if (glob_match(p, s)) return true;
                if (comma == std::string_view::npos) return false;
                st = comma + 1;
            }
        }
    }
    if (pat.empty()) return s.empty();
    if (pat.substr(0, 2) == "**") {
        for (std::size_t i = 0; i <= s.size(); ++i)
            if (glob_match(pat.substr(2), s.substr(i))) return true;
        return false;
    }
    if (pat[0] == '*') {
        for (std::size_t i = 0; i <= s.size(); ++i) {
            if (glob_match(pat.substr(1), s.substr(i))) return true;
            if (i < s.size() && s[i] == '/') return false;
        }
        return false;
    }
    if (s.empty()) return false;
    if (pat[0] == '?') return s[0] != '/' && glob_match(pat.substr(1), s.substr(1));
    if (pat[0] == '[') {
        auto close = pat.find(']');
        if (close != std::string_view::npos) {
            std::string cls(pat.substr(0, close + 1));
            char one[2] = {s[0], 0};
            return fnmatch(cls.c_str(), one, 0) == 0 && glob_match(pat.substr(close + 1), s.substr(1));
        }
    }
    if (pat[0] == '\\' && pat.size() > 1) return pat[1] == s[0] && glob_match(pat.substr(2), s.substr(1));
    return pat[0] == s[0] && glob_match(pat.substr(1), s.substr(1));
}

} // namespace

// Helm marks the messages of `required` and `fail` so that, however deep in include/tpl they
// happen, the final error shows just the message at the outermost template's position.
std::string warn_wrap(std::string_view msg) { return std::string(warn_start) + std::string(msg) + std::string(warn_end); }

weir::value values_as_go_floats(weir::value v) { return go_floats(std::move(v)); }
weir::value json_integers(weir::value v) { return json_numbers(std::move(v)); }

gt::go_value files_object(std::shared_ptr<const std::vector<chart_file>> files)
{
    gt::go_map m;
    for (const auto& f : *files) m.emplace(f.name, str(f.data));
    auto ms = std::make_shared<gt::method_set>();
    auto find = [files](const std::string& name) -> const chart_file* {
        for (const auto& f : *files)
            if (f.name == name) return &f;
        return nullptr;
    };
    ms->methods.add("Get", fn({gt::param::string_}, [find](gt::call_context&, std::span<const gt::go_value> a)
                                   -> result<gt::go_value> {
        const chart_file* f = find(a[0].as_string());
        return str(f ? f->data : "");
    }));
    ms->methods.add("GetBytes", ms->methods.find("Get") ? *ms->methods.find("Get") : gt::function{});
    ms->methods.add("Lines", fn({gt::param::string_}, [find](gt::call_context&, std::span<const gt::go_value> a)
                                     -> result<gt::go_value> {
        const chart_file* f = find(a[0].as_string());
        gt::go_list out;
        if (!f || f->data.empty()) return gt::go_value::of_list({}, gt::go_type::list_string);
        std::string s = f->data;
        if (s.back() == '\n') s.pop_back();
        std::size_t st = 0;
        for (;;) {
            auto nl = s.find('\n', st);
            out.push_back(str(s.substr(st, nl == std::string::npos ? std::string::npos : nl - st)));
            if (nl == std::string::npos) break;
            st = nl + 1;
        }
        return gt::go_value::of_list(std::move(out), gt::go_type::list_string);
    }));
    ms->methods.add("Glob", fn({gt::param::string_}, [files](gt::call_context&, std::span<const gt::go_value> a)
                                    -> result<gt::go_value> {
        auto sub = std::make_shared<std::vector<chart_file>>();
        for (const auto& f : *files)
            if (glob_match(a[0].as_string(), f.name)) sub->push_back(f);
        return files_object(sub);
    }));
    ms->methods.add("AsConfig", fn({}, [files](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
        if (files->empty()) return str("");
        weir::object o;
        std::map<std::string, std::string> sorted;
        for (const auto& f : *files) sorted[f.name.substr(f.name.rfind('/') + 1)] = f.data;
        for (auto& [k, v] : sorted) o.set(k, v);
        std::string s = go_yaml(weir::value(std::move(o)));
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return str(s);
    }));
    ms->methods.add("AsSecrets", fn({}, [files](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
        if (files->empty()) return str("");
        std::map<std::string, std::string> sorted;
        for (const auto& f : *files) sorted[f.name.substr(f.name.rfind('/') + 1)] = weir::base64_encode(f.data);
        weir::object o;
        for (auto& [k, v] : sorted) o.set(k, v);
        std::string s = go_yaml(weir::value(std::move(o)));
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return str(s);
    }));
    return gt::go_value::with_methods(gt::go_value::of_map(std::move(m)), std::move(ms));
}

gt::go_value api_versions_object(const std::vector<std::string>& versions)
{
    auto set = std::make_shared<std::vector<std::string>>(versions);
    gt::go_list l;
    for (const auto& v : versions) l.push_back(str(v));
    auto ms = std::make_shared<gt::method_set>();
    ms->methods.add("Has", fn({gt::param::string_}, [set](gt::call_context&, std::span<const gt::go_value> a)
                                   -> result<gt::go_value> {
        for (const auto& v : *set)
            if (v == a[0].as_string()) return gt::go_value::of_bool(true);
        return gt::go_value::of_bool(false);
    }));
    return gt::go_value::with_methods(gt::go_value::of_list(std::move(l), gt::go_type::list_string), std::move(ms));
}

thread_local cluster_lookup* current_cluster = nullptr;

void add_helm_functions(gt::function_table& t)
{
    using gt::param;
    add_sprig_extra(t);
    t.add("include", fn({param::string_, param::any}, [](gt::call_context& c, std::span<const gt::go_value> a)
                            -> result<gt::go_value> {
        WEIR_TRY_ASSIGN(std::string s, c.execute_template(a[0].as_string(), a[1]));
        return str(std::move(s));
    }));
    t.add("tpl", fn({param::string_, param::any}, [](gt::call_context& c, std::span<const gt::go_value> a)
                        -> result<gt::go_value> {
        auto r = c.render_text("gotpl", a[0].as_string(), a[1]);
        if (!r) return terminal_error("error during tpl function execution for " + weir::json_quote(a[0].as_string()) +
                                      ": " + r.err().message);
        std::string s = std::move(*r);
        for (std::size_t p; (p = s.find("<no value>")) != std::string::npos;) s.erase(p, 10);
        return str(std::move(s));
    }));
    t.add("required", fn({param::string_, param::any}, [](gt::call_context&, std::span<const gt::go_value> a)
                             -> result<gt::go_value> {
        const auto& v = a[1];
        if (v.is_nil() || v.is_missing() || (v.is_string() && v.as_string().empty()))
            return terminal_error(warn_wrap(a[0].as_string()));
        return v;
    }));
    t.add("fail", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return terminal_error(warn_wrap(a[0].as_string()));
    }));
    t.add("toYaml", fn({param::any}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return str(to_yaml_text(a[0]));
    }));
    t.add("mustToYaml", *t.find("toYaml"));
    t.add("toYamlPretty", *t.find("toYaml"));
    t.add("fromYaml", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        auto v = parse_yaml(a[0].as_string(), {.schema = yaml_schema::kubernetes_1_1});
        if (!v) return gt::go_value::from(weir::value(weir::object{{"Error", v.err().message}}));
        if (v->is_null()) return gt::go_value::of_map({});
        if (!v->is_object())
            return gt::go_value::from(weir::value(weir::object{{"Error", "error unmarshaling JSON: cannot unmarshal into map"}}));
        return gt::go_value::from(go_floats(std::move(*v)));
    }));
    t.add("fromYamlArray", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        auto v = parse_yaml(a[0].as_string(), {.schema = yaml_schema::kubernetes_1_1});
        if (!v) return gt::go_value::from(weir::value(weir::array{v.err().message}));
        if (v->is_null()) return gt::go_value::of_list({});
        if (!v->is_array()) return gt::go_value::from(weir::value(weir::array{"error unmarshaling JSON: not an array"}));
        return gt::go_value::from(go_floats(std::move(*v)));
    }));
    t.add("toJson", fn({param::any}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return str(weir::to_json(json_numbers(a[0].to_value())));
    }));
    t.add("mustToJson", *t.find("toJson"));
    t.add("fromJson", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        auto v = parse_json(a[0].as_string());
        if (!v) return gt::go_value::from(weir::value(weir::object{{"Error", v.err().message}}));
        if (!v->is_object()) return gt::go_value::from(weir::value(weir::object{{"Error", "json: cannot unmarshal into map"}}));
        return gt::go_value::from(go_floats(std::move(*v)));
    }));
    t.add("fromJsonArray", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        auto v = parse_json(a[0].as_string());
        if (!v) return gt::go_value::from(weir::value(weir::array{v.err().message}));
        if (!v->is_array()) return gt::go_value::from(weir::value(weir::array{"json: cannot unmarshal into slice"}));
        return gt::go_value::from(go_floats(std::move(*v)));
    }));
    t.add("toToml", fn({param::any}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        weir::value v = json_numbers(a[0].to_value());
        if (!v.is_object()) return str("");
        std::string out;
        toml_table(out, v, "");
        return str(out);
    }));
    t.add("lookup", fn({param::string_, param::string_, param::string_, param::string_},
                       [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        cluster_lookup* cluster = current_cluster;
        if (!cluster) return gt::go_value::of_map({});
        WEIR_TRY_ASSIGN(weir::value v, cluster->lookup(a[0].as_string(), a[1].as_string(), a[2].as_string(),
                                                       a[3].as_string()));
        return gt::go_value::from(go_floats(std::move(v)));
    }));
    // Helm removes these from Sprig: templates must not read the renderer's environment.
    t.add("env", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
        return str("");
    }));
    t.add("expandenv", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return a[0];
    }));
}

} // namespace weir::helm
