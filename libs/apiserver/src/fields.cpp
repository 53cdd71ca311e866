// Unknown fields of built-in kinds. The real server decodes into Go structs, so a field the type
// does not have vanishes; fieldValidation says whether that is an error (Strict), a Warning header
// per field (Warn, the server's default) or silent (Ignore). Field names: libs/schema/fields.hpp.
#include "api_impl.hpp"

#include <weir/schema/fields.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

namespace weir::apiserver {

namespace {

// Records the fields `t` does not have, with the paths the real decoder spells
// ("spec.template.spec.containers[0].imagee"); removes them when `v` is mutable.
template <class V>
void prune(V& v, const schema::field_type& t, const std::string& path, std::vector<std::string>& unknown)
{
    if (v.is_array()) {
        std::size_t i = 0;
        for (auto& e : v.as_array())
            prune(e, t, fmt::format("{}[{}]", path, i++), unknown);
        return;
    }
    if (!v.is_object()) return;
    auto& members = v.as_object();
    for (auto it = members.begin(); it != members.end();) {
        const schema::field_ref* f = t.find(it->first);
        if (!f) {
            unknown.push_back(path.empty() ? it->first : path + "." + it->first);
            if constexpr (std::is_const_v<V>)
                ++it;
            else
                it = members.erase(it);
            continue;
        }
        if (f->type) prune(it->second, *f->type, path.empty() ? it->first : path + "." + it->first, unknown);
        ++it;
    }
}

template <class V> std::vector<std::string> unknown_fields(const resource_info& r, V& obj)
{
    std::vector<std::string> unknown;
    if (r.custom) return unknown;
    if (const schema::field_type* t = schema::fields_for(r.api_version(), r.kind))
        prune(obj, *t, "", unknown);
    return unknown;
}

// Field paths ordered as a walk over sorted keys visits them: segment by segment.
bool segment_less(const std::string& a, const std::string& b)
{
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        std::size_t ei = std::min(a.find('.', i), a.size()), ej = std::min(b.find('.', j), b.size());
        std::string_view sa(a.data() + i, ei - i), sb(b.data() + j, ej - j);
        if (sa != sb) return sa < sb;
        i = ei + 1;
        j = ej + 1;
    }
    return a.size() - std::min(i, a.size()) < b.size() - std::min(j, b.size());
}

std::string quoted_list(const std::vector<std::string>& fields)
{
    std::string out;
    for (const auto& f : fields)
        out += fmt::format("{}unknown field \"{}\"", out.empty() ? "" : ", ", f);
    return out;
}

} // namespace

status api::impl::check_fields(call& c, value& obj, bool patch)
{
    std::vector<std::string> unknown = unknown_fields(*c.t.res, obj);
    if (unknown.empty()) return ok();
    // A patched object is re-encoded from a Go map before decoding: keys in sorted order.
    if (patch) std::sort(unknown.begin(), unknown.end(), segment_less);
    std::string mode = c.param("fieldValidation", "Warn");
    if (mode == "Strict") {
        std::string msg = "strict decoding error: " + quoted_list(unknown);
        if (!patch)
            msg = fmt::format("{} in version \"{}\" cannot be handled as a {}: {}", c.t.res->kind,
                              c.t.res->version, c.t.res->kind, msg);
        return api_error(400, "BadRequest", std::move(msg));
    }
    if (mode == "Warn")
        for (const auto& f : unknown)
            c.warnings.push_back(fmt::format("unknown field \"{}\"", f));
    return ok();
}

status api::impl::check_applied_fields(call& c, const value& applied)
{
    if (c.t.res->custom) return ok();
    std::vector<std::string> unknown = unknown_fields(*c.t.res, applied);
    if (unknown.empty()) return ok();
    // structured-merge-diff's wording; the real server answers 500 here (kubernetes#122480).
    std::string what = c.t.res->namespaced ? c.t.ns + "/" + c.t.name : c.t.name;
    std::string errors;
    if (unknown.size() == 1) {
        errors = "." + unknown.front() + ": field not declared in schema";
    } else {
        errors = "errors:";
        for (const auto& f : unknown)
            errors += "\n  ." + f + ": field not declared in schema";
    }
    return api_error(500, "InternalError",
                     fmt::format("failed to create typed patch object ({}; {}, Kind={}): {}", what,
                                 c.t.res->api_version(), c.t.res->kind, errors));
}

} // namespace weir::apiserver
