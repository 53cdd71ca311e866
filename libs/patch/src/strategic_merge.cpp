// Kubernetes strategic merge patch: maps merge, lists merge by key where the schema (or, for
// kustomize, the elements themselves) name one, and directives steer the rest.
#include <weir/patch/patch.hpp>

#include <algorithm>
#include <string>

namespace weir::patch {
namespace {

constexpr std::string_view patch_key = "$patch";
constexpr std::string_view retain_keys = "$retainKeys";
constexpr std::string_view set_order_prefix = "$setElementOrder/";
constexpr std::string_view delete_prim_prefix = "$deleteFromPrimitiveList/";

bool is_directive(std::string_view k)
{
    return !k.empty() && k[0] == '$';
}

// A copy of v without directives, for values added where nothing existed.
value strip(const value& v)
{
    if (v.is_object()) {
        object out;
        for (const auto& [k, m] : v.as_object()) {
            if (is_directive(k)) continue;
            out.push_back(k, strip(m));
        }
        return out;
    }
    if (v.is_array()) {
        array out;
        for (const auto& e : v.as_array()) {
            if (e.is_object() && e.find(patch_key)) continue;
            out.push_back(strip(e));
        }
        return out;
    }
    return v;
}

struct merger {
    smp_options opts;
    bool plain = false; // no schema at all, not even ObjectMeta's

    // kyaml's list of keys it accepts as a merge key when no schema says.
    static std::string infer_key(const array& a, const array& b)
    {
        static constexpr std::string_view keys[] = {"mountPath",   "devicePath", "ip",           "type",
                                                    "topologyKey", "name",       "containerPort"};
        auto all_have = [](const array& l, std::string_view k) {
            for (const auto& e : l)
                if (!e.is_object() || !e.find(k)) {
                    if (e.is_object() && e.find(patch_key) && e.as_object().size() == 1) continue;
                    return false;
                }
            return true;
        };
        std::string chosen;
        for (const array* l : {&a, &b}) {
            if (l->empty()) continue;
            for (auto k : keys)
                if (all_have(*l, k)) {
                    if (chosen.empty()) chosen = k;
                    break;
                }
        }
        if (chosen.empty()) return {};
        for (const array* l : {&a, &b})
            if (!l->empty() && !all_have(*l, chosen)) return {};
        return chosen;
    }

    static bool same_element(const value& a, const value& b, const std::vector<std::string>& keys)
    {
        if (!a.is_object() || !b.is_object()) return false;
        const value* ka = a.find(keys[0]);
        const value* kb = b.find(keys[0]);
        if (!ka || !kb || !(*ka == *kb)) return false;
        for (std::size_t i = 1; i < keys.size(); ++i) {
            const value* x = a.find(keys[i]);
            const value* y = b.find(keys[i]);
            // protocol defaults to TCP; compare only when both are set or one is the default
            std::string xs = x && x->is_string() ? x->as_string() : (keys[i] == "protocol" ? "TCP" : "");
            std::string ys = y && y->is_string() ? y->as_string() : (keys[i] == "protocol" ? "TCP" : "");
            if (xs != ys) return false;
        }
        return true;
    }

    status merge_list(value& dst, const value& patch, const schema::field_info* f)
    {
        const array& p = patch.as_array();
        for (const auto& e : p)
            if (e.is_object() && e.get_string(patch_key) == "replace") {
                dst = strip(patch);
                return ok();
            }
        if (!dst.is_array()) {
            dst = strip(patch);
            return ok();
        }
        array& d = dst.as_array();
        std::vector<std::string> keys;
        if (f && !f->merge_keys.empty())
            keys = f->merge_keys;
        else if (opts.infer_merge_keys && !f) {
            // only where no schema speaks: a known atomic list stays atomic
            std::string k = infer_key(d, p);
            if (!k.empty()) keys = {k};
        }
        if (keys.empty() && !(f && f->merge_scalars)) {
            dst = strip(patch);
            return ok();
        }
        const schema::type_info* elem = f ? f->type : nullptr;
        // The patch's items, merged with their original where one matches, in the patch's order,
        // each with the index of its original (-1: new).
        std::vector<std::pair<value, long>> from_patch;
        std::vector<bool> used(d.size(), false);
        auto find_orig = [&](const value& e) -> long {
            for (std::size_t i = 0; i < d.size(); ++i)
                if (!used[i] && (keys.empty() ? d[i] == e : same_element(d[i], e, keys)))
                    return static_cast<long>(i);
            return -1;
        };
        for (const auto& e : p) {
            if (!keys.empty() && e.is_object() && e.get_string(patch_key) == "delete") {
                for (long at = find_orig(e); at >= 0; at = find_orig(e))
                    used[static_cast<std::size_t>(at)] = true;
                continue;
            }
            long at = keys.empty() || e.is_object() ? find_orig(e) : -1;
            if (at < 0) {
                from_patch.emplace_back(strip(e), -1);
                continue;
            }
            auto i = static_cast<std::size_t>(at);
            used[i] = true;
            if (!keys.empty()) WEIR_TRY(merge_value(d[i], e, elem));
            from_patch.emplace_back(std::move(d[i]), at);
        }
        array out;
        out.reserve(d.size() + from_patch.size());
        // kustomize: the patch's items first, in its order, then the original-only items. For
        // lists keyed by several fields (ports: containerPort and protocol) once any item names
        // the second key, it keeps the original items in place instead and puts only new ones first.
        auto names_second_key = [&](const value& e) { return e.is_object() && e.find(keys[1]) != nullptr; };
        bool multi_key = keys.size() > 1 && (std::any_of(p.begin(), p.end(), names_second_key) ||
                                             std::any_of(d.begin(), d.end(), names_second_key));
        if (opts.patch_order_first && !multi_key) {
            for (auto& [v, at] : from_patch)
                out.push_back(std::move(v));
            for (std::size_t i = 0; i < d.size(); ++i)
                if (!used[i]) out.push_back(std::move(d[i]));
        } else if (opts.patch_order_first) {
            for (auto& [v, at] : from_patch)
                if (at < 0) out.push_back(std::move(v));
            for (auto& [v, at] : from_patch) {
                if (at < 0) continue;
                d[static_cast<std::size_t>(at)] = std::move(v);
                used[static_cast<std::size_t>(at)] = false;
            }
            for (std::size_t i = 0; i < d.size(); ++i)
                if (!used[i]) out.push_back(std::move(d[i]));
        } else {
            // The API server's order: original-only items and patch items interleaved, each list
            // keeping its order, an original-only item going first when it preceded the patch item
            // in the original.
            std::size_t i = 0, j = 0;
            auto next_left = [&] {
                while (i < d.size() && used[i])
                    ++i;
                return i < d.size();
            };
            while (true) {
                bool have_left = next_left();
                bool have_right = j < from_patch.size();
                if (!have_left && !have_right) break;
                if (have_left && (!have_right || (from_patch[j].second >= 0 &&
                                                  static_cast<long>(i) < from_patch[j].second))) {
                    out.push_back(std::move(d[i++]));
                } else {
                    out.push_back(std::move(from_patch[j++].first));
                }
            }
        }
        d = std::move(out);
        return ok();
    }

