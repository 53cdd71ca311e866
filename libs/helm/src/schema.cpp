// values.schema.json checks: JSON Schema draft 7 as Helm 3.18+/4 applies it (through
// santhosh-tekuri/jsonschema v6), with its wording: "- at '/age': minimum: got -5, want 0".
// Errors form a tree: a location with several failures is "validation failed" with the
// failures indented under it; allOf/anyOf/oneOf list their branches the same way.
#include "helm_internal.hpp"

#include <weir/core/json.hpp>
#include <weir/helm/values.hpp>

#include <cmath>
#include <optional>
#include <regex>

namespace weir::helm {
namespace {

struct failure {
    std::string location; // JSON pointer of the value
    std::string message;
    std::vector<failure> causes;
};

// Go's %v of a float64: integers below 1e21 print whole, the rest in shortest form.
std::string go_number(double d)
{
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e21) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", d);
        return buf;
    }
    return detail::go_float_string(d);
}

std::string quote(std::string_view s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "\\'";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\\') out += "\\\\";
        else out += c;
    }
    return out + "'";
}

std::string display(const weir::value& v)
{
    if (v.is_string()) return quote(v.as_string());
    if (v.is_array() || v.is_object()) return "value";
    if (v.is_number()) return go_number(v.is_int() ? double(v.as_int()) : v.as_double());
    if (v.is_null()) return "<nil>";
    return weir::to_json(v);
}

