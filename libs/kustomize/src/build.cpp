// The kustomization walk: resources, generators, components, transformers, then the final steps
// (hash suffixes, name references, vars, output order) at the top only, as kustomize does.
#include "internal.hpp"

#include <weir/core/yaml.hpp>
#include <weir/schema/schema.hpp>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace weir::kustomize::detail {
namespace {

const char* const kustomization_names[] = {"kustomization.yaml", "kustomization.yml", "Kustomization"};

const char* const known_fields[] = {"apiVersion",
                                    "kind",
                                    "metadata",
                                    "resources",
                                    "bases",
                                    "components",
                                    "namespace",
                                    "namePrefix",
                                    "nameSuffix",
                                    "commonLabels",
                                    "labels",
                                    "commonAnnotations",
                                    "images",
                                    "imageTags",
                                    "replicas",
                                    "patches",
                                    "patchesStrategicMerge",
                                    "patchesJson6902",
                                    "configMapGenerator",
                                    "secretGenerator",
                                    "generatorOptions",
                                    "replacements",
                                    "vars",
                                    "crds",
                                    "openapi",
                                    "sortOptions",
                                    "buildMetadata",
                                    "transformers",
                                    "generators",
                                    "validators",
                                    "configurations",
                                    "helmCharts",
                                    "helmGlobals",
                                    "helmChartInflationGenerator"};

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

struct context {
    const build_options* opts;
    std::vector<fs::path> stack; // kustomization directories being built, for cycle detection
    schema_state schemas;        // the build's OpenAPI schema, global as in kustomize
    bool track_origins = false;  // the top kustomization has buildMetadata
    fs::path top;
};

std::string yaml_field(std::string_view key, std::string_view v)
{
    return std::string(key) + ": " + (v.empty() ? std::string("\"\"") : std::string(v));
}

// Records a transformer run for buildMetadata: on every object that has an origin, else as its
// origin, as kustomize does. `by` is the configuredBy block, `in` the file that configured it.
void mark_transformer(accumulator& acc, const context& ctx, const fs::path& in, const std::string& kind,
                      const std::string& by = {})
{
    if (!ctx.track_origins) return;
    std::string rel = in.lexically_relative(ctx.top).string();
    std::string block = by.empty() ? "    apiVersion: builtin\n    kind: " + kind + "\n" : by;
    std::string item = "- configuredIn: " + rel + "\n  configuredBy:\n" + block;
    for (auto& r : acc.res) {
        if (r.origin.empty()) {
            r.origin = in;
            r.origin_generator = kind;
        } else {
            r.transformations.push_back(item);
        }
    }
}

std::size_t count_of(const value& k, std::string_view field)
{
    const value* v = k.find(field);
    if (!v) return 0;
    if (v->is_array()) return v->as_array().size();
    if (v->is_object()) return v->as_object().empty() ? 0 : 1;
    if (v->is_string()) return v->as_string().empty() ? 0 : 1;
    return 0;
}

struct kfile {
    value doc;
    std::string path; // for messages
};

// Fields kustomize decodes as map[string]string: any other value type is an error there.
status check_string_map(const value* m, const std::string& where, const std::string& file)
{
    if (!m || m->is_null()) return ok();
    if (!m->is_object())
        return build_error("invalid Kustomization " + file + ": " + where + " must be a map of strings");
    for (const auto& [k, v] : m->as_object())
        if (!v.is_string())
            return build_error("invalid Kustomization " + file + ": " + where + "." + k + " is a " +
                               v.type_name() + ", want a string (quote it)");
    return ok();
}

status check_string_maps(const value& k, const std::string& file)
{
    WEIR_TRY(check_string_map(k.find("commonLabels"), "commonLabels", file));
    WEIR_TRY(check_string_map(k.find("commonAnnotations"), "commonAnnotations", file));
    if (const value* g = k.find("generatorOptions")) {
        WEIR_TRY(check_string_map(g->find("labels"), "generatorOptions.labels", file));
        WEIR_TRY(check_string_map(g->find("annotations"), "generatorOptions.annotations", file));
    }
    if (const value* l = k.find("labels"); l && l->is_array())
        for (const auto& e : l->as_array())
            WEIR_TRY(check_string_map(e.find("pairs"), "labels.pairs", file));
    for (const char* gen : {"configMapGenerator", "secretGenerator"})
        if (const value* l = k.find(gen); l && l->is_array())
            for (const auto& e : l->as_array()) {
                if (const value* n = e.find("name"); n && !n->is_string())
                    return build_error("invalid Kustomization " + file + ": " + gen +
                                       " name must be a string");
                if (const value* o = e.find("options")) {
                    WEIR_TRY(check_string_map(o->find("labels"), std::string(gen) + ".options.labels", file));
                    WEIR_TRY(check_string_map(o->find("annotations"),
                                              std::string(gen) + ".options.annotations", file));
                }
            }
    for (const char* f : {"namespace", "namePrefix", "nameSuffix"})
        if (const value* v = k.find(f); v && !v->is_null() && !v->is_string())
            return build_error("invalid Kustomization " + file + ": " + f + " must be a string");
    return ok();
}

// `override_text` stands in for the directory's file (build_options::root_kustomization).
result<kfile> load_kustomization(const fs::path& dir,
                                 const std::optional<std::string>& override_text = std::nullopt)
{
    fs::path found;
    int count = 0;
    std::error_code ec;
    for (const char* n : kustomization_names)
        if (fs::exists(dir / n, ec)) {
            if (count == 0) found = dir / n;
            ++count;
        }
    if (override_text) {
        if (count == 0) found = dir / "kustomization.yaml";
        count = 1;
    }
    if (count > 1) return build_error("found multiple kustomization files under: " + dir.string());
    if (count == 0)
        return build_error(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' "
            "in directory '" +
            dir.string() + "'");
    std::string text;
    if (override_text) {
        text = *override_text;
    } else {
        WEIR_TRY_ASSIGN(text, read_file(found));
    }
    // kustomize reads its own file through sigs.k8s.io/yaml, i.e. YAML 1.1 (`yes` is a boolean).
    auto doc = parse_yaml(text, {.schema = yaml_schema::kubernetes_1_1});
    if (!doc) return build_error("invalid YAML in " + found.string() + ": " + doc.err().message);
    if (doc->is_null()) return build_error("kustomization file " + found.string() + " is empty");
    if (!doc->is_object()) return build_error("kustomization file " + found.string() + " must be a YAML map");
    object norm;
    for (auto& [k, v] : doc->as_object()) {
        const char* canon = nullptr;
        for (const char* f : known_fields)
            if (iequals(k, f)) canon = f;
        if (!canon)
            return build_error("invalid Kustomization " + found.string() + ": unknown field \"" + k + "\"");
        if (norm.contains(canon))
            return build_error("invalid Kustomization " + found.string() + ": field \"" + canon +
                               "\" given twice");
        norm.push_back(canon, std::move(v));
    }
    value k = std::move(norm);
    WEIR_TRY(check_string_maps(k, found.string()));
    if (const value* b = k.find("bases"); b && b->is_array()) {
        value& r = k["resources"];
        if (!r.is_array()) r = array{};
        for (const auto& e : b->as_array())
            r.as_array().push_back(e);
    }
    if (const value* h = k.find("helmCharts"); h && h->is_array() && !h->as_array().empty())
        return build_error(found.string() +
                           ": helmCharts need Helm inflation, which weir's kustomize does not do "
                           "(must specify --enable-helm in kustomize; use a HelmRelease instead)");
    return kfile{std::move(k), found.string()};
}

std::string res_id(const resource& r)
{
    std::string id(r.kind());
    id += '|';
    id += schema::group_of(r.api_version());
    id += '|';
    id += r.ns();
    id += '|';
    id += r.name();
    return id;
}

std::string display_id(const resource& r)
{
    std::string g(schema::group_of(r.api_version()));
    std::string ns = r.ns();
    return std::string(r.kind()) + (g.empty() ? "" : "." + g) + "/" + r.name() + "." +
           (ns.empty() ? "[noNs]" : ns);
}

status append_all(accumulator& acc, std::vector<resource> more, const std::string& where)
{
    std::unordered_set<std::string> ids;
    for (const auto& r : acc.res)
        ids.insert(res_id(r));
    for (auto& r : more) {
        if (!ids.insert(res_id(r)).second)
            return build_error("accumulating resources from '" + where +
                               "': may not add resource with an already registered id: " + display_id(r));
        acc.res.push_back(std::move(r));
    }
    return ok();
}

// kustomize leaves out objects annotated config.kubernetes.io/local-config (unless "false").
bool local_config(const value& obj)
{
    const value* a = obj.find_path({"metadata", "annotations", "config.kubernetes.io/local-config"});
    return a && !(a->is_string() && a->as_string() == "false");
}

bool is_remote(std::string_view s)
{
    return s.find("://") != std::string_view::npos || s.starts_with("github.com/") || s.starts_with("git@") ||
           s.starts_with("gitlab.com/") || s.starts_with("bitbucket.org/");
}

status accumulate(accumulator& acc, const fs::path& dir, context& ctx, bool as_component, bool top);

result<accumulator> build_sub(const fs::path& dir, context& ctx)
{
    accumulator sub;
    sub.cfg = default_config();
    sub.schemas = &ctx.schemas;
    WEIR_TRY(accumulate(sub, dir, ctx, false, false));
    return sub;
}

status add_resources(accumulator& acc, const loader& ldr, const kfile& kf, context& ctx)
{
    const value* list = kf.doc.find("resources");
    if (!list || !list->is_array()) return ok();
    for (const auto& e : list->as_array()) {
        if (!e.is_string()) return build_error(kf.path + ": resources must be a list of strings");
        const std::string& rel = e.as_string();
        if (is_remote(rel))
            return build_error(kf.path + ": remote resource '" + rel +
                               "' is not supported: weir builds only "
                               "local trees (vendor the base or use a GitRepository source)");
        fs::path p = ldr.root / rel;
        std::error_code ec;
        fs::path c = fs::canonical(p, ec);
        if (ec)
            return build_error(kf.path + ": accumulating resources from '" + rel + "': '" + p.string() +
                               "' does not exist");
        if (fs::is_directory(c, ec)) {
            WEIR_TRY_ASSIGN(accumulator sub, build_sub(c, ctx));
            WEIR_TRY(append_all(acc, std::move(sub.res), rel));
            acc.cfg.merge(sub.cfg);
            for (auto& v : sub.vars)
                acc.vars.push_back(std::move(v));
            continue;
        }
        WEIR_TRY_ASSIGN(std::string text,
                        ldr.read(rel, kf.path + ": accumulating resources from '" + rel + "'"));
        WEIR_TRY_ASSIGN(auto objs, parse_objects(text, p.string()));
        std::vector<resource> rs;
        for (auto& o : objs) {
            if (local_config(o)) continue;
            resource r;
            r.obj = std::move(o);
            r.origin = c;
            r.remember();
            rs.push_back(std::move(r));
        }
        WEIR_TRY(append_all(acc, std::move(rs), rel));
    }
    return ok();
}

status add_configurations(accumulator& acc, const loader& ldr, const kfile& kf)
{
    const value* list = kf.doc.find("configurations");
    if (!list || !list->is_array()) return ok();
    for (const auto& e : list->as_array()) {
        if (!e.is_string()) continue;
        WEIR_TRY_ASSIGN(std::string text, ldr.read(e.as_string(), kf.path + ": configurations"));
        auto doc = parse_yaml(text, {.schema = yaml_schema::kyaml_1_2});
        if (!doc) return build_error("invalid YAML in " + e.as_string() + ": " + doc.err().message);
        if (doc->is_null()) continue;
        WEIR_TRY_ASSIGN(config c, parse_config(*doc, e.as_string()));
        acc.cfg.merge(c);
    }
    return ok();
}

status add_components(accumulator& acc, const loader& ldr, const kfile& kf, context& ctx)
{
    const value* list = kf.doc.find("components");
    if (!list || !list->is_array()) return ok();
    for (const auto& e : list->as_array()) {
        if (!e.is_string()) continue;
        if (is_remote(e.as_string()))
            return build_error(kf.path + ": remote component '" + e.as_string() + "' is not supported");
        fs::path p = ldr.root / e.as_string();
        std::error_code ec;
        fs::path c = fs::canonical(p, ec);
        if (ec || !fs::is_directory(c, ec))
            return build_error(kf.path + ": component '" + e.as_string() + "' is not a directory");
        WEIR_TRY(accumulate(acc, c, ctx, true, false));
    }
    return ok();
}

status add_vars(accumulator& acc, const kfile& kf)
{
    const value* list = kf.doc.find("vars");
    if (!list || !list->is_array()) return ok();
    for (const auto& v : list->as_array()) {
        var_def d;
        d.name = v.get_string("name");
        if (const value* o = v.find("objref")) d.objref = *o;
        d.field_path = "metadata.name";
        // Go's JSON decoding matches field names case-insensitively (fieldref/fieldRef, fieldpath).
        for (const auto& [k1, f1] : v.is_object() ? v.as_object() : object{})
            if (iequals(k1, "fieldref") && f1.is_object())
                for (const auto& [k2, f2] : f1.as_object())
                    if (iequals(k2, "fieldpath") && f2.is_string()) d.field_path = f2.as_string();
        for (const auto& have : acc.vars)
            if (have.name == d.name)
                return build_error(kf.path + ": var '" + d.name + "' already encountered");
        acc.vars.push_back(std::move(d));
    }
    return ok();
}

// The plugin configurations an entry of `transformers:`/`generators:` names: inline, a file, or a
// kustomization directory whose output is the list of configurations.
result<std::vector<value>> plugin_configs(const value& e, const loader& ldr, const kfile& kf, context& ctx,
                                          const std::string& field)
{
    std::vector<value> cfgs;
    if (e.is_object()) {
        cfgs.push_back(e);
        return cfgs;
    }
    if (!e.is_string()) return build_error(kf.path + ": " + field + " entries must be paths or maps");
    // An entry that reads as YAML objects is an inline configuration, anything else a path.
    if (e.as_string().find('\n') != std::string::npos) {
        auto docs = parse_yaml_stream(e.as_string(), {.schema = yaml_schema::kyaml_1_2});
        if (docs && !docs->empty() && std::all_of(docs->begin(), docs->end(), [](const value& d) {
                return d.is_object() || d.is_null();
            })) {
            for (auto& d : *docs)
                if (d.is_object()) cfgs.push_back(std::move(d));
            return cfgs;
        }
    }
    fs::path p = ldr.root / e.as_string();
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        WEIR_TRY_ASSIGN(accumulator sub, build_sub(fs::canonical(p, ec), ctx));
        for (auto& r : sub.res)
            cfgs.push_back(std::move(r.obj));
        return cfgs;
    }
    WEIR_TRY_ASSIGN(std::string text, ldr.read(e.as_string(), kf.path + ": " + field));
    return parse_objects(text, e.as_string());
}

