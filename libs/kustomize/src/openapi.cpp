// The kustomization fields `openapi:` (a custom OpenAPI v2 document giving list merge keys and
// scopes) and `crds:` (OpenAPI definitions whose x-kubernetes-* extensions add field specs and name
// references), read the way kustomize v5.5 reads them.
#include "internal.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/patch/patch.hpp>
#include <weir/schema/schema.hpp>

#include <algorithm>
#include <deque>
#include <map>

namespace weir::kustomize::detail {

struct openapi_schema::impl {
    value doc;
    std::deque<schema::type_info> types;
    std::map<std::string, const schema::type_info*, std::less<>> by_def;  // definition name
    std::map<std::string, const schema::type_info*, std::less<>> by_type; // "apiVersion|kind"
    std::map<std::string, bool, std::less<>> namespaced;                  // "apiVersion|kind"

    // A schema with its $ref chain followed ("#/definitions/NAME"); nullptr when unresolvable.
    const value* deref(const value* s, std::string* def_name = nullptr) const
    {
        for (int hops = 0; s && s->is_object() && hops < 64; ++hops) {
            const value* ref = s->find("$ref");
            if (!ref || !ref->is_string()) return s;
            std::string_view r = ref->as_string();
            constexpr std::string_view prefix = "#/definitions/";
            if (!r.starts_with(prefix)) return nullptr;
            std::string name(r.substr(prefix.size()));
            if (def_name) *def_name = name;
            const value* defs = doc.find("definitions");
            s = defs ? defs->find(name) : nullptr;
        }
        return s;
    }

    // kyaml resolves a field's $ref before reading its extensions, so a referring field's own
    // x-kubernetes-* keys are lost: reproduced by reading them from the resolved schema.
    schema::field_info field_of(const value& prop)
    {
        schema::field_info f;
        std::string def;
        const value* s = deref(&prop, &def);
        if (!s || !s->is_object()) return f;
        if (s->get_string("type") == "array" || s->find("items")) {
            f.is_list = true;
            std::string_view strategy = s->get_string("x-kubernetes-patch-strategy");
            bool merge = false;
            for (std::size_t at = 0; at <= strategy.size();) {
                auto comma = strategy.find(',', at);
                if (strategy.substr(at, comma == std::string_view::npos ? std::string_view::npos
                                                                        : comma - at) == "merge")
                    merge = true;
                if (comma == std::string_view::npos) break;
                at = comma + 1;
            }
            if (merge) {
                if (const value* keys = s->find("x-kubernetes-list-map-keys"); keys && keys->is_array()) {
                    for (const auto& k : keys->as_array())
                        if (k.is_string()) f.merge_keys.push_back(k.as_string());
                } else if (std::string_view k = s->get_string("x-kubernetes-patch-merge-key"); !k.empty()) {
                    f.merge_keys.emplace_back(k);
                }
                f.merge_scalars = f.merge_keys.empty();
            }
            std::string item_def;
            const value* items = s->find("items");
            const value* item = items ? deref(items, &item_def) : nullptr;
            if (item) f.type = type_of(*item, items->find("$ref") ? item_def : std::string{});
            return f;
        }
        f.type = type_of(*s, prop.find("$ref") ? def : std::string{});
        return f;
    }

    // The type of an object schema; definitions are built once, so recursive schemas terminate.
    const schema::type_info* type_of(const value& s, const std::string& def)
    {
        if (!s.is_object()) return nullptr;
        const value* props = s.find("properties");
        if (!props || !props->is_object()) return nullptr;
        if (!def.empty())
            if (auto it = by_def.find(def); it != by_def.end()) return it->second;
        types.emplace_back();
        schema::type_info* t = &types.back();
        if (!def.empty()) by_def.emplace(def, t);
        for (const auto& [name, prop] : props->as_object())
            t->fields.emplace_back(name, field_of(prop));
        return t;
    }

    static std::string type_key(const value& gvk)
    {
        std::string group(gvk.get_string("group")), version(gvk.get_string("version"));
        return (group.empty() ? version : group + "/" + version) + "|" + std::string(gvk.get_string("kind"));
    }

    static void each_gvk(const value* ext, const std::function<void(const value&)>& fn)
    {
        if (!ext) return;
        if (ext->is_object()) fn(*ext);
        if (ext->is_array())
            for (const auto& g : ext->as_array())
                if (g.is_object()) fn(g);
    }