    static void set_order(value& list, const value& order, const std::vector<std::string>& keys)
    {
        if (!list.is_array() || !order.is_array()) return;
        array& d = list.as_array();
        array sorted;
        std::vector<bool> used(d.size(), false);
        for (const auto& o : order.as_array())
            for (std::size_t i = 0; i < d.size(); ++i) {
                if (used[i]) continue;
                bool match = keys.empty() ? d[i] == o : same_element(d[i], o, keys);
                if (match) {
                    used[i] = true;
                    sorted.push_back(std::move(d[i]));
                    break;
                }
            }
        for (std::size_t i = 0; i < d.size(); ++i)
            if (!used[i]) sorted.push_back(std::move(d[i]));
        d = std::move(sorted);
    }

    status merge_value(value& dst, const value& patch, const schema::type_info* type)
    {
        if (!patch.is_object() || !dst.is_object()) {
            dst = strip(patch);
            return ok();
        }
        std::string_view directive = patch.get_string(patch_key);
        if (directive == "replace") {
            dst = strip(patch);
            return ok();
        }
        if (directive == "delete") {
            dst = value{};
            return ok();
        }
        object& d = dst.as_object();
        for (const auto& [k, v] : patch.as_object()) {
            if (is_directive(k)) continue;
            const schema::field_info* f = type ? type->find(k) : nullptr;
            if (!f && k == "metadata" && !plain) {
                static const schema::field_info meta{.type = schema::object_meta()};
                f = &meta;
            }
            if (v.is_null()) {
                d.erase(k);
                continue;
            }
            value* cur = d.find(k);
            if (!cur) {
                if (v.is_object() && v.get_string(patch_key) == "delete") continue;
                d.push_back(k, strip(v));
                continue;
            }
            if (v.is_array() && cur->is_array()) {
                WEIR_TRY(merge_list(*cur, v, f));
            } else if (v.is_object() && cur->is_object()) {
                if (v.get_string(patch_key) == "delete") {
                    d.erase(k);
                    continue;
                }
                WEIR_TRY(merge_value(*cur, v, f ? f->type : nullptr));
            } else {
                *cur = strip(v);
            }
        }
        for (const auto& [k, v] : patch.as_object()) {
            if (k.starts_with(delete_prim_prefix)) {
                value* l = d.find(std::string_view(k).substr(delete_prim_prefix.size()));
                if (l && l->is_array() && v.is_array()) {
                    auto& a = l->as_array();
                    for (const auto& x : v.as_array())
                        a.erase(std::remove(a.begin(), a.end(), x), a.end());
                }
            } else if (k.starts_with(set_order_prefix)) {
                std::string_view field = std::string_view(k).substr(set_order_prefix.size());
                const schema::field_info* f = type ? type->find(field) : nullptr;
                std::vector<std::string> keys = f ? f->merge_keys : std::vector<std::string>{};
                if (keys.empty() && v.is_array() && !v.as_array().empty() && v.as_array()[0].is_object() &&
                    !v.as_array()[0].as_object().empty())
                    keys = {v.as_array()[0].as_object().begin()->first};
                if (value* l = d.find(field)) set_order(*l, v, keys);
            }
        }
        if (const value* rk = patch.find(retain_keys); rk && rk->is_array()) {
            std::vector<std::string> keep;
            for (const auto& x : rk->as_array())
                if (x.is_string()) keep.push_back(x.as_string());
            for (auto it = d.begin(); it != d.end();) {
                if (std::find(keep.begin(), keep.end(), it->first) == keep.end())
                    it = d.erase(it);
                else
                    ++it;
            }
        }
        return ok();
    }
};

} // namespace

status apply_strategic_merge(value& doc, const value& patch, const schema::type_info* type,
                             smp_options options)
{
    if (!patch.is_object()) return terminal_error("strategic merge patch must be an object", "InvalidPatch");
    merger m{options};
    value work = doc;
    m.plain = options.no_schema_without_type && !type;
    WEIR_TRY(m.merge_value(work, patch, type));
    doc = std::move(work);
    return ok();
}

status apply_strategic_merge(value& doc, const value& patch, smp_options options)
{
    const schema::type_info* t = schema::type_for(doc.get_string("apiVersion"), doc.get_string("kind"));
    return apply_strategic_merge(doc, patch, t, options);
}

} // namespace weir::patch
