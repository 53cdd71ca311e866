// Custom resources against their CRD's structural schema: types, required, enum, pattern,
// bounds, defaults, and pruning of fields the schema does not know.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <cmath>
#include <regex>

namespace weir::apiserver {

namespace {

struct problem {
    std::string field, detail, reason;
};

bool flag(const value* s, std::string_view k)
{
    const value* f = s ? s->find(k) : nullptr;
    return f && f->is_bool() && f->as_bool();
}

std::string shown(const value& v)
{
    return v.is_string() ? json_quote(v.as_string()) : to_json(v);
}

bool type_ok(const value& v, std::string_view type)
{
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_bool();
    if (type == "integer") return v.is_int() || (v.is_double() && std::floor(v.as_double()) == v.as_double());
    if (type == "number") return v.is_number();
    return true;
}

class checker {
public:
    std::vector<problem> problems;
    std::vector<std::string> pruned;

    void walk(value& v, const value& s, const std::string& path)
    {
        if (flag(&s, "x-kubernetes-int-or-string")) {
            if (!v.is_int() && !v.is_string())
                add(path, fmt::format("Invalid value: {}: {} in body must be of type integer,string: {}",
                                      shown(v), path, json_quote(v.type_name())));
            return;
        }
        std::string_view type = s.get_string("type");
        if (!type.empty() && !type_ok(v, type)) {
            add(path, fmt::format("Invalid value: {}: {} in body must be of type {}: {}",
                                  json_quote(v.type_name()), path, type, json_quote(v.type_name())));
            return;
        }
        if (const value* e = s.find("enum"); e && e->is_array()) {
            bool hit = false;
            std::string allowed;
            for (const auto& x : e->as_array()) {
                hit = hit || x == v;
                allowed += (allowed.empty() ? "" : ", ") + shown(x);
            }
            if (!hit)
                add(path, fmt::format("Unsupported value: {}: supported values: {}", shown(v), allowed),
                    "FieldValueNotSupported");
        }
        if (v.is_string()) string_checks(v.as_string(), s, path);
        if (v.is_number()) number_checks(v, s, path);
        if (v.is_array()) {
            auto n = static_cast<std::int64_t>(v.as_array().size());
            if (const value* m = s.find("minItems"); m && m->is_int() && n < m->as_int())
                add(path, fmt::format("Invalid value: {}: {} in body should have at least {} items", n, path,
                                      m->as_int()));
            if (const value* m = s.find("maxItems"); m && m->is_int() && n > m->as_int())
                add(path, fmt::format("Too many: {}: must have at most {} items", n, m->as_int()),
                    "FieldValueTooMany");
            if (const value* items = s.find("items"); items && items->is_object()) {
                std::size_t i = 0;
                for (auto& item : v.as_array())
                    walk(item, *items, fmt::format("{}[{}]", path, i++));
            }
        }
        if (v.is_object()) walk_object(v, s, path);
    }

    void walk_object(value& v, const value& s, const std::string& path, bool root = false)
    {
        const value* props = s.find("properties");
        const value* additional = s.find("additionalProperties");
        bool keep =
            flag(&s, "x-kubernetes-preserve-unknown-fields") || flag(&s, "x-kubernetes-embedded-resource");
        if (props && props->is_object())
            for (const auto& [k, ps] : props->as_object()) {
                if (v.find(k)) continue;
                if (const value* d = ps.find("default")) v[k] = *d;
            }
        auto& members = v.as_object();
        for (auto it = members.begin(); it != members.end();) {
            const std::string& k = it->first;
            std::string child = path.empty() ? k : path + "." + k;
            if (root && (k == "apiVersion" || k == "kind" || k == "metadata")) {
                ++it;
                continue;
            }
            const value* ps = props && props->is_object() ? props->find(k) : nullptr;
            if (!ps && additional && additional->is_object()) ps = additional;
            if (!ps) {
                if (keep || (additional && additional->is_bool() && additional->as_bool())) {
                    ++it;
                } else {
                    pruned.push_back(child);
                    it = members.erase(it);
                }
                continue;
            }
            if (it->second.is_null() && !flag(ps, "nullable")) {
                it = members.erase(it);
                continue;
            }
            if (!it->second.is_null()) walk(it->second, *ps, child);
            ++it;
        }
        if (const value* req = s.find("required"); req && req->is_array())
            for (const auto& r : req->as_array())
                if (r.is_string() && !v.find(r.as_string()))
                    add(path.empty() ? r.as_string() : path + "." + r.as_string(), "Required value",
                        "FieldValueRequired");
    }

private:
    void add(std::string field, std::string detail, std::string reason = "FieldValueInvalid")
    {
        problems.push_back({std::move(field), std::move(detail), std::move(reason)});
    }