std::string escape_token(std::string tok)
{
    std::string out;
    for (char c : tok) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

struct validator {
    const weir::value& root;
    int depth = 0;

    static std::string type_of(const weir::value& v)
    {
        switch (v.type()) {
        case weir::value::kind::null: return "null";
        case weir::value::kind::boolean: return "boolean";
        case weir::value::kind::integer:
        case weir::value::kind::number: return "number";
        case weir::value::kind::string: return "string";
        case weir::value::kind::array: return "array";
        case weir::value::kind::object: return "object";
        }
        return "unknown";
    }

    static bool is_integer(const weir::value& v)
    {
        return v.is_int() || (v.is_double() && std::isfinite(v.as_double()) && std::floor(v.as_double()) == v.as_double());
    }

    static bool type_ok(const std::string& want, const weir::value& v)
    {
        std::string got = type_of(v);
        return want == got || (want == "integer" && got == "number" && is_integer(v));
    }

    static double num(const weir::value& v) { return v.is_int() ? double(v.as_int()) : v.as_double(); }

    static bool equal(const weir::value& a, const weir::value& b)
    {
        if (a.is_number() && b.is_number()) return num(a) == num(b);
        if (a.type() != b.type()) return false;
        if (a.is_array()) {
            if (a.as_array().size() != b.as_array().size()) return false;
            for (std::size_t i = 0; i < a.as_array().size(); ++i)
                if (!equal(a.as_array()[i], b.as_array()[i])) return false;
            return true;
        }
        if (a.is_object()) {
            if (a.as_object().size() != b.as_object().size()) return false;
            for (const auto& [k, x] : a.as_object()) {
                const weir::value* y = b.find(k);
                if (!y || !equal(x, *y)) return false;
            }
            return true;
        }
        return a == b;
    }

    const weir::value* resolve_ref(const std::string& ref) const
    {
        if (ref == "#") return &root;
        if (ref.rfind("#/", 0) != 0) return nullptr; // remote references are not fetched
        const weir::value* cur = &root;
        std::size_t st = 2;
        while (cur) {
            auto sl = ref.find('/', st);
            std::string part = ref.substr(st, sl == std::string::npos ? std::string::npos : sl - st);
            for (std::size_t p; (p = part.find("~1")) != std::string::npos;) part.replace(p, 2, "/");
            for (std::size_t p; (p = part.find("~0")) != std::string::npos;) part.replace(p, 2, "~");
            if (cur->is_object()) cur = cur->find(part);
            else if (cur->is_array()) {
                std::size_t i = 0;
                try {
                    i = std::stoul(part);
                } catch (...) {
                    return nullptr;
                }
                cur = i < cur->as_array().size() ? &cur->as_array()[i] : nullptr;
            } else cur = nullptr;
            if (sl == std::string::npos) break;
            st = sl + 1;
        }
        return cur;
    }

    // One schema against one value: no failure, one, or a group at `loc`.
    std::optional<failure> validate(const weir::value& s, const weir::value& v, const std::string& loc)
    {
        if (++depth > 256) {
            --depth;
            return failure{loc, "schema nests too deeply (a $ref cycle?)", {}};
        }
        auto out = run(s, v, loc);
        --depth;
        return out;
    }

    std::optional<failure> run(const weir::value& s, const weir::value& v, const std::string& loc)
    {
        if (s.is_bool()) {
            if (s.as_bool()) return std::nullopt;
            return failure{loc, "false schema", {}};
        }
        if (!s.is_object()) return std::nullopt;
        if (const auto* t = s.find("type")) {
            std::vector<std::string> types;
            if (t->is_string()) types.push_back(t->as_string());
            if (t->is_array())
                for (const auto& e : t->as_array())
                    if (e.is_string()) types.push_back(e.as_string());
            bool okk = types.empty();
            for (const auto& w : types) okk = okk || type_ok(w, v);
            if (!okk) {
                std::string want;
                for (const auto& w : types) want += (want.empty() ? "" : " or ") + w;
                return failure{loc, "got " + type_of(v) + ", want " + want, {}};
            }
        }
        if (const auto* c = s.find("const"); c && !equal(*c, v))
            return failure{loc, c->is_array() || c->is_object() ? "const failed" : "value must be " + display(*c), {}};
        if (const auto* e = s.find("enum"); e && e->is_array()) {
            bool found = false;
            bool primitive = true;
            std::string list;
            for (const auto& x : e->as_array()) {
                found = found || equal(x, v);
                primitive = primitive && !x.is_array() && !x.is_object();
                list += (list.empty() ? "" : ", ") + display(x);
            }
            if (!found) {
                std::string msg = !primitive ? "enum failed"
                                  : e->as_array().size() == 1 ? "value must be " + list
                                                              : "value must be one of " + list;
                return failure{loc, msg, {}};
            }
        }
        // Draft 7: $ref stands for the whole schema; the keywords beside it are ignored.
        if (const auto* r = s.find("$ref"); r && r->is_string()) {
            const weir::value* target = resolve_ref(r->as_string());
            return target ? validate(*target, v, loc) : std::nullopt;
        }
        std::vector<failure> errors;
        auto add = [&](std::string msg) { errors.push_back({loc, std::move(msg), {}}); };
        auto add_sub = [&](std::optional<failure> f) {
            if (f) errors.push_back(std::move(*f));
        };
        auto bound = [&](const char* key) -> const weir::value* {
            const weir::value* b = s.find(key);
            return b && b->is_number() ? b : nullptr;
        };
        if (v.is_object()) {
            const auto& o = v.as_object();
            if (const auto* m = bound("minProperties"); m && double(o.size()) < num(*m))
                add("minProperties: got " + std::to_string(o.size()) + ", want " + display(*m));
            if (const auto* m = bound("maxProperties"); m && double(o.size()) > num(*m))
                add("maxProperties: got " + std::to_string(o.size()) + ", want " + display(*m));
            if (const auto* r = s.find("required"); r && r->is_array()) {
                std::vector<std::string> missing;
                for (const auto& k : r->as_array())
                    if (k.is_string() && !o.contains(k.as_string())) missing.push_back(k.as_string());
                if (missing.size() == 1) add("missing property " + quote(missing[0]));
                if (missing.size() > 1) {
                    std::string list;
                    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + quote(m);
                    add("missing properties " + list);
                }
            }
            const auto* props = s.find("properties");
            const auto* pattern_props = s.find("patternProperties");
            const auto* additional = s.find("additionalProperties");
            std::vector<std::string> extra;
            for (const auto& [k, x] : o) {
                std::string sub = loc + "/" + escape_token(k);
                bool evaluated = false;
                if (props && props->is_object())
                    if (const auto* ps = props->find(k)) {
                        evaluated = true;
                        add_sub(validate(*ps, x, sub));
                    }
                if (pattern_props && pattern_props->is_object())
                    for (const auto& [pat, ps] : pattern_props->as_object()) {
                        try {
                            if (std::regex_search(k, std::regex(pat))) {
                                evaluated = true;
                                add_sub(validate(ps, x, sub));
                            }
                        } catch (const std::regex_error&) {
                        }
                    }
                if (!evaluated && additional) {
                    if (additional->is_bool() && !additional->as_bool()) extra.push_back(k);
                    else if (additional->is_object()) add_sub(validate(*additional, x, sub));
                }
            }
            if (!extra.empty()) {
                std::string list;
                for (const auto& k : extra) list += (list.empty() ? "" : ", ") + quote(k);
                add("additional properties " + list + " not allowed");
            }
        }
        if (v.is_array()) {
            const auto& a = v.as_array();
            if (const auto* m = bound("minItems"); m && double(a.size()) < num(*m))
                add("minItems: got " + std::to_string(a.size()) + ", want " + display(*m));
            if (const auto* m = bound("maxItems"); m && double(a.size()) > num(*m))
                add("maxItems: got " + std::to_string(a.size()) + ", want " + display(*m));
            if (const auto* u = s.find("uniqueItems"); u && u->is_bool() && u->as_bool()) {
                bool done = false;
                for (std::size_t i = 1; i < a.size() && !done; ++i)
                    for (std::size_t j = 0; j < i && !done; ++j)
                        if (equal(a[i], a[j])) {
                            add("items at " + std::to_string(j) + " and " + std::to_string(i) + " are equal");
                            done = true;
                        }
            }
            std::size_t evaluated = 0;
            if (const auto* it = s.find("items")) {
                if (it->is_array()) {
                    evaluated = std::min(a.size(), it->as_array().size());
                    for (std::size_t i = 0; i < evaluated; ++i)
                        add_sub(validate(it->as_array()[i], a[i], loc + "/" + std::to_string(i)));
                    if (const auto* ai = s.find("additionalItems")) {
                        if (ai->is_bool() && !ai->as_bool() && evaluated != a.size())
                            add("last " + std::to_string(a.size() - evaluated) + " additionalItem(s) not allowed");
                        else if (ai->is_object())
                            for (std::size_t i = evaluated; i < a.size(); ++i)
                                add_sub(validate(*ai, a[i], loc + "/" + std::to_string(i)));
                    }
                } else {
                    for (std::size_t i = 0; i < a.size(); ++i)
                        add_sub(validate(*it, a[i], loc + "/" + std::to_string(i)));
                }
            }
            if (const auto* c = s.find("contains")) {
                bool any = false;
                std::vector<failure> branch;
                for (std::size_t i = 0; i < a.size(); ++i) {
                    auto f = validate(*c, a[i], loc + "/" + std::to_string(i));
                    if (!f) any = true;
                    else branch.push_back(std::move(*f));
                }
                if (!any) errors.push_back({loc, "no items match contains schema", std::move(branch)});
            }
        }
        if (v.is_string()) {
            std::size_t len = 0;
            for (unsigned char ch : v.as_string()) len += (ch & 0xC0) != 0x80;
            if (const auto* m = bound("minLength"); m && double(len) < num(*m))
                add("minLength: got " + std::to_string(len) + ", want " + display(*m));
            if (const auto* m = bound("maxLength"); m && double(len) > num(*m))
                add("maxLength: got " + std::to_string(len) + ", want " + display(*m));
            if (const auto* p = s.find("pattern"); p && p->is_string()) {
                try {
                    if (!std::regex_search(v.as_string(), std::regex(p->as_string())))
                        add(quote(v.as_string()) + " does not match pattern " + quote(p->as_string()));
                } catch (const std::regex_error&) {
                }
            }
        }
        if (v.is_number()) {
            double x = num(v);
            std::string got = display(v);
            if (const auto* m = bound("minimum"); m && x < num(*m)) add("minimum: got " + got + ", want " + display(*m));
            if (const auto* m = bound("maximum"); m && x > num(*m)) add("maximum: got " + got + ", want " + display(*m));
            if (const auto* m = bound("exclusiveMinimum"); m && x <= num(*m))
                add("exclusiveMinimum: got " + got + ", want " + display(*m));
            if (const auto* m = bound("exclusiveMaximum"); m && x >= num(*m))
                add("exclusiveMaximum: got " + got + ", want " + display(*m));
            if (const auto* m = bound("multipleOf"); m && num(*m) != 0) {
                double q = x / num(*m);
                if (std::floor(q) != q) add("multipleOf: got " + got + ", want " + display(*m));
            }
        }
        if (const auto* n = s.find("not"); n && !validate(*n, v, loc)) add("not failed");
        if (const auto* all = s.find("allOf"); all && all->is_array()) {
            std::vector<failure> branch;
            for (const auto& sub : all->as_array())
                if (auto f = validate(sub, v, loc)) branch.push_back(std::move(*f));
            if (!branch.empty()) errors.push_back({loc, "allOf failed", std::move(branch)});
        }
        if (const auto* any = s.find("anyOf"); any && any->is_array()) {
            std::vector<failure> branch;
            bool matched = false;
            for (const auto& sub : any->as_array()) {
                auto f = validate(sub, v, loc);
                if (!f) {
                    matched = true;
                    break;
                }
                branch.push_back(std::move(*f));
            }
            if (!matched) errors.push_back({loc, "anyOf failed", std::move(branch)});
        }
        if (const auto* one = s.find("oneOf"); one && one->is_array()) {
            std::vector<failure> branch;
            int matched = -1;
            for (std::size_t i = 0; i < one->as_array().size(); ++i) {
                auto f = validate(one->as_array()[i], v, loc);
                if (f) {
                    if (matched == -1) branch.push_back(std::move(*f));
                } else if (matched == -1) {
                    matched = int(i);
                } else {
                    add("oneOf failed, subschemas " + std::to_string(matched) + ", " + std::to_string(i) + " matched");
                    break;
                }
            }
            if (matched == -1) errors.push_back({loc, "oneOf failed, none matched", std::move(branch)});
        }
        if (const auto* i = s.find("if")) {
            if (!validate(*i, v, loc)) {
                if (const auto* t = s.find("then")) add_sub(validate(*t, v, loc));
            } else if (const auto* e = s.find("else")) {
                add_sub(validate(*e, v, loc));
            }
        }
        if (errors.empty()) return std::nullopt;
        if (errors.size() == 1) return std::move(errors[0]);
        return failure{loc, "validation failed", std::move(errors)};
    }
};

void print(const failure& f, int indent, std::string& out)
{
    out += std::string(std::size_t(indent) * 2, ' ') + "- at " + quote(f.location) + ": " + f.message + "\n";
    for (const auto& c : f.causes) print(c, indent + 1, out);
}

std::vector<std::string> lines(const std::optional<failure>& f)
{
    std::vector<std::string> out;
    if (!f) return out;
    // The top level lists the failures themselves, not the group that holds them.
    std::vector<failure> top = f->message == "validation failed" && f->location.empty() ? f->causes
                                                                                       : std::vector<failure>{*f};
    for (const auto& t : top) {
        std::string text;
        print(t, 0, text);
        text.pop_back();
        out.push_back(std::move(text));
    }
    return out;
}

void validate_rec(const chart& c, const weir::value& values, std::string& report)
{
    if (!c.schema.empty()) {
        auto schema = parse_json(c.schema);
        if (!schema) {
            report += c.metadata.name + ":\n- values.schema.json is not valid JSON: " + schema.err().message + "\n";
        } else {
            auto errs = validate_json_schema(*schema, values);
            if (errs && !errs->empty()) {
                report += c.metadata.name + ":\n";
                for (const auto& e : *errs) report += e + "\n";
            }
        }
    }
    // As Helm: a subchart is checked only when its values are present.
    for (const auto& d : c.dependencies) {
        const weir::value* sub = values.find(d.metadata.name);
        if (!sub || sub->is_null()) continue;
        if (!sub->is_object()) {
            report += d.metadata.name + ":\ninvalid type for values: expected object (map), got " +
                      std::string(sub->type_name()) + "\n";
            continue;
        }
        validate_rec(d, *sub, report);
    }
}

} // namespace

result<std::vector<std::string>> validate_json_schema(const weir::value& schema, const weir::value& doc)
{
    validator v{schema, 0};
    return lines(v.validate(schema, doc, ""));
}

status validate_values(const chart& c, const weir::value& values)
{
    std::string report;
    validate_rec(c, values, report);
    if (report.empty()) return ok();
    return terminal_error("values don't meet the specifications of the schema(s) in the following chart(s):\n" + report,
                          "ValuesValidationFailed");
}

} // namespace weir::helm