// The transformers of one kustomization, in kustomize's order.
status run_transformers(accumulator& acc, const loader& ldr, const kfile& kf, context& ctx)
{
    const value& k = kf.doc;
    const fs::path kpath(kf.path);
    auto mark = [&](const char* kind, std::size_t times) {
        for (std::size_t i = 0; i < times; ++i)
            mark_transformer(acc, ctx, kpath, kind);
    };
    WEIR_TRY(apply_patches(acc, ldr, k));
    mark("PatchStrategicMergeTransformer", count_of(k, "patchesStrategicMerge") ? 1 : 0);
    mark("PatchTransformer", count_of(k, "patches"));
    if (const value* ns = k.find("namespace"); ns && ns->is_string() && !ns->as_string().empty()) {
        WEIR_TRY(apply_namespace(acc, ns->as_string()));
        mark("NamespaceTransformer", 1);
    }
    std::string prefix(k.get_string("namePrefix")), suffix(k.get_string("nameSuffix"));
    if (!prefix.empty() || !suffix.empty()) WEIR_TRY(apply_prefix_suffix(acc, prefix, suffix));
    mark("PrefixTransformer", prefix.empty() ? 0 : 1);
    mark("SuffixTransformer", suffix.empty() ? 0 : 1);
    WEIR_TRY(apply_labels(acc, k));
    mark("LabelTransformer", count_of(k, "labels") + count_of(k, "commonLabels"));
    if (const value* a = k.find("commonAnnotations"); a && a->is_object())
        WEIR_TRY(apply_map_field(acc, a->as_object(), acc.cfg.common_annotations));
    mark("AnnotationsTransformer", count_of(k, "commonAnnotations"));
    WEIR_TRY(apply_json6902_legacy(acc, ldr, k));
    mark("PatchJson6902Transformer", count_of(k, "patchesJson6902"));
    if (const value* r = k.find("replicas"); r && r->is_array()) WEIR_TRY(apply_replicas(acc, *r));
    mark("ReplicaCountTransformer", count_of(k, "replicas"));
    if (const value* i = k.find("images"); i && i->is_array()) WEIR_TRY(apply_images(acc, *i));
    if (const value* i = k.find("imageTags"); i && i->is_array()) WEIR_TRY(apply_images(acc, *i));
    mark("ImageTagTransformer", count_of(k, "images") + count_of(k, "imageTags"));
    if (const value* r = k.find("replacements"); r && r->is_array())
        WEIR_TRY(apply_replacements(acc, ldr, *r));
    mark("ReplacementTransformer", count_of(k, "replacements") ? 1 : 0);
    if (const value* t = k.find("transformers"); t && t->is_array()) {
        for (const auto& e : t->as_array()) {
            WEIR_TRY_ASSIGN(auto cfgs, plugin_configs(e, ldr, kf, ctx, "transformers"));
            // A configuration from a file was configured there, an inline one in the kustomization.
            fs::path in = kpath;
            if (e.is_string() && e.as_string().find('\n') == std::string::npos) in = ldr.root / e.as_string();
            for (const auto& c : cfgs) {
                WEIR_TRY(run_builtin_plugin(acc, ldr, c, false));
                std::string by = "    " + yaml_field("apiVersion", c.get_string("apiVersion")) + "\n    " +
                                 yaml_field("kind", c.get_string("kind")) + "\n";
                if (const value* n = c.find_path({"metadata", "name"}); n && n->is_string())
                    by += "    " + yaml_field("name", n->as_string()) + "\n";
                if (const value* n = c.find_path({"metadata", "namespace"}); n && n->is_string())
                    by += "    " + yaml_field("namespace", n->as_string()) + "\n";
                mark_transformer(acc, ctx, in, std::string(c.get_string("kind")), by);
            }
        }
    }
    return ok();
}

