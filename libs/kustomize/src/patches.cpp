// The built-in transformers: patches, namespace, name prefix/suffix, labels, annotations, images,
// replicas, and the builtin plugin kinds configured from files.
#include "internal.hpp"

#include <weir/core/yaml.hpp>
#include <weir/patch/patch.hpp>
#include <weir/schema/schema.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>
#include <sstream>

namespace weir::kustomize::detail {
namespace {

std::string trim(std::string s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return s.substr(i);
}

// A Kubernetes label selector string: "a=b,c!=d,e in (x,y),!f,g".
result<bool> selector_matches(const std::string& sel, const value* labels)
{
    auto get = [&](const std::string& k) -> const value* { return labels ? labels->find(k) : nullptr; };
    std::vector<std::string> terms;
    int depth = 0;
    std::string cur;
    for (char c : sel) {
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c == ',' && depth == 0) {
            terms.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty()) terms.push_back(trim(cur));
    for (const auto& t : terms) {
        if (t.empty()) continue;
        auto str = [&](const std::string& k) -> std::string {
            const value* v = get(k);
            return v && v->is_string() ? v->as_string() : std::string{};
        };
        if (t[0] == '!') {
            if (get(trim(t.substr(1)))) return false;
            continue;
        }
        if (auto p = t.find("!="); p != std::string::npos) {
            std::string k = trim(t.substr(0, p));
            if (get(k) && str(k) == trim(t.substr(p + 2))) return false;
            continue;
        }
        if (auto p = t.find(" notin "); p != std::string::npos) {
            std::string k = trim(t.substr(0, p));
            std::string set = trim(t.substr(p + 7));
            set = set.substr(1, set.size() - 2);
            std::string item;
            std::stringstream ss(set);
            while (std::getline(ss, item, ','))
                if (get(k) && str(k) == trim(item)) return false;
            continue;
        }
        if (auto p = t.find(" in "); p != std::string::npos) {
            std::string k = trim(t.substr(0, p));
            std::string set = trim(t.substr(p + 4));
            set = set.substr(1, set.size() - 2);
            std::string item;
            std::stringstream ss(set);
            bool any = false;
            while (std::getline(ss, item, ','))
                if (get(k) && str(k) == trim(item)) any = true;
            if (!any) return false;
            continue;
        }
        if (auto p = t.find('='); p != std::string::npos) {
            std::string k = trim(t.substr(0, p));
            std::size_t vs = p + 1;
            if (vs < t.size() && t[vs] == '=') ++vs;
            if (!get(k) || str(k) != trim(t.substr(vs))) return false;
            continue;
        }
        if (!get(t)) return false;
    }
    return true;
}

// A selector pattern: an anchored regular expression, compiled once per selection.
struct pattern {
    std::string text;
    std::optional<std::regex> re;
    explicit pattern(std::string t) : text(std::move(t))
    {
        if (text.empty()) return;
        try {
            re.emplace(text);
        } catch (const std::regex_error&) {
        }
    }
    bool match(const std::string& s) const
    {
        if (text.empty() || text == s) return true;
        return re && std::regex_match(s, *re);
    }
    bool any(const std::vector<std::string>& xs) const
    {
        for (const auto& x : xs)
            if (match(x)) return true;
        return false;
    }
};

} // namespace

result<std::vector<std::size_t>> select(const accumulator& acc, const value& s)
{
    std::vector<std::size_t> out;
    std::string group(s.get_string("group")), version(s.get_string("version")), kind(s.get_string("kind")),
        name(s.get_string("name")), ns(s.get_string("namespace")), ls(s.get_string("labelSelector")),
        as(s.get_string("annotationSelector"));
    pattern kind_re(kind), name_re(name), ns_re(ns);
    for (std::size_t i = 0; i < acc.res.size(); ++i) {
        const resource& r = acc.res[i];
        std::string_view av = r.api_version();
        if (!group.empty() && schema::group_of(av) != group) continue;
        if (!version.empty()) {
            auto slash = av.find('/');
            if ((slash == std::string_view::npos ? av : av.substr(slash + 1)) != version) continue;
        }
        if (!kind.empty() && !kind_re.match(std::string(r.kind()))) continue;
        if (!name.empty() && !name_re.match(r.name()) && !name_re.any(r.names)) continue;
        if (!ns.empty() && !ns_re.match(r.ns()) && !ns_re.any(r.namespaces)) continue;
        if (!ls.empty()) {
            WEIR_TRY_ASSIGN(bool m, selector_matches(ls, r.obj.find_path({"metadata", "labels"})));
            if (!m) continue;
        }
        if (!as.empty()) {
            WEIR_TRY_ASSIGN(bool m, selector_matches(as, r.obj.find_path({"metadata", "annotations"})));
            if (!m) continue;
        }
        out.push_back(i);
    }
    return out;
}

namespace {

status smp_one(const accumulator& acc, resource& r, const value& p)
{
    WEIR_TRY(apply_smp_to(acc, r.obj, p));
    r.remember();
    return ok();
}

// Applies one strategic-merge patch document; a top-level `$patch: delete` removes the object.
struct patch_opts {
    bool allow_name_change = false;
    bool allow_kind_change = false;
};

patch_opts read_patch_opts(const value& e)
{
    patch_opts o;
    if (const value* opts = e.find("options"); opts && opts->is_object()) {
        const value* n = opts->find("allowNameChange");
        const value* k = opts->find("allowKindChange");
        o.allow_name_change = n && n->is_bool() && n->as_bool();
        o.allow_kind_change = k && k->is_bool() && k->as_bool();
    }
    return o;
}

status apply_smp(accumulator& acc, const std::vector<std::size_t>& idx, const value& p, patch_opts po = {})
{
    std::vector<std::size_t> dead;
    for (auto i : idx) {
        if (p.get_string("$patch") == "delete") {
            dead.push_back(i);
            continue;
        }
        value body = p;
        // A patch applied by target must not rename its target through the patch's own name.
        if (value* meta = body.find("metadata"); meta && meta->is_object()) {
            if (!po.allow_name_change) meta->as_object().erase("name");
            meta->as_object().erase("namespace");
        }
        if (!po.allow_kind_change) {
            body.as_object().erase("apiVersion");
            body.as_object().erase("kind");
        }
        WEIR_TRY(smp_one(acc, acc.res[i], body));
    }
    std::sort(dead.rbegin(), dead.rend());
    for (auto i : dead)
        acc.res.erase(acc.res.begin() + static_cast<std::ptrdiff_t>(i));
    return ok();
}

status apply_json_ops(accumulator& acc, const std::vector<std::size_t>& idx, const value& ops,
                      const std::string& where)
{
    for (auto i : idx) {
        auto s = patch::apply_json_patch(acc.res[i].obj, ops, {.replace_adds_missing_key = true});
        if (!s) return build_error(where + ": " + s.err().message);
        acc.res[i].remember();
    }
    return ok();
}

std::string id_text(const value& p)
{
    std::string ns(p.find_path({"metadata", "namespace"}) &&
                           p.find_path({"metadata", "namespace"})->is_string()
                       ? p.find_path({"metadata", "namespace"})->as_string()
                       : "");
    std::string name(p.find_path({"metadata", "name"}) && p.find_path({"metadata", "name"})->is_string()
                         ? p.find_path({"metadata", "name"})->as_string()
                         : "");
    return std::string(p.get_string("kind")) + "." + std::string(p.get_string("apiVersion")) + "/" + name +
           "." + (ns.empty() ? "[noNs]" : ns);
}

// The resources a target-less strategic-merge patch names through its own id.
std::vector<std::size_t> match_by_id(const accumulator& acc, const value& p)
{
    std::string kind(p.get_string("kind"));
    std::string_view group = schema::group_of(p.get_string("apiVersion"));
    const value* n = p.find_path({"metadata", "name"});
    const value* s = p.find_path({"metadata", "namespace"});
    std::string name = n && n->is_string() ? n->as_string() : "";
    std::string ns = s && s->is_string() ? s->as_string() : "";
    if (ns == "default") ns.clear();
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < acc.res.size(); ++i) {
        const resource& r = acc.res[i];
        if (r.kind() != kind || schema::group_of(r.api_version()) != group) continue;
        if (std::find(r.names.begin(), r.names.end(), name) == r.names.end()) continue;
        bool ns_ok = false;
        for (auto x : r.namespaces) {
            if (x == "default") x.clear();
            if (x == ns) ns_ok = true;
        }
        if (!ns_ok) continue;
        out.push_back(i);
    }
    return out;
}

status apply_smp_by_id(accumulator& acc, const value& p, const std::string& where)
{
    auto idx = match_by_id(acc, p);
    if (idx.empty())
        return build_error(where + ": no resource matches strategic merge patch \"" + id_text(p) + "\"");
    if (idx.size() > 1)
        return build_error(where + ": multiple resources match strategic merge patch \"" + id_text(p) + "\"");
    if (p.get_string("$patch") == "delete") {
        acc.res.erase(acc.res.begin() + static_cast<std::ptrdiff_t>(idx[0]));
        return ok();
    }
    value body = p;
    // The patch's name and namespace say which object it patches, they do not rename it.
    if (value* meta = body.find("metadata"); meta && meta->is_object()) {
        meta->as_object().erase("name");
        meta->as_object().erase("namespace");
    }
    return smp_one(acc, acc.res[idx[0]], body);
}

struct patch_text {
    std::string text;
    std::string where;
};

result<patch_text> patch_source(const value& e, const loader& ldr, const std::string& field)
{
    if (const value* p = e.find("path"); p && p->is_string()) {
        WEIR_TRY_ASSIGN(std::string text, ldr.read(p->as_string(), field));
        return patch_text{std::move(text), p->as_string()};
    }
    if (const value* p = e.find("patch"); p && p->is_string())
        return patch_text{p->as_string(), field + " (inline)"};
    return build_error(field + ": an entry needs a path or a patch");
}

result<std::vector<value>> parse_patch(const std::string& text, const std::string& where)
{
    auto docs = parse_yaml_stream(text, {.schema = yaml_schema::kyaml_1_2});
    if (!docs) return build_error("invalid YAML in patch " + where + ": " + docs.err().message);
    std::vector<value> out;
    for (auto& d : *docs)
        if (!d.is_null()) out.push_back(std::move(d));
    return out;
}

// JSON patches go through sigs.k8s.io/yaml's YAML-to-JSON conversion in kustomize: YAML 1.1
// scalars (`y`, `on`, `yes` are booleans, 0755 is octal) and JSON numbers (1.0 becomes 1).
void integral_floats_to_ints(value& v)
{
    if (v.is_array()) {
        for (auto& e : v.as_array())
            integral_floats_to_ints(e);
    } else if (v.is_object()) {
        for (auto& [k, e] : v.as_object())
            integral_floats_to_ints(e);
    } else if (v.is_number() && !v.is_int()) {
        double d = v.as_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) v = static_cast<std::int64_t>(d);
    }
}

