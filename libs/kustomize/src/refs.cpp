// Name references (renames follow into referring fields), vars and replacements.
#include "internal.hpp"

#include <weir/core/yaml.hpp>
#include <weir/schema/schema.hpp>

#include <algorithm>
#include <unordered_map>

namespace weir::kustomize::detail {
namespace {

bool ns_equal(std::string a, std::string b)
{
    if (a == "default") a.clear();
    if (b == "default") b.clear();
    return a == b;
}

bool shares_ns(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    for (const auto& x : a)
        for (const auto& y : b)
            if (ns_equal(x, y)) return true;
    return false;
}

void visit_parents(value& obj, const std::vector<std::string>& segs, const std::function<void(value&)>& fn)
{
    std::vector<std::string> parent(segs.begin(), segs.end() - 1);
    visit_path(obj, parent, false, [&](value& p) {
        if (p.is_array()) {
            for (auto& e : p.as_array())
                if (e.is_object()) fn(e);
        } else if (p.is_object()) {
            fn(p);
        }
    });
}

std::string_view version_of(std::string_view api_version)
{
    auto slash = api_version.find('/');
    return slash == std::string_view::npos ? api_version : api_version.substr(slash + 1);
}

} // namespace

status fix_name_references(accumulator& acc)
{
    std::unordered_map<std::string, std::vector<std::size_t>> by_kind;
    for (std::size_t i = 0; i < acc.res.size(); ++i)
        by_kind[std::string(acc.res[i].kind())].push_back(i);
    // Only references to objects whose name changed need work.
    std::vector<const name_ref_spec*> specs;
    for (const auto& nr : acc.cfg.name_reference) {
        auto it = by_kind.find(nr.kind);
        if (it == by_kind.end()) continue;
        bool renamed = false;
        for (auto i : it->second)
            if (acc.res[i].names.size() > 1 || acc.res[i].namespaces.size() > 1) renamed = true;
        if (renamed) specs.push_back(&nr);
    }
    for (auto& r : acc.res) {
        bool referrer_cluster = cluster_scoped(acc, r.api_version(), r.kind());
        for (const name_ref_spec* nr : specs) {
            const auto& cands = by_kind[nr->kind];
            for (const auto& f : nr->fields) {
                if (!f.matches(r.obj)) continue;
                auto segs = f.segments();
                if (segs.empty()) continue;
                const std::string last = segs.back();
                // Subjects and webhook service references carry the namespace of what they name:
                // it must match, and follows the object when it moves.
                bool with_ns = f.path.ends_with("subjects/name") ||
                               f.path.find("clientConfig/service") != std::string::npos;
                bool check_kind = f.path.ends_with("roleRef/name") || f.path.ends_with("scaleTargetRef/name");
                visit_parents(r.obj, segs, [&](value& p) {
                    value* slot = p.find(last);
                    if (!slot || !slot->is_string()) return;
                    if (const value* k = p.find("kind");
                        check_kind && k && k->is_string() && k->as_string() != nr->kind)
                        return;
                    const std::string& old = slot->as_string();
                    const value* pns = with_ns ? p.find("namespace") : nullptr;
                    std::vector<std::string> ref_ns = r.namespaces;
                    if (pns && pns->is_string()) ref_ns = {pns->as_string()};
                    bool any_ns = (referrer_cluster && !pns) || (!with_ns && referrer_cluster);
                    std::vector<std::size_t> matches;
                    for (auto ci : cands) {
                        const resource& c = acc.res[ci];
                        if (!nr->group.empty() && schema::group_of(c.api_version()) != nr->group) continue;
                        if (!nr->version.empty() && version_of(c.api_version()) != nr->version) continue;
                        if (std::find(c.names.begin(), c.names.end(), old) == c.names.end()) continue;
                        bool cand_cluster = cluster_scoped(acc, c.api_version(), c.kind());
                        if (!cand_cluster && !any_ns && !shares_ns(ref_ns, c.namespaces)) continue;
                        matches.push_back(ci);
                    }
                    if (matches.size() > 1) {
                        std::vector<std::size_t> same;
                        for (auto ci : matches)
                            if (acc.res[ci].prefixes == r.prefixes && acc.res[ci].suffixes == r.suffixes)
                                same.push_back(ci);
                        if (!same.empty()) matches = same;
                    }
                    if (matches.empty()) return;
                    const resource& c = acc.res[matches[0]];
                    *slot = c.name();
                    if (with_ns && !c.ns().empty()) p["namespace"] = c.ns();
                });
            }
        }
    }
    return ok();
}

// kustomize field paths for vars and replacements: "spec.containers[name=app].image",
// "spec.containers.[name=app].image", "spec.ports.0.port", "metadata.annotations.[a.b/c]".
std::vector<std::string> split_field_path(std::string_view p)
{
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    for (char c : p) {
        if (c == '[') {
            if (!cur.empty() && depth == 0) {
                out.push_back(cur);
                cur.clear();
            }
            ++depth;
        }
        if (c == ']') --depth;
        if (c == '.' && depth == 0) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

namespace {

// Finds (or with create, makes) the nodes at a field path.
void walk_field(value& cur, const std::vector<std::string>& segs, std::size_t i, bool create,
                std::vector<value*>& out)
{
    if (i == segs.size()) {
        out.push_back(&cur);
        return;
    }
    const std::string& s = segs[i];
    if (s == "*" || s == "[]") {
        if (cur.is_array())
            for (auto& e : cur.as_array())
                walk_field(e, segs, i + 1, create, out);
        else if (cur.is_object())
            for (auto& [k, v] : cur.as_object())
                walk_field(v, segs, i + 1, create, out);
        return;
    }
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') {
        std::string inner = s.substr(1, s.size() - 2);
        auto eq = inner.find('=');
        if (eq == std::string::npos) {
            if (!cur.is_object()) return;
            value* next = cur.find(inner);
            if (!next && create && cur.is_object()) {
                cur.as_object().push_back(inner, i + 1 == segs.size() ? value{} : value(object{}));
                next = cur.find(inner);
            }
            if (next) walk_field(*next, segs, i + 1, create, out);
            return;
        }
        std::string k = inner.substr(0, eq), v = inner.substr(eq + 1);
        if (!cur.is_array()) return;
        bool found = false;
        for (auto& e : cur.as_array())
            if (e.is_object()) {
                const value* x = e.find(k);
                if (x && to_scalar(*x) == v) {
                    found = true;
                    walk_field(e, segs, i + 1, create, out);
                }
            }
        if (!found && create) {
            object o;
            o.push_back(k, v);
            cur.as_array().push_back(std::move(o));
            walk_field(cur.as_array().back(), segs, i + 1, create, out);
        }
        return;
    }
    if (cur.is_array()) {
        bool digits = !s.empty() && s.size() < 10 &&
                      std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) {
            auto idx = std::stoul(s);
            if (idx < cur.as_array().size()) walk_field(cur.as_array()[idx], segs, i + 1, create, out);
        }
        return;
    }
    if (cur.is_null() && create) cur = object{};
    if (!cur.is_object()) return;
    value* next = cur.find(s);
    if (!next) {
        if (!create) return;
        cur.as_object().push_back(s, i + 1 == segs.size() ? value{} : value(object{}));
        next = cur.find(s);
    }
    walk_field(*next, segs, i + 1, create, out);
}

std::vector<std::string> split_delim(const std::string& s, const std::string& d)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        auto n = s.find(d, pos);
        out.push_back(s.substr(pos, n == std::string::npos ? std::string::npos : n - pos));
        if (n == std::string::npos) break;
        pos = n + d.size();
    }
    return out;
}