    void string_checks(const std::string& str, const value& s, const std::string& path)
    {
        auto len = static_cast<std::int64_t>(str.size());
        if (const value* m = s.find("minLength"); m && m->is_int() && len < m->as_int())
            add(path, fmt::format("Invalid value: {}: {} in body should be at least {} chars long",
                                  json_quote(str), path, m->as_int()));
        if (const value* m = s.find("maxLength"); m && m->is_int() && len > m->as_int())
            add(path, fmt::format("Too long: may not be more than {} bytes", m->as_int()),
                "FieldValueTooLong");
        if (const value* p = s.find("pattern"); p && p->is_string()) {
            try {
                if (!std::regex_search(str, std::regex(p->as_string(), std::regex::ECMAScript)))
                    add(path, fmt::format("Invalid value: {}: {} in body should match '{}'", json_quote(str),
                                          path, p->as_string()));
            } catch (const std::regex_error&) {
                // A pattern std::regex cannot read is not enforced rather than rejecting every object.
            }
        }
    }

    void number_checks(const value& v, const value& s, const std::string& path)
    {
        double x = v.as_double();
        if (const value* m = s.find("minimum"); m && m->is_number()) {
            bool excl = flag(&s, "exclusiveMinimum");
            if (excl ? x <= m->as_double() : x < m->as_double())
                add(path, fmt::format("Invalid value: {}: {} in body should be greater than {}{}", to_json(v),
                                      path, excl ? "" : "or equal to ", to_json(*m)));
        }
        if (const value* m = s.find("maximum"); m && m->is_number()) {
            bool excl = flag(&s, "exclusiveMaximum");
            if (excl ? x >= m->as_double() : x > m->as_double())
                add(path, fmt::format("Invalid value: {}: {} in body should be less than {}{}", to_json(v),
                                      path, excl ? "" : "or equal to ", to_json(*m)));
        }
    }
};

} // namespace

status api::impl::validate_custom(call& c, value& obj)
{
    const value* schema = c.t.res->schema.get();
    if (!schema) return ok();
    checker ck;
    ck.walk_object(obj, *schema, "", true);
    if (!ck.pruned.empty() && c.param("fieldValidation") == "Strict") {
        if (c.applying)
            return api_error(400, "BadRequest", "." + ck.pruned.front() + ": field not declared in schema");
        std::string fields;
        for (const auto& p : ck.pruned)
            fields += (fields.empty() ? "" : ", ") + fmt::format("unknown field \"{}\"", p);
        return api_error(
            400, "BadRequest",
            fmt::format("{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
                        c.t.res->kind, c.t.res->version, c.t.res->kind, fields));
    }
    if (!ck.pruned.empty() && c.param("fieldValidation", "Warn") == "Warn" && !c.applying)
        for (const auto& p : ck.pruned)
            c.warnings.push_back(fmt::format("unknown field \"{}\"", p));
    if (ck.problems.empty()) return ok();
    std::string name(obj.find_path({"metadata", "name"}) ? obj.find_path({"metadata", "name"})->as_string()
                                                         : "");
    std::string all;
    for (const auto& p : ck.problems) {
        value cause = object{};
        cause["reason"] = p.reason;
        cause["message"] = p.detail;
        cause["field"] = p.field;
        c.causes.push_back(std::move(cause));
        all += (all.empty() ? "" : ", ") + p.field + ": " + p.detail;
    }
    if (ck.problems.size() > 1) all = "[" + all + "]";
    return api_error(422, "Invalid",
                     fmt::format("{}.{} \"{}\" is invalid: {}", c.t.res->kind, c.t.res->group, name, all));
}

} // namespace weir::apiserver
