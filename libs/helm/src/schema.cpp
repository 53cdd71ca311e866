// values.schema.json checks: the JSON Schema draft 7 keywords charts use, with messages in the
// style of gojsonschema, which Helm 3 reports ("replicaCount: Invalid type. Expected: integer,
// given: string").
#include "helm_internal.hpp"

#include <weir/core/json.hpp>
#include <weir/helm/values.hpp>

#include <cmath>
#include <regex>

namespace weir::helm {
namespace {

struct validator {
    const weir::value& root;
    std::vector<std::string> errors;
    int depth = 0;

    static std::string type_of(const weir::value& v)
    {
        switch (v.type()) {
        case weir::value::kind::null: return "null";
        case weir::value::kind::boolean: return "boolean";
        case weir::value::kind::integer: return "integer";
        case weir::value::kind::number: {
            double d = v.as_double();
            return std::floor(d) == d && std::isfinite(d) ? "integer" : "number";
        }
        case weir::value::kind::string: return "string";
        case weir::value::kind::array: return "array";
        case weir::value::kind::object: return "object";
        }
        return "unknown";
    }

    static bool type_ok(const std::string& want, const weir::value& v)
    {
        std::string got = type_of(v);
        return want == got || (want == "number" && got == "integer");
    }

    void fail(const std::string& path, const std::string& msg)
    {
        errors.push_back((path.empty() ? "(root)" : path) + ": " + msg);
    }

    const weir::value* resolve(const weir::value& s)
    {
        const weir::value* r = s.find("$ref");
        if (!r || !r->is_string()) return &s;
        const std::string& ref = r->as_string();
        if (ref.rfind("#", 0) != 0) return &s; // remote refs are not fetched
        const weir::value* cur = &root;
        std::size_t st = 2;
        while (cur && st < ref.size() + 1 && ref.size() > 1) {
            auto sl = ref.find('/', st);
            std::string part = ref.substr(st, sl == std::string::npos ? std::string::npos : sl - st);
            cur = cur->is_object() ? cur->find(part) : nullptr;
            if (sl == std::string::npos) break;
            st = sl + 1;
        }
        return cur ? cur : &s;
    }

    static double num(const weir::value& v) { return v.is_int() ? double(v.as_int()) : v.as_double(); }

    static std::string show(const weir::value& v)
    {
        if (v.is_double() && std::floor(v.as_double()) == v.as_double()) return std::to_string(std::int64_t(v.as_double()));
        return weir::to_json(v);
    }

    bool check(const weir::value& schema_in, const weir::value& v, const std::string& path)
    {
        if (++depth > 200) {
            --depth;
            fail(path, "schema nests too deeply");
            return false;
        }
        std::size_t before = errors.size();
        run(schema_in, v, path);
        --depth;
        return errors.size() == before;
    }