std::string join(const std::vector<std::string>& xs, const std::string& d)
{
    std::string out;
    for (std::size_t i = 0; i < xs.size(); ++i)
        out += (i ? d : "") + xs[i];
    return out;
}

std::string selector_text(const value& s, const std::string& path)
{
    std::string g(s.get_string("group")), v(s.get_string("version")), n(s.get_string("namespace"));
    return std::string(s.get_string("kind")) + "." + (v.empty() ? "[noVer]" : v) + "." +
           (g.empty() ? "[noGrp]" : g) + "/" + std::string(s.get_string("name")) + "." +
           (n.empty() ? "[noNs]" : n) + ":" + path;
}

result<value> replacement_source(accumulator& acc, const value& src)
{
    value sel = src;
    auto idx_r = select(acc, sel);
    if (!idx_r) return idx_r.err();
    std::string fp(src.get_string("fieldPath", "metadata.name"));
    if (idx_r->size() > 1)
        return build_error("multiple matches for selector " + selector_text(src, fp) +
                           " in replacement source");
    if (idx_r->empty()) return build_error("nothing selected by " + selector_text(src, fp));
    std::vector<value*> nodes;
    walk_field(acc.res[(*idx_r)[0]].obj, split_field_path(fp), 0, false, nodes);
    if (nodes.empty())
        return build_error("fieldPath `" + fp + "` is missing for replacement source " +
                           selector_text(src, fp));
    value v = *nodes[0];
    if (const value* o = src.find("options"); o && o->is_object() && o->find("delimiter")) {
        auto parts = split_delim(to_scalar(v), std::string(o->get_string("delimiter")));
        std::int64_t i = o->find("index") && o->find("index")->is_int() ? o->find("index")->as_int() : 0;
        if (i < 0 || static_cast<std::size_t>(i) >= parts.size())
            return build_error("options.index " + std::to_string(i) + " is out of bounds for value " +
                               to_scalar(v));
        v = parts[static_cast<std::size_t>(i)];
    }
    return v;
}