    void index()
    {
        if (const value* defs = doc.find("definitions"); defs && defs->is_object())
            for (const auto& [name, def] : defs->as_object())
                each_gvk(def.find("x-kubernetes-group-version-kind"),
                         [&, &def = def, &name = name](const value& gvk) {
                             if (const schema::type_info* t = type_of(def, name)) by_type[type_key(gvk)] = t;
                         });
        // A kind is namespaced when one of its GET paths has a namespace parameter.
        if (const value* paths = doc.find("paths"); paths && paths->is_object())
            for (const auto& [path, item] : paths->as_object()) {
                const value* get = item.find("get");
                if (!get) continue;
                each_gvk(get->find("x-kubernetes-group-version-kind"), [&, &path = path](const value& gvk) {
                    bool ns = path.find("namespaces/{namespace}") != std::string::npos;
                    auto [it, fresh] = namespaced.emplace(type_key(gvk), ns);
                    if (!fresh && ns) it->second = true;
                });
            }
    }
};

openapi_schema::openapi_schema() : impl_(std::make_unique<impl>()) {}
openapi_schema::~openapi_schema() = default;

result<std::unique_ptr<openapi_schema>> openapi_schema::parse(std::string_view text, const std::string& file)
{
    auto s = std::unique_ptr<openapi_schema>(new openapi_schema());
    std::size_t first = text.find_first_not_of(" \t\r\n");
    auto doc = first != std::string_view::npos && text[first] == '{'
                   ? parse_json(text)
                   : parse_yaml(text, {.schema = yaml_schema::kyaml_1_2});
    if (!doc) return build_error("invalid OpenAPI schema " + file + ": " + doc.err().message);
    if (!doc->is_object())
        return build_error("invalid OpenAPI schema " + file + ": want a map with definitions");
    s->impl_->doc = std::move(*doc);
    s->impl_->index();
    return s;
}

const schema::type_info* openapi_schema::type_for(std::string_view api_version, std::string_view kind) const
{
    std::string key(api_version);
    key += '|';
    key += kind;
    auto it = impl_->by_type.find(key);
    return it == impl_->by_type.end() ? nullptr : it->second;
}

std::optional<bool> openapi_schema::namespaced(std::string_view api_version, std::string_view kind) const
{
    std::string key(api_version);
    key += '|';
    key += kind;
    auto it = impl_->namespaced.find(key);
    if (it == impl_->namespaced.end()) return std::nullopt;
    return it->second;
}

bool cluster_scoped(const accumulator& acc, std::string_view api_version, std::string_view kind)
{
    if (acc.schemas && acc.schemas->custom)
        if (auto ns = acc.schemas->custom->namespaced(api_version, kind)) return !*ns;
    return cluster_scoped(api_version, kind);
}

status apply_smp_to(const accumulator& acc, value& obj, const value& p)
{
    std::string_view av = obj.get_string("apiVersion"), kind = obj.get_string("kind");
    const schema::type_info* t = nullptr;
    bool builtin = false;
    if (acc.schemas && acc.schemas->custom) t = acc.schemas->custom->type_for(av, kind);
    if (!t && !(acc.schemas && acc.schemas->custom && acc.schemas->exclusive)) {
        t = schema::type_for(av, kind);
        builtin = t != nullptr;
    }
    if (acc.schemas && !acc.schemas->custom) acc.schemas->builtin_used = true;
    // kustomize merges lists only where a schema gives a merge key. weir's built-in tables list
    // only the fields patching needs, so below a built-in kind kyaml's key inference fills the
    // gaps; a kind no schema knows (a custom resource) gets its lists replaced, as kustomize does.
    return patch::apply_strategic_merge(
        obj, p, t, {.infer_merge_keys = builtin, .patch_order_first = true, .no_schema_without_type = true});
}

status set_openapi(schema_state& st, const loader& ldr, const value& kust, bool top)
{
    const value* oa = kust.find("openapi");
    if (!oa || oa->is_null()) return ok();
    const std::string file = ldr.kustomization_file.string();
    if (!oa->is_object()) return build_error("invalid Kustomization " + file + ": openapi must be a map");
    // The first schema set wins below the top; the top's own replaces any.
    if (!top && st.set) return ok();
    const value* path = oa->find("path");
    const value* version = oa->find("version");
    if (path && path->is_string()) {
        if (version && !version->is_null())
            return build_error(file +
                               ": openapi: builtin version and custom schema provided, cannot use both");
        WEIR_TRY_ASSIGN(std::string text, ldr.read(path->as_string(), file + ": openapi"));
        WEIR_TRY_ASSIGN(st.custom, openapi_schema::parse(text, path->as_string()));
        st.exclusive = top || !st.builtin_used;
        st.set = true;
        return ok();
    }
    if (version && version->is_string() && !version->as_string().empty()) {
        if (version->as_string() != "v1.21.2")
            return build_error(file + ": openapi: the specified OpenAPI version \"" + version->as_string() +
                               "\" is not built in (kustomize v5.5 has v1.21.2)");
        st.custom.reset();
        st.set = true;
    }
    return ok();
}

namespace {

// crds: files of OpenAPI definitions (name -> {Schema: ...}); the kind is the last dot-separated
// part of a definition's name.
bool is_str(const value* v)
{
    return v && v->is_string();
}

struct crd_reader {
    const object& defs;
    config& out;