result<value> parse_json_ops(const std::string& text, const std::string& where)
{
    auto doc = parse_yaml(text, {.schema = yaml_schema::kubernetes_1_1});
    if (!doc) return build_error("invalid YAML in patch " + where + ": " + doc.err().message);
    integral_floats_to_ints(*doc);
    return std::move(*doc);
}

// One entry of `patches:` (or a PatchTransformer configuration).
status apply_patch_entry(accumulator& acc, const loader& ldr, const value& e, const std::string& field)
{
    WEIR_TRY_ASSIGN(patch_text src, patch_source(e, ldr, field));
    WEIR_TRY_ASSIGN(auto docs, parse_patch(src.text, src.where));
    if (docs.empty()) return ok();
    const value* target = e.find("target");
    bool json6902 = docs.size() == 1 && docs[0].is_array();
    if (json6902) {
        if (!target || !target->is_object())
            return build_error(field + ": json patch " + src.where + " needs a target");
        WEIR_TRY_ASSIGN(auto idx, select(acc, *target));
        WEIR_TRY_ASSIGN(value ops, parse_json_ops(src.text, src.where));
        return apply_json_ops(acc, idx, ops, "patch " + src.where);
    }
    for (const auto& d : docs) {
        if (!d.is_object())
            return build_error("patch " + src.where + " must be a map or a list of operations");
        if (target && target->is_object()) {
            WEIR_TRY_ASSIGN(auto idx, select(acc, *target));
            WEIR_TRY(apply_smp(acc, idx, d, read_patch_opts(e)));
        } else {
            WEIR_TRY(apply_smp_by_id(acc, d, "patch " + src.where));
        }
    }
    return ok();
}

