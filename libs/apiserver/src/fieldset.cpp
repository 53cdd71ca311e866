#include "fieldset.hpp"

#include <weir/core/json.hpp>

#include <algorithm>

namespace weir::apiserver {

namespace {

bool has_all(const value& item, const std::vector<std::string>& keys)
{
    if (!item.is_object()) return false;
    return std::all_of(keys.begin(), keys.end(),
                       [&](const std::string& k) { return item.find(k) != nullptr; });
}

// Metadata the server owns: never part of anyone's field set.
bool server_metadata(std::string_view k)
{
    static const std::vector<std::string_view> skip{"name",
                                                    "namespace",
                                                    "uid",
                                                    "resourceVersion",
                                                    "generation",
                                                    "creationTimestamp",
                                                    "managedFields",
                                                    "deletionTimestamp",
                                                    "deletionGracePeriodSeconds",
                                                    "selfLink",
                                                    "generateName"};
    return std::find(skip.begin(), skip.end(), k) != skip.end();
}

void collect(const value& v, const value* schema, std::string_view name, value& out);

void collect_array(const value& arr, const value* schema, std::string_view name, value& out)
{
    auto ls = list_type_of(schema, name, arr);
    if (ls.kind == list_semantics::type::atomic) return; // the caller marked the whole list
    for (const auto& item : arr.as_array()) {
        value& node = out[item_element(ls, item)];
        if (node.is_null()) node = object{};
        if (ls.kind == list_semantics::type::map) {
            node["."] = object{};
            if (item.is_object()) collect(item, item_schema(schema), "", node);
        }
    }
}

void collect(const value& v, const value* schema, std::string_view, value& out)
{
    for (const auto& [k, child] : v.as_object()) {
        value& node = out["f:" + k];
        if (node.is_null()) node = object{};
        const value* cs = child_schema(schema, k);
        if (child.is_object() && !child.as_object().empty())
            collect(child, cs, k, node);
        else if (child.is_array() && !child.as_array().empty())
            collect_array(child, cs, k, node);
    }
}

void diff(const value* before, const value& now, const value* schema, std::string_view name, value& out)
{
    if (now.is_object() && before && before->is_object() && !now.as_object().empty()) {
        for (const auto& [k, child] : now.as_object()) {
            const value* b = before->find(k);
            if (b && *b == child) continue;
            value sub = object{};
            diff(b, child, child_schema(schema, k), k, sub);
            out["f:" + k] = std::move(sub);
        }
        for (const auto& [k, child] : before->as_object())
            if (!now.find(k)) out["f:" + k] = object{};
        return;
    }
    if (now.is_array() && before && before->is_array()) {
        auto ls = list_type_of(schema, name, now);
        if (ls.kind != list_semantics::type::map) return;
        for (const auto& item : now.as_array()) {
            std::string el = item_element(ls, item);
            const value* prev = nullptr;
            for (const auto& b : before->as_array())
                if (item_element(ls, b) == el) prev = &b;
            if (prev && *prev == item) continue;
            value sub = object{};
            if (!prev) sub["."] = object{};
            if (item.is_object()) diff(prev, item, item_schema(schema), "", sub);
            out[el] = std::move(sub);
        }
        return;
    }
    if (now.is_object() && !before && !now.as_object().empty())
        collect(now, schema, name, out);
    else if (now.is_array() && !before && !now.as_array().empty())
        collect_array(now, schema, name, out);
}

value scoped(const value& obj, fields_scope scope)
{
    value v = object{};
    for (const auto& [k, child] : obj.as_object()) {
        if (k == "apiVersion" || k == "kind") continue;
        if (scope == fields_scope::no_status && k == "status") continue;
        if (scope == fields_scope::status_only && k != "status") continue;
        if (k == "metadata" && child.is_object()) {
            value md = object{};
            for (const auto& [mk, mv] : child.as_object())
                if (!server_metadata(mk)) md.as_object().push_back(mk, mv);
            if (!md.as_object().empty()) v.as_object().push_back(k, std::move(md));
            continue;
        }
        v.as_object().push_back(k, child);
    }
    return v;
}

} // namespace

const value* child_schema(const value* schema, std::string_view field)
{
    if (!schema) return nullptr;
    if (const value* p = schema->find("properties"))
        if (const value* c = p->find(field)) return c;
    if (const value* ap = schema->find("additionalProperties"); ap && ap->is_object()) return ap;
    return nullptr;
}

const value* item_schema(const value* schema)
{
    return schema ? schema->find("items") : nullptr;
}

list_semantics list_type_of(const value* schema, std::string_view name, const value& arr)
{
    list_semantics ls;
    if (schema) {
        std::string_view t = schema->get_string("x-kubernetes-list-type");
        if (t == "map") {
            ls.kind = list_semantics::type::map;
            if (const value* keys = schema->find("x-kubernetes-list-map-keys"); keys && keys->is_array())
                for (const auto& k : keys->as_array())
                    if (k.is_string()) ls.keys.push_back(k.as_string());
        } else if (t == "set") {
            ls.kind = list_semantics::type::set;
        }
        if (!t.empty()) return ls;
    }
    // Built-in kinds: the merge keys their Go types declare, by field name.
    static const std::vector<std::pair<std::string_view, std::vector<std::string>>> keyed{
        {"containers", {"name"}},
        {"initContainers", {"name"}},
        {"ephemeralContainers", {"name"}},
        {"env", {"name"}},
        {"volumes", {"name"}},
        {"volumeMounts", {"mountPath"}},
        {"volumeDevices", {"devicePath"}},
        {"imagePullSecrets", {"name"}},
        {"conditions", {"type"}},
        {"ownerReferences", {"uid"}},
        {"hostAliases", {"ip"}},
        {"topologySpreadConstraints", {"topologyKey", "whenUnsatisfiable"}}};
    if (name == "finalizers") {
        ls.kind = list_semantics::type::set;
        return ls;
    }
    if (name == "ports") {
        const value* first = arr.is_array() && !arr.as_array().empty() ? &arr.as_array().front() : nullptr;
        ls.kind = list_semantics::type::map;
        ls.keys = (first && first->find("containerPort"))
                      ? std::vector<std::string>{"containerPort", "protocol"}
                      : std::vector<std::string>{"port", "protocol"};
        ls.tcp_default = true;
    } else {
        for (const auto& [n, keys] : keyed)
            if (n == name) {
                ls.kind = list_semantics::type::map;
                ls.keys = keys;
            }
    }
    // A list whose items lack their keys cannot merge: treat it as one value.
    if (ls.kind == list_semantics::type::map && arr.is_array()) {
        std::vector<std::string> need{ls.keys.front()};
        for (const auto& item : arr.as_array())
            if (!has_all(item, need)) return list_semantics{};
    }
    return ls;
}

std::string item_element(const list_semantics& ls, const value& item)
{
    if (ls.kind == list_semantics::type::set || !item.is_object()) return "v:" + to_json(item);
    std::vector<std::string> keys = ls.keys;
    std::sort(keys.begin(), keys.end());
    value k = object{};
    for (const auto& key : keys)
        if (const value* v = item.find(key))
            k[key] = *v;
        else if (ls.tcp_default && key == "protocol")
            k[key] = "TCP";
    return "k:" + to_json(k);
}

value fields_of(const value& obj, const value* schema, fields_scope scope)
{
    value out = object{};
    if (!obj.is_object()) return out;
    collect(scoped(obj, scope), schema, "", out);
    return out;
}

value changed_fields(const value* before, const value& now, const value* schema, fields_scope scope)
{
    value out = object{};
    if (!before) return fields_of(now, schema, scope);
    value b = scoped(*before, scope);
    diff(&b, scoped(now, scope), schema, "", out);
    return out;
}

void fs_union(value& into, const value& add)
{
    if (!into.is_object()) into = object{};
    for (const auto& [k, v] : add.as_object()) {
        value& node = into[k];
        if (node.is_null()) node = object{};
        fs_union(node, v);
    }
}

value fs_subtract(const value& a, const value& b)
{
    value out = object{};
    for (const auto& [k, ca] : a.as_object()) {
        const value* cb = b.is_object() ? b.find(k) : nullptr;
        if (!cb) {
            out.as_object().push_back(k, ca);
            continue;
        }
        if (ca.as_object().empty()) {
            if (!cb->as_object().empty()) out.as_object().push_back(k, ca);
            continue;
        }
        value r = fs_subtract(ca, *cb);
        if (!r.as_object().empty()) out.as_object().push_back(k, std::move(r));
    }
    return out;
}

bool fs_empty(const value& s)
{
    return !s.is_object() || s.as_object().empty();
}

void fs_leaves(const value& s, std::vector<std::vector<std::string>>& out, std::vector<std::string>& cur)
{
    for (const auto& [k, v] : s.as_object()) {
        if (k == ".") {
            out.push_back(cur);
            continue;
        }
        cur.push_back(k);
        if (v.as_object().empty())
            out.push_back(cur);
        else
            fs_leaves(v, out, cur);
        cur.pop_back();
    }
}

bool fs_contains(const value& s, const std::vector<std::string>& path)
{
    const value* node = &s;
    for (const auto& el : path) {
        node = node->find(el);
        if (!node) return false;
    }
    return node->as_object().empty() || node->find(".") != nullptr;
}

namespace {

value* step(value& v, const std::string& el, std::size_t* index)
{
    if (el.starts_with("f:")) return v.is_object() ? v.find(std::string_view(el).substr(2)) : nullptr;
    if (!v.is_array()) return nullptr;
    auto parsed = parse_json(std::string_view(el).substr(2));
    if (!parsed) return nullptr;
    auto& items = v.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        bool hit;
        if (el.starts_with("v:")) {
            hit = items[i] == *parsed;
        } else {
            hit = items[i].is_object() && parsed->is_object();
            if (hit)
                for (const auto& [k, kv] : parsed->as_object()) {
                    const value* have = items[i].find(k);
                    if (!have || !(*have == kv)) hit = false;
                }
        }
        if (hit) {
            if (index) *index = i;
            return &items[i];
        }
    }
    return nullptr;
}

} // namespace