    static const value* field_ci(const value& v, std::string_view key)
    {
        if (!v.is_object()) return nullptr;
        for (const auto& [k, x] : v.as_object()) {
            if (k.size() != key.size()) continue;
            bool same = std::equal(k.begin(), k.end(), key.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            });
            if (same) return &x;
        }
        return nullptr;
    }

    const value* properties(std::string_view type_name) const
    {
        const value* def = defs.find(type_name);
        const value* s = def ? field_ci(*def, "schema") : nullptr;
        const value* p = s ? s->find("properties") : nullptr;
        return p && p->is_object() ? p : nullptr;
    }

    void load(const std::string& kind, std::string_view type_name, const std::string& path, int depth)
    {
        const value* props = properties(type_name);
        if (!props || depth > 32) return;
        for (const auto& [name, p] : props->as_object()) {
            std::string here = path.empty() ? name : path + "/" + name;
            auto fs = [&](std::string at) { return field_spec{"", "", kind, std::move(at), false}; };
            if (is_str(p.find("x-kubernetes-annotation"))) out.common_annotations.push_back(fs(here));
            if (is_str(p.find("x-kubernetes-label-selector"))) out.common_labels.push_back(fs(here));
            if (is_str(p.find("x-kubernetes-identity"))) {
                out.name_prefix.push_back(fs(here));
                out.name_suffix.push_back(fs(here));
            }
            const value* ver = p.find("x-kubernetes-object-ref-api-version");
            const value* ref_kind = p.find("x-kubernetes-object-ref-kind");
            if (ver && ver->is_string() && ref_kind && ref_kind->is_string()) {
                std::string key(p.get_string("x-kubernetes-object-ref-name-key", "name"));
                name_ref_spec r{"", ref_kind->as_string(), {fs(here + "/" + key)}};
                r.version = ver->as_string();
                config one;
                one.name_reference.push_back(std::move(r));
                out.merge(one);
            }
            if (const value* ref = p.find("$ref"); ref && ref->is_string())
                load(kind, ref->as_string(), here, depth + 1);
        }
    }
};

} // namespace

status add_crds(accumulator& acc, const loader& ldr, const value& kust)
{
    const value* list = kust.find("crds");
    if (!list || !list->is_array()) return ok();
    for (const auto& e : list->as_array()) {
        if (!e.is_string())
            return build_error(ldr.kustomization_file.string() + ": crds must be a list of paths");
        WEIR_TRY_ASSIGN(std::string text,
                        ldr.read(e.as_string(), ldr.kustomization_file.string() + ": crds"));
        auto doc = parse_yaml(text, {.schema = yaml_schema::kyaml_1_2});
        if (!doc || !doc->is_object())
            return build_error("unable to parse open API definition from '" + e.as_string() +
                               "': want a map of type names to {Schema: ...}" +
                               (doc ? std::string{} : ": " + doc.err().message));
        config c;
        crd_reader rd{doc->as_object(), c};
        for (const auto& [name, def] : doc->as_object()) {
            const value* props = rd.properties(name);
            if (!props || !props->find("kind") || !props->find("apiVersion") || !props->find("metadata"))
                continue;
            auto dot = name.rfind('.');
            rd.load(dot == std::string::npos ? name : name.substr(dot + 1), name, "", 0);
        }
        acc.cfg.merge(c);
    }
    return ok();
}

} // namespace weir::kustomize::detail