status accumulate(accumulator& acc, const fs::path& dir, context& ctx, bool as_component, bool top)
{
    if (std::find(ctx.stack.begin(), ctx.stack.end(), dir) != ctx.stack.end())
        return build_error("cycle detected: kustomization " + dir.string() + " includes itself");
    ctx.stack.push_back(dir);
    WEIR_TRY_ASSIGN(
        kfile kf, load_kustomization(dir, top ? ctx.opts->root_kustomization : std::optional<std::string>{}));
    std::string_view kind = kf.doc.get_string("kind", "Kustomization");
    if (as_component && kind != "Component")
        return build_error(kf.path + ": expected kind 'Component' for a component, got '" +
                           std::string(kind) + "'");
    if (!as_component && !top && kind == "Component")
        return build_error(kf.path +
                           ": expected kind 'Kustomization' for a resource directory, got 'Component' "
                           "(list it under components)");
    loader ldr{dir, fs::path(kf.path), ctx.opts};
    WEIR_TRY(set_openapi(ctx.schemas, ldr, kf.doc, top));
    WEIR_TRY(add_resources(acc, ldr, kf, ctx));
    WEIR_TRY(add_configurations(acc, ldr, kf));
    WEIR_TRY(add_crds(acc, ldr, kf.doc));
    WEIR_TRY(run_generators(acc, ldr, kf.doc));
    if (const value* g = kf.doc.find("generators"); g && g->is_array()) {
        for (const auto& e : g->as_array()) {
            WEIR_TRY_ASSIGN(auto cfgs, plugin_configs(e, ldr, kf, ctx, "generators"));
            for (const auto& c : cfgs)
                WEIR_TRY(run_builtin_plugin(acc, ldr, c, true));
        }
    }
    WEIR_TRY(add_components(acc, ldr, kf, ctx));
    WEIR_TRY(run_transformers(acc, ldr, kf, ctx));
    WEIR_TRY(add_vars(acc, kf));
    ctx.stack.pop_back();
    return ok();
}

} // namespace
} // namespace weir::kustomize::detail