status apply_one_replacement(accumulator& acc, const value& rep)
{
    const value* src = rep.find("source");
    if (!src || !src->is_object()) return build_error("replacement without a source");
    WEIR_TRY_ASSIGN(value v, replacement_source(acc, *src));
    const value* targets = rep.find("targets");
    if (!targets || !targets->is_array()) return ok();
    for (const auto& t : targets->as_array()) {
        const value* sel = t.find("select");
        if (!sel) return build_error("replacement target without select");
        WEIR_TRY_ASSIGN(auto idx, select(acc, *sel));
        std::vector<std::size_t> rejected;
        if (const value* rej = t.find("reject"); rej && rej->is_array())
            for (const auto& r : rej->as_array()) {
                WEIR_TRY_ASSIGN(auto ri, select(acc, r));
                rejected.insert(rejected.end(), ri.begin(), ri.end());
            }
        const value* opts = t.find("options");
        bool create = opts && opts->find("create") && opts->find("create")->is_bool() &&
                      opts->find("create")->as_bool();
        for (auto i : idx) {
            if (std::find(rejected.begin(), rejected.end(), i) != rejected.end()) continue;
            const value* fps = t.find("fieldPaths");
            if (!fps || !fps->is_array()) continue;
            for (const auto& fp : fps->as_array()) {
                if (!fp.is_string()) continue;
                std::vector<value*> nodes;
                walk_field(acc.res[i].obj, split_field_path(fp.as_string()), 0, create, nodes);
                if (nodes.empty() && !create)
                    return build_error("unable to find field \"" + fp.as_string() +
                                       "\" in replacement target " + std::string(acc.res[i].kind()) + "/" +
                                       acc.res[i].name() + " (set options.create to add it)");
                for (value* n : nodes) {
                    if (opts && opts->find("delimiter")) {
                        std::string d(opts->get_string("delimiter"));
                        auto parts =
                            n->is_null() ? std::vector<std::string>{} : split_delim(to_scalar(*n), d);
                        std::int64_t k = opts->find("index") && opts->find("index")->is_int()
                                             ? opts->find("index")->as_int()
                                             : 0;
                        std::string sv = to_scalar(v);
                        if (k < 0)
                            parts.insert(parts.begin(), sv);
                        else if (static_cast<std::size_t>(k) >= parts.size())
                            parts.push_back(sv);
                        else
                            parts[static_cast<std::size_t>(k)] = sv;
                        *n = join(parts, d);
                    } else {
                        *n = v;
                    }
                }
            }
            acc.res[i].remember();
        }
    }
    return ok();
}

} // namespace

