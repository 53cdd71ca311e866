// Helm's value coalescing (pkg/chart/common/util/coalesce.go) and dependency processing
// (pkg/chart/v2/util/dependencies.go), rule for rule: user values over defaults, null deletes,
// globals copied down, conditions/tags, import-values.
#include "helm_internal.hpp"

#include <weir/core/semver.hpp>
#include <weir/helm/values.hpp>

#include <set>

namespace weir::helm {
namespace {

bool is_table(const weir::value* v) { return v && v->is_object(); }

void clean_nil_values(weir::value& m)
{
    auto& o = m.as_object();
    for (auto it = o.begin(); it != o.end();) {
        if (it->second.is_null()) {
            it = o.erase(it);
            continue;
        }
        if (it->second.is_object()) clean_nil_values(it->second);
        ++it;
    }
}

// dst has precedence over src; both objects.
void coalesce_tables(weir::value& dst, weir::value src, bool merge)
{
    std::set<std::string> src_non_nil;
    for (const auto& [k, v] : src.as_object())
        if (!v.is_null()) src_non_nil.insert(k);
    for (const auto& [k, v] : dst.as_object())
        if (v.is_null()) src.as_object().set(k, nullptr);
    for (auto& [k, val] : src.as_object()) {
        weir::value* dv = dst.find(k);
        if (dv && !merge && dv->is_null() && src_non_nil.count(k)) {
            dst.as_object().erase(k);
        } else if (!dv) {
            dst.as_object().set(k, std::move(val));
        } else if (val.is_object()) {
            if (dv->is_object()) coalesce_tables(*dv, std::move(val), merge);
        }
    }
}

bool has_subchart(const chart& c, std::string_view key)
{
    for (const auto& d : c.dependencies)
        if (d.metadata.name == key) return true;
    return false;
}

void coalesce_chart_values(const chart& c, weir::value& v, bool merge)
{
    weir::value vc = c.values.is_object() ? c.values : weir::value(weir::object{});
    for (auto& [key, val] : vc.as_object()) {
        weir::value* value = v.find(key);
        if (value) {
            if (value->is_null() && !merge) {
                v.as_object().erase(key);
            } else if (value->is_object() && val.is_object()) {
                bool m = merge || has_subchart(c, key);
                if (!m) clean_nil_values(val);
                coalesce_tables(*value, std::move(val), m);
            }
        } else {
            if (!merge) {
                if (val.is_null()) continue;
                if (val.is_object()) clean_nil_values(val);
            }
            v.as_object().set(key, std::move(val));
        }
    }
}

void coalesce_globals(weir::value& dest, const weir::value& src)
{
    weir::value dg = weir::object{};
    if (const auto* d = dest.find("global")) {
        if (!d->is_object()) return;
        dg = *d;
    }
    weir::value sg = weir::object{};
    if (const auto* s = src.find("global")) {
        if (!s->is_object()) return;
        sg = *s;
    }
    for (const auto& [key, val] : sg.as_object()) {
        weir::value* dv = dg.find(key);
        if (val.is_object()) {
            weir::value vv = val;
            if (!dv) {
                dg.as_object().set(key, std::move(vv));
            } else if (dv->is_object()) {
                coalesce_tables(vv, *dv, true);
                dg.as_object().set(key, std::move(vv));
            }
        } else if (is_table(dv)) {
            continue;
        } else {
            dg.as_object().set(key, val);
        }
    }
    dest.as_object().set("global", std::move(dg));
}

status coalesce_rec(const chart& c, weir::value& dest, bool merge);

status coalesce_deps(const chart& c, weir::value& dest, bool merge)
{
    for (const auto& sub : c.dependencies) {
        const std::string& n = sub.metadata.name;
        weir::value* cur = dest.find(n);
        if (!cur) {
            dest.as_object().set(n, weir::object{});
        } else if (!cur->is_object()) {
            return terminal_error("type mismatch on " + n + ": values for a subchart must be a map, not " +
                                  std::string(cur->type_name()));
        }
        weir::value dv = std::move(*dest.find(n));
        coalesce_globals(dv, dest);
        WEIR_TRY(coalesce_rec(sub, dv, merge));
        dest.as_object().set(n, std::move(dv));
    }
    return ok();
}

status coalesce_rec(const chart& c, weir::value& dest, bool merge)
{
    coalesce_chart_values(c, dest, merge);
    return coalesce_deps(c, dest, merge);
}

result<weir::value> coalesce_impl(const chart& c, const weir::value& user, bool merge)
{
    weir::value v = user.is_object() ? user : weir::value(weir::object{});
    if (!user.is_object() && !user.is_null()) return terminal_error("values must be a map");
    WEIR_TRY(coalesce_rec(c, v, merge));
    return v;
}

bool compatible_range(const std::string& constraint, const std::string& version)
{
    if (constraint.empty()) return true;
    auto r = semver_range::parse(constraint);
    auto v = semver::parse(version);
    if (!r || !v) return constraint == version;
    return r->matches(*v);
}

status process_enabled(chart& c, const weir::value& v, const std::string& path)
{
    if (c.metadata.dependencies.empty()) return ok();
    std::vector<chart> deps;
    for (auto& existing : c.dependencies) {
        bool requested = false;
        for (const auto& req : c.metadata.dependencies)
            if (existing.metadata.name == req.name && compatible_range(req.version, existing.metadata.version))
                requested = true;
        if (!requested) deps.push_back(existing);
    }
    for (auto& req : c.metadata.dependencies) {
        for (const auto& existing : c.dependencies) {
            if (existing.metadata.name != req.name) continue;
            if (!compatible_range(req.version, existing.metadata.version)) continue;
            chart copy = existing;
            if (!req.alias.empty()) copy.metadata.name = req.alias;
            deps.push_back(std::move(copy));
            break;
        }
        if (!req.alias.empty()) req.name = req.alias;
    }
    c.dependencies = std::move(deps);
    for (auto& r : c.metadata.dependencies) r.enabled = true;
    WEIR_TRY_ASSIGN(weir::value cvals, coalesce_impl(c, v, false));
    // tags
    if (const auto* tags = cvals.find("tags"); tags && tags->is_object()) {
        for (auto& r : c.metadata.dependencies) {
            bool has_true = false, has_false = false;
            for (const auto& k : r.tags)
                if (const auto* b = tags->find(k); b && b->is_bool()) (b->as_bool() ? has_true : has_false) = true;
            r.enabled = !(!has_true && has_false);
        }
    }
    // conditions: the first path that holds a bool decides
    for (auto& r : c.metadata.dependencies) {
        std::string cond = r.condition;
        std::size_t start = 0;
        while (start <= cond.size()) {
            auto comma = cond.find(',', start);
            std::string one = cond.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            while (!one.empty() && one.front() == ' ') one.erase(0, 1);
            while (!one.empty() && one.back() == ' ') one.pop_back();
            if (!one.empty()) {
                const weir::value* vv = value_at(cvals, path + one);
                if (vv && vv->is_bool()) {
                    r.enabled = vv->as_bool();
                    break;
                }
            }
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    std::set<std::string> removed;
    for (const auto& r : c.metadata.dependencies)
        if (!r.enabled) removed.insert(r.name);
    std::vector<chart> kept;
    for (auto& d : c.dependencies)
        if (!removed.count(d.metadata.name)) kept.push_back(std::move(d));
    std::vector<dependency> kept_meta;
    for (auto& r : c.metadata.dependencies)
        if (!removed.count(r.name)) kept_meta.push_back(std::move(r));
    for (auto& t : kept) WEIR_TRY(process_enabled(t, cvals, path + t.metadata.name + "."));
    c.metadata.dependencies = std::move(kept_meta);
    c.dependencies = std::move(kept);
    return ok();
}

weir::value path_to_map(const std::string& path, weir::value data)
{
    if (path == ".") return data;
    std::vector<std::string> parts;
    std::size_t s = 0;
    for (;;) {
        auto d = path.find('.', s);
        parts.push_back(path.substr(s, d == std::string::npos ? std::string::npos : d - s));
        if (d == std::string::npos) break;
        s = d + 1;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) data = weir::value(weir::object{{*it, std::move(data)}});
    return data;
}

std::string go_sprint(const weir::value* v)
{
    if (!v || v->is_null()) return "<nil>";
    if (v->is_string()) return v->as_string();
    if (v->is_int()) return std::to_string(v->as_int());
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    return "";
}

status process_import_values(chart& c)
{
    if (c.metadata.dependencies.empty()) return ok();
    WEIR_TRY_ASSIGN(weir::value cvals, coalesce_impl(c, weir::value(weir::object{}), true));
    weir::value b = weir::object{};
    for (auto& r : c.metadata.dependencies) {
        weir::array out;
        for (const auto& riv : r.import_values) {
            std::string child, parent;
            if (riv.is_object()) {
                child = go_sprint(riv.find("child"));
                parent = go_sprint(riv.find("parent"));
            } else if (riv.is_string()) {
                child = "exports." + riv.as_string();
                parent = ".";
            } else {
                continue;
            }
            out.push_back(weir::object{{"child", child}, {"parent", parent}});
            const weir::value* vv = value_at(cvals, r.name + "." + child);
            if (!vv || !vv->is_object()) continue;
            coalesce_tables(b, riv.is_string() ? *vv : path_to_map(parent, *vv), true);
        }
        r.import_values = std::move(out);
    }
    coalesce_tables(cvals, std::move(b), true);
    c.values = std::move(cvals);
    return ok();
}

status process_import_rec(chart& c)
{
    for (auto& d : c.dependencies) WEIR_TRY(process_import_rec(d));
    return process_import_values(c);
}

} // namespace

result<weir::value> coalesce_values(const chart& c, const weir::value& user)
{
    return coalesce_impl(c, user, false);
}

weir::value merge_maps(weir::value base, const weir::value& over)
{
    if (!base.is_object() || !over.is_object()) return over;
    for (const auto& [k, v] : over.as_object()) {
        weir::value* b = base.find(k);
        if (v.is_object() && b && b->is_object())
            *b = merge_maps(std::move(*b), v);
        else
            base.as_object().set(k, v);
    }
    return base;
}

status process_dependencies(chart& c, const weir::value& user)
{
    WEIR_TRY(process_enabled(c, user, ""));
    return process_import_rec(c);
}

} // namespace weir::helm