namespace weir::kustomize {
namespace {

using namespace detail;

const std::vector<std::string> default_first = {"Namespace",
                                                "ResourceQuota",
                                                "StorageClass",
                                                "CustomResourceDefinition",
                                                "ServiceAccount",
                                                "PodSecurityPolicy",
                                                "Role",
                                                "ClusterRole",
                                                "RoleBinding",
                                                "ClusterRoleBinding",
                                                "ConfigMap",
                                                "Secret",
                                                "Endpoints",
                                                "Service",
                                                "LimitRange",
                                                "PriorityClass",
                                                "PersistentVolume",
                                                "PersistentVolumeClaim",
                                                "Deployment",
                                                "StatefulSet",
                                                "CronJob",
                                                "PodDisruptionBudget"};
const std::vector<std::string> default_last = {"MutatingWebhookConfiguration",
                                               "ValidatingWebhookConfiguration"};

std::vector<std::string> strings_of(const value* v, const std::vector<std::string>& fallback)
{
    if (!v || !v->is_array()) return fallback;
    std::vector<std::string> out;
    for (const auto& e : v->as_array())
        if (e.is_string()) out.push_back(e.as_string());
    return out;
}

// Objects of equal kind priority sort by group, version and kind, then name, then namespace.
std::string gvk_string(const resource& r)
{
    std::string_view av = r.api_version();
    std::string_view g = schema::group_of(av);
    auto slash = av.find('/');
    std::string_view v = slash == std::string_view::npos ? av : av.substr(slash + 1);
    std::string out(g.empty() ? "~G" : g);
    out += '_';
    out += v.empty() ? "~V" : v;
    out += '_';
    out += r.kind().empty() ? "~K" : r.kind();
    return out;
}

void legacy_sort(std::vector<resource>& res, const value* opts)
{
    // Given legacySortOptions replace both default lists, a missing one meaning empty.
    auto first = opts ? strings_of(opts->find("orderFirst"), {}) : default_first;
    auto last = opts ? strings_of(opts->find("orderLast"), {}) : default_last;
    auto rank = [&](std::string_view kind) -> long {
        for (std::size_t i = 0; i < first.size(); ++i)
            if (first[i] == kind) return static_cast<long>(i) - static_cast<long>(first.size());
        for (std::size_t i = 0; i < last.size(); ++i)
            if (last[i] == kind) return static_cast<long>(i) + 1;
        return 0;
    };
    struct key {
        long rank;
        bool ns_kind, no_group; // Namespaces where one has no group: kustomize compares them reversed
        std::string gvk, id;    // id: "namespace|name", "~X"/"~N" when empty, compared as one string
    };
    std::vector<std::pair<key, std::size_t>> keys;
    keys.reserve(res.size());
    for (std::size_t i = 0; i < res.size(); ++i) {
        std::string ns = res[i].ns(), name = res[i].name();
        bool ns_kind = res[i].kind() == "Namespace";
        keys.push_back({{rank(res[i].kind()), ns_kind, schema::group_of(res[i].api_version()).empty(),
                         gvk_string(res[i]), (ns.empty() ? "~X" : ns) + "|" + (name.empty() ? "~N" : name)},
                        i});
    }
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
        const key& x = a.first;
        const key& y = b.first;
        if (x.gvk != y.gvk) {
            if (x.rank != y.rank) return x.rank < y.rank;
            if (x.ns_kind && y.ns_kind && (x.no_group || y.no_group)) return x.gvk > y.gvk;
            return x.gvk < y.gvk;
        }
        return x.id < y.id;
    });
    std::vector<resource> out;
    out.reserve(res.size());
    for (auto& [k, i] : keys)
        out.push_back(std::move(res[i]));
    res = std::move(out);
}