status apply_replacements(accumulator& acc, const loader& ldr, const value& list)
{
    for (const auto& e : list.as_array()) {
        if (const value* p = e.find("path"); p && p->is_string()) {
            WEIR_TRY_ASSIGN(std::string text, ldr.read(p->as_string(), "replacements"));
            auto docs = parse_yaml_stream(text, {.schema = yaml_schema::kyaml_1_2});
            if (!docs) return build_error("invalid YAML in " + p->as_string() + ": " + docs.err().message);
            for (const auto& d : *docs) {
                if (d.is_array())
                    for (const auto& r : d.as_array())
                        WEIR_TRY(apply_one_replacement(acc, r));
                else if (d.is_object())
                    WEIR_TRY(apply_one_replacement(acc, d));
            }
            continue;
        }
        WEIR_TRY(apply_one_replacement(acc, e));
    }
    return ok();
}

namespace {

// Replaces $(VAR) in s; a string that is exactly one reference takes the variable's value as is.
bool expand(value& slot, const std::unordered_map<std::string, value>& vals)
{
    if (!slot.is_string()) return false;
    const std::string& s = slot.as_string();
    if (s.find("$(") == std::string::npos) return false;
    if (s.size() > 3 && s.starts_with("$(") && s.back() == ')' && s.find("$(", 2) == std::string::npos) {
        auto it = vals.find(s.substr(2, s.size() - 3));
        if (it != vals.end()) {
            slot = it->second.is_string() ? it->second : value(to_scalar(it->second));
            return true;
        }
    }
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s.compare(i, 2, "$(") == 0) {
            auto close = s.find(')', i + 2);
            if (close != std::string::npos) {
                auto it = vals.find(s.substr(i + 2, close - i - 2));
                if (it != vals.end()) {
                    out += to_scalar(it->second);
                    i = close + 1;
                    continue;
                }
            }
        }
        out += s[i++];
    }
    slot = out;
    return true;
}

} // namespace

status resolve_vars(accumulator& acc)
{
    if (acc.vars.empty()) return ok();
    std::unordered_map<std::string, value> vals;
    for (const auto& v : acc.vars) {
        std::string kind(v.objref.get_string("kind")), name(v.objref.get_string("name"));
        std::string av(v.objref.get_string("apiVersion"));
        const resource* found = nullptr;
        for (const auto& r : acc.res) {
            if (r.kind() != kind) continue;
            if (!av.empty() && r.api_version() != av) continue;
            if (std::find(r.names.begin(), r.names.end(), name) == r.names.end()) continue;
            found = &r;
            break;
        }
        if (!found)
            return build_error("var '" + v.name +
                               "' cannot be mapped to a field in the set of known resources");
        value copy = found->obj;
        std::vector<value*> nodes;
        walk_field(copy, split_field_path(v.field_path), 0, false, nodes);
        if (nodes.empty())
            return build_error("var '" + v.name + "': field " + v.field_path + " not found in " + name);
        vals[v.name] = *nodes[0];
    }
    for (auto& r : acc.res)
        for (const auto& f : acc.cfg.var_reference) {
            if (!f.matches(r.obj)) continue;
            visit_path(r.obj, f.segments(), false, [&](value& slot) {
                if (slot.is_array()) {
                    for (auto& e : slot.as_array())
                        expand(e, vals);
                } else if (slot.is_object()) {
                    for (auto& [k, e] : slot.as_object())
                        expand(e, vals);
                } else {
                    expand(slot, vals);
                }
            });
        }
    return ok();
}

} // namespace weir::kustomize::detail