// An entry of patchesStrategicMerge: a file path, or the patch itself inline.
status apply_psm_entry(accumulator& acc, const loader& ldr, const std::string& entry,
                       const std::string& field)
{
    std::string text = entry, where = field + " (inline)";
    bool inline_patch = entry.find('\n') != std::string::npos || entry.find(": ") != std::string::npos;
    if (!inline_patch) {
        WEIR_TRY_ASSIGN(text, ldr.read(entry, field));
        where = entry;
    }
    WEIR_TRY_ASSIGN(auto docs, parse_patch(text, where));
    for (const auto& d : docs) {
        if (!d.is_object()) return build_error("patch " + where + " must be a map");
        WEIR_TRY(apply_smp_by_id(acc, d, "patch " + where));
    }
    return ok();
}

} // namespace

status apply_patches(accumulator& acc, const loader& ldr, const value& kust)
{
    if (const value* l = kust.find("patchesStrategicMerge"); l && l->is_array())
        for (const auto& e : l->as_array())
            if (e.is_string()) WEIR_TRY(apply_psm_entry(acc, ldr, e.as_string(), "patchesStrategicMerge"));
    if (const value* l = kust.find("patches"); l && l->is_array())
        for (const auto& e : l->as_array()) {
            if (!e.is_object()) return build_error("patches: each entry must be a map with path or patch");
            WEIR_TRY(apply_patch_entry(acc, ldr, e, "patches"));
        }
    return ok();
}