// sortOptions: order legacy (the default, with optional legacySortOptions) or fifo.
status sort_resources(std::vector<resource>& res, const value* sort, const std::string& file)
{
    if (!sort || sort->is_null()) {
        legacy_sort(res, nullptr);
        return ok();
    }
    std::string_view order = sort->get_string("order");
    const value* legacy = sort->find("legacySortOptions");
    if (legacy && legacy->is_null()) legacy = nullptr;
    if (order != "fifo" && order != "legacy")
        return build_error(file + ": the field 'sortOptions.order' must be one of [fifo, legacy]");
    if (order == "fifo") {
        if (legacy)
            return build_error(file +
                               ": the field 'sortOptions.legacySortOptions' is set but the selected sort "
                               "order is 'fifo', not 'legacy'");
        return ok();
    }
    legacy_sort(res, legacy);
    return ok();
}

// kustomize drops its bookkeeping annotations from the output.
void strip_internal(value& obj)
{
    value* ann = obj.find_path({"metadata", "annotations"});
    if (!ann || !ann->is_object()) return;
    auto& o = ann->as_object();
    for (auto it = o.begin(); it != o.end();) {
        if (it->first.starts_with("internal.config.kubernetes.io/") ||
            it->first == "config.kubernetes.io/index" || it->first == "kustomize.config.k8s.io/id" ||
            it->first == "kustomize.config.k8s.io/needs-hash" ||
            it->first == "kustomize.config.k8s.io/behavior")
            it = o.erase(it);
        else
            ++it;
    }
    if (o.empty()) obj.find("metadata")->as_object().erase("annotations");
}