const value* resolve_path(const value& obj, const std::vector<std::string>& path)
{
    value* node = const_cast<value*>(&obj);
    for (const auto& el : path) {
        node = step(*node, el, nullptr);
        if (!node) return nullptr;
    }
    return node;
}

bool remove_path(value& obj, const std::vector<std::string>& path)
{
    if (path.empty()) return false;
    value* node = &obj;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        node = step(*node, path[i], nullptr);
        if (!node) return false;
    }
    const std::string& last = path.back();
    if (last.starts_with("f:"))
        return node->is_object() && node->as_object().erase(std::string_view(last).substr(2));
    std::size_t idx = 0;
    if (!step(*node, last, &idx)) return false;
    node->as_array().erase(node->as_array().begin() + static_cast<std::ptrdiff_t>(idx));
    return true;
}

std::string path_string(const std::vector<std::string>& path)
{
    std::string out;
    for (const auto& el : path) {
        if (el.starts_with("f:")) {
            out += "." + el.substr(2);
        } else if (el.starts_with("v:")) {
            out += "[" + el.substr(2) + "]";
        } else if (auto kv = parse_json(std::string_view(el).substr(2)); kv && kv->is_object()) {
            out += "[";
            bool first = true;
            for (const auto& [k, v] : kv->as_object()) {
                out += (first ? "" : ",") + k + "=" + to_json(v);
                first = false;
            }
            out += "]";
        }
    }
    return out;
}

void merge_applied(value& live, const value& applied, const value* schema, std::string_view name)
{
    if (applied.is_object() && live.is_object()) {
        for (const auto& [k, v] : applied.as_object()) {
            value* cur = live.find(k);
            if (cur)
                merge_applied(*cur, v, child_schema(schema, k), k);
            else
                live.as_object().push_back(k, v);
        }
        return;
    }
    if (applied.is_array() && live.is_array()) {
        auto ls = list_type_of(schema, name, applied);
        if (ls.kind != list_semantics::type::atomic && list_type_of(schema, name, live).kind == ls.kind) {
            auto& items = live.as_array();
            for (const auto& a : applied.as_array()) {
                std::string el = item_element(ls, a);
                auto it = std::find_if(items.begin(), items.end(),
                                       [&](const value& l) { return item_element(ls, l) == el; });
                if (it == items.end())
                    items.push_back(a);
                else if (ls.kind == list_semantics::type::map)
                    merge_applied(*it, a, item_schema(schema), "");
            }
            return;
        }
    }
    live = applied;
}

} // namespace weir::apiserver