status apply_json6902_legacy(accumulator& acc, const loader& ldr, const value& kust)
{
    const value* l = kust.find("patchesJson6902");
    if (!l || !l->is_array()) return ok();
    for (const auto& e : l->as_array()) {
        if (!e.is_object()) continue;
        WEIR_TRY_ASSIGN(patch_text src, patch_source(e, ldr, "patchesJson6902"));
        WEIR_TRY_ASSIGN(auto docs, parse_patch(src.text, src.where));
        if (docs.empty()) continue;
        const value* target = e.find("target");
        if (!target || !target->is_object())
            return build_error("patchesJson6902 " + src.where + " needs a target");
        WEIR_TRY_ASSIGN(auto idx, select(acc, *target));
        WEIR_TRY_ASSIGN(value ops, parse_json_ops(src.text, src.where));
        if (!ops.is_array())
            return build_error("patchesJson6902 " + src.where + " must be a list of operations");
        WEIR_TRY(apply_json_ops(acc, idx, ops, "patch " + src.where));
    }
    return ok();
}

status run_patch_plugin(accumulator& acc, const loader& ldr, const value& cfg)
{
    std::string_view kind = cfg.get_string("kind");
    if (kind == "PatchTransformer") return apply_patch_entry(acc, ldr, cfg, "PatchTransformer");
    if (kind == "PatchJson6902Transformer") {
        value k = object{};
        value e = cfg;
        if (const value* op = cfg.find("jsonOp"); op && !e.find("patch")) e["patch"] = *op;
        k["patchesJson6902"] = array{e};
        return apply_json6902_legacy(acc, ldr, k);
    }
    // PatchStrategicMergeTransformer: paths and/or patches
    if (const value* p = cfg.find("paths"); p && p->is_array())
        for (const auto& e : p->as_array())
            if (e.is_string())
                WEIR_TRY(apply_psm_entry(acc, ldr, e.as_string(), "PatchStrategicMergeTransformer"));
    if (const value* p = cfg.find("patches"); p && p->is_string())
        WEIR_TRY(apply_psm_entry(acc, ldr, p->as_string(), "PatchStrategicMergeTransformer"));
    return ok();
}

} // namespace weir::kustomize::detail