// config.kubernetes.io/origin, with paths relative to the kustomization being built.
void add_origin(resource& r, const fs::path& root)
{
    if (r.origin.empty()) return;
    std::string rel = r.origin.lexically_relative(root).string();
    std::string text;
    if (r.origin_generator.empty()) {
        text = "path: " + rel + "\n";
    } else {
        text = "configuredIn: " + rel +
               "\nconfiguredBy:\n  apiVersion: builtin\n  kind: " + r.origin_generator + "\n";
    }
    value& ann = r.obj["metadata"]["annotations"];
    if (!ann.is_object()) ann = object{};
    ann.as_object().set("config.kubernetes.io/origin", text);
}

} // namespace

result<std::vector<value>> build(const std::filesystem::path& dir, const build_options& options)
{
    std::error_code ec;
    fs::path root = fs::canonical(dir, ec);
    if (ec || !fs::is_directory(root, ec))
        return build_error("'" + dir.string() + "' is not a directory: give the kustomization's directory");
    WEIR_TRY_ASSIGN(kfile kf, load_kustomization(root, options.root_kustomization));
    context ctx{&options, {}, {}};
    const value* bm = kf.doc.find("buildMetadata");
    auto has_meta = [&](std::string_view what) {
        if (bm && bm->is_array())
            for (const auto& m : bm->as_array())
                if (m.is_string() && m.as_string() == what) return true;
        return false;
    };
    ctx.track_origins = bm && bm->is_array() && !bm->as_array().empty();
    ctx.top = root;
    accumulator acc;
    acc.cfg = default_config();
    acc.schemas = &ctx.schemas;
    WEIR_TRY(accumulate(acc, root, ctx, false, true));
    WEIR_TRY(add_hash_suffixes(acc));
    WEIR_TRY(fix_name_references(acc));
    WEIR_TRY(resolve_vars(acc));
    WEIR_TRY(sort_resources(acc.res, kf.doc.find("sortOptions"), kf.path));
    for (auto& r : acc.res) {
        if (has_meta("managedByLabel"))
            r.obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "kustomize-(devel)";
        if (has_meta("originAnnotations")) add_origin(r, root);
        if (has_meta("transformerAnnotations") && !r.transformations.empty()) {
            std::string text;
            for (const auto& t : r.transformations)
                text += t;
            value& ann = r.obj["metadata"]["annotations"];
            if (!ann.is_object()) ann = object{};
            ann.as_object().set("alpha.config.kubernetes.io/transformations", std::move(text));
        }
    }
    std::vector<value> out;
    out.reserve(acc.res.size());
    for (auto& r : acc.res) {
        if (local_config(r.obj)) continue;
        strip_internal(r.obj);
        out.push_back(std::move(r.obj));
    }
    return out;
}

} // namespace weir::kustomize