    void run(const weir::value& schema_in, const weir::value& v, const std::string& path)
    {
        if (schema_in.is_bool()) {
            if (!schema_in.as_bool()) fail(path, "False always fails validation");
            return;
        }
        if (!schema_in.is_object()) return;
        const weir::value& s = *resolve(schema_in);
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
                for (const auto& w : types) want += (want.empty() ? "" : "/") + w;
                fail(path, "Invalid type. Expected: " + want + ", given: " + type_of(v));
                return;
            }
        }
        if (const auto* e = s.find("enum"); e && e->is_array()) {
            bool found = false;
            for (const auto& x : e->as_array()) found = found || x == v || (x.is_number() && v.is_number() && num(x) == num(v));
            if (!found) {
                std::string list;
                for (const auto& x : e->as_array()) list += (list.empty() ? "" : ", ") + weir::to_json(x);
                fail(path, (path.empty() ? "(root)" : path) + " must be one of the following: " + list);
            }
        }
        if (const auto* c = s.find("const"); c && !(*c == v)) fail(path, (path.empty() ? "(root)" : path) + " does not match: " + weir::to_json(*c));
        if (v.is_number()) {
            double x = num(v);
            if (const auto* m = s.find("minimum"); m && m->is_number() && x < num(*m)) fail(path, "Must be greater than or equal to " + show(*m));
            if (const auto* m = s.find("maximum"); m && m->is_number() && x > num(*m)) fail(path, "Must be less than or equal to " + show(*m));
            if (const auto* m = s.find("exclusiveMinimum"); m && m->is_number() && x <= num(*m)) fail(path, "Must be greater than " + show(*m));
            if (const auto* m = s.find("exclusiveMaximum"); m && m->is_number() && x >= num(*m)) fail(path, "Must be less than " + show(*m));
            if (const auto* m = s.find("multipleOf"); m && m->is_number() && num(*m) != 0 && std::fmod(x, num(*m)) != 0)
                fail(path, "Must be a multiple of " + show(*m));
        }
        if (v.is_string()) {
            std::size_t len = 0;
            for (unsigned char ch : v.as_string()) len += (ch & 0xC0) != 0x80;
            if (const auto* m = s.find("minLength"); m && m->is_number() && double(len) < num(*m))
                fail(path, "String length must be greater than or equal to " + show(*m));
            if (const auto* m = s.find("maxLength"); m && m->is_number() && double(len) > num(*m))
                fail(path, "String length must be less than or equal to " + show(*m));
            if (const auto* p = s.find("pattern"); p && p->is_string()) {
                try {
                    if (!std::regex_search(v.as_string(), std::regex(p->as_string())))
                        fail(path, "Does not match pattern '" + p->as_string() + "'");
                } catch (const std::regex_error&) {
                }
            }
        }
        if (v.is_array()) {
            const auto& a = v.as_array();
            if (const auto* m = s.find("minItems"); m && m->is_number() && double(a.size()) < num(*m))
                fail(path, "Array must have at least " + show(*m) + " items");
            if (const auto* m = s.find("maxItems"); m && m->is_number() && double(a.size()) > num(*m))
                fail(path, "Array must have at most " + show(*m) + " items");
            if (const auto* u = s.find("uniqueItems"); u && u->is_bool() && u->as_bool())
                for (std::size_t i = 0; i < a.size(); ++i)
                    for (std::size_t j = i + 1; j < a.size(); ++j)
                        if (a[i] == a[j]) fail(path, "array items[" + std::to_string(i) + "," + std::to_string(j) + "] must be unique");
            if (const auto* it = s.find("items")) {
                if (it->is_array()) {
                    for (std::size_t i = 0; i < a.size() && i < it->as_array().size(); ++i)
                        check(it->as_array()[i], a[i], path + "." + std::to_string(i));
                } else {
                    for (std::size_t i = 0; i < a.size(); ++i) check(*it, a[i], (path.empty() ? "" : path + ".") + std::to_string(i));
                }
            }
        }
        if (v.is_object()) {
            const auto& o = v.as_object();
            if (const auto* r = s.find("required"); r && r->is_array())
                for (const auto& k : r->as_array())
                    if (k.is_string() && !o.contains(k.as_string())) fail(path, k.as_string() + " is required");
            const auto* props = s.find("properties");
            const auto* pattern_props = s.find("patternProperties");
            const auto* additional = s.find("additionalProperties");
            for (const auto& [k, x] : o) {
                std::string sub = path.empty() ? k : path + "." + k;
                bool matched = false;
                if (props && props->is_object())
                    if (const auto* ps = props->find(k)) {
                        matched = true;
                        check(*ps, x, sub);
                    }
                if (pattern_props && pattern_props->is_object())
                    for (const auto& [pat, ps] : pattern_props->as_object()) {
                        try {
                            if (std::regex_search(k, std::regex(pat))) {
                                matched = true;
                                check(ps, x, sub);
                            }
                        } catch (const std::regex_error&) {
                        }
                    }
                if (!matched && additional) {
                    if (additional->is_bool() && !additional->as_bool())
                        fail(path, "Additional property " + k + " is not allowed");
                    else if (additional->is_object())
                        check(*additional, x, sub);
                }
            }
            if (const auto* m = s.find("minProperties"); m && m->is_number() && double(o.size()) < num(*m))
                fail(path, "Must have at least " + show(*m) + " properties");
            if (const auto* m = s.find("maxProperties"); m && m->is_number() && double(o.size()) > num(*m))
                fail(path, "Must have at most " + show(*m) + " properties");
        }
        if (const auto* all = s.find("allOf"); all && all->is_array())
            for (const auto& sub : all->as_array()) check(sub, v, path);
        if (const auto* any = s.find("anyOf"); any && any->is_array()) {
            bool one = false;
            for (const auto& sub : any->as_array()) one = one || quiet(sub, v, path);
            if (!one) fail(path, "Must validate at least one schema (anyOf)");
        }
        if (const auto* oneof = s.find("oneOf"); oneof && oneof->is_array()) {
            int n = 0;
            for (const auto& sub : oneof->as_array()) n += quiet(sub, v, path);
            if (n != 1) fail(path, "Must validate one and only one schema (oneOf)");
        }
        if (const auto* n = s.find("not"); n && quiet(*n, v, path)) fail(path, "Must not validate the schema (not)");
        if (const auto* i = s.find("if")) {
            if (quiet(*i, v, path)) {
                if (const auto* t = s.find("then")) check(*t, v, path);
            } else if (const auto* e = s.find("else")) {
                check(*e, v, path);
            }
        }
    }

    bool quiet(const weir::value& s, const weir::value& v, const std::string& path)
    {
        std::size_t before = errors.size();
        bool okk = check(s, v, path);
        errors.resize(before);
        return okk;
    }
};

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
                for (const auto& e : *errs) report += "- " + e + "\n";
            }
        }
    }
    for (const auto& d : c.dependencies) {
        const weir::value* sub = values.find(d.metadata.name);
        static const weir::value empty = weir::object{};
        validate_rec(d, sub && sub->is_object() ? *sub : empty, report);
    }
}

} // namespace

result<std::vector<std::string>> validate_json_schema(const weir::value& schema, const weir::value& doc)
{
    validator v{schema, {}, 0};
    v.check(schema, doc, "");
    return v.errors;
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
