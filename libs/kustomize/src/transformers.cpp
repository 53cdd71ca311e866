// The built-in field transformers: namespace, name prefix/suffix, labels, annotations, images,
// replicas, and the builtin plugin kinds configured from files.
#include "internal.hpp"

#include <weir/core/json.hpp>
#include <weir/schema/schema.hpp>

#include <algorithm>

namespace weir::kustomize::detail {
namespace {

bool namespaced(const accumulator& acc, const resource& r)
{
    return !cluster_scoped(acc, r.api_version(), r.kind());
}

void set_string_at(value& obj, const field_spec& f, const std::string& v, bool unset_only = false)
{
    visit_path(obj, f.segments(), f.create, [&](value& slot) {
        if (unset_only && slot.is_string() && !slot.as_string().empty()) return;
        if (slot.is_null() && !f.create) return;
        slot = v;
    });
}

} // namespace

status apply_namespace(accumulator& acc, const std::string& ns, bool unset_only)
{
    for (auto& r : acc.res) {
        for (const auto& f : acc.cfg.namespace_) {
            if (!f.matches(r.obj)) continue;
            if (f.path == "metadata/namespace" && !namespaced(acc, r)) continue;
            set_string_at(r.obj, f, ns, unset_only);
        }
        std::string_view kind = r.kind();
        if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
            if (value* subs = r.obj.find("subjects"); subs && subs->is_array())
                for (auto& s : subs->as_array())
                    if (s.is_object() && s.get_string("kind") == "ServiceAccount" &&
                        s.get_string("name") == "default")
                        s["namespace"] = ns;
        }
        if (kind == "APIService")
            if (value* svc = r.obj.find_path({"spec", "service"}); svc && svc->is_object())
                (*svc)["namespace"] = ns;
        if (kind == "CustomResourceDefinition")
            if (value* svc = r.obj.find_path({"spec", "conversion", "webhook", "clientConfig", "service"});
                svc && svc->is_object())
                (*svc)["namespace"] = ns;
        r.remember();
    }
    return ok();
}

status apply_prefix_suffix(accumulator& acc, const std::string& prefix, const std::string& suffix,
                           const std::vector<field_spec>* specs)
{
    for (auto& r : acc.res) {
        std::string_view kind = r.kind();
        if (kind == "CustomResourceDefinition" || kind == "APIService" || kind == "Namespace") continue;
        const auto& fss = specs ? *specs : acc.cfg.name_prefix;
        for (const auto& f : fss) {
            if (!f.matches(r.obj)) continue;
            visit_path(r.obj, f.segments(), false, [&](value& slot) {
                if (slot.is_string()) slot = prefix + slot.as_string() + suffix;
            });
        }
        if (!prefix.empty()) r.prefixes.push_back(prefix);
        if (!suffix.empty()) r.suffixes.push_back(suffix);
        r.remember();
    }
    return ok();
}

status apply_map_field(accumulator& acc, const object& pairs, const std::vector<field_spec>& specs)
{
    if (pairs.empty()) return ok();
    for (auto& r : acc.res) {
        for (const auto& f : specs) {
            if (!f.matches(r.obj)) continue;
            visit_path(r.obj, f.segments(), f.create, [&](value& slot) {
                if (slot.is_null()) {
                    if (!f.create) return;
                    slot = object{};
                }
                if (!slot.is_object()) return;
                for (const auto& [k, v] : pairs)
                    slot.as_object().set(k, v.is_string() ? v : value(to_scalar(v)));
            });
        }
    }
    return ok();
}

status apply_labels(accumulator& acc, const value& kust)
{
    if (const value* l = kust.find("labels"); l && l->is_array()) {
        for (const auto& e : l->as_array()) {
            const value* pairs = e.find("pairs");
            if (!pairs || !pairs->is_object()) continue;
            std::vector<field_spec> specs;
            const value* sel = e.find("includeSelectors");
            const value* tmpl = e.find("includeTemplates");
            if (sel && sel->is_bool() && sel->as_bool()) {
                specs = acc.cfg.common_labels;
            } else {
                specs.push_back(field_spec{"", "", "", "metadata/labels", true});
                if (tmpl && tmpl->is_bool() && tmpl->as_bool())
                    for (const auto& f : acc.cfg.template_labels)
                        specs.push_back(f);
            }
            for (auto& f : parse_specs(e.find("fields")))
                specs.push_back(std::move(f));
            WEIR_TRY(apply_map_field(acc, pairs->as_object(), specs));
        }
    }
    if (const value* c = kust.find("commonLabels"); c && c->is_object())
        WEIR_TRY(apply_map_field(acc, c->as_object(), acc.cfg.common_labels));
    return ok();
}

namespace {

struct image_ref {
    std::string name, tag, digest; // tag without ':', digest without '@'
};

image_ref parse_image(const std::string& s)
{
    image_ref r;
    std::string rest = s;
    if (auto at = rest.find('@'); at != std::string::npos) {
        r.digest = rest.substr(at + 1);
        rest = rest.substr(0, at);
    }
    auto slash = rest.rfind('/');
    auto colon = rest.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        r.tag = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    r.name = rest;
    return r;
}

std::string scalar_text(const value& v)
{
    if (v.is_string()) return v.as_string();
    if (v.is_int()) return std::to_string(v.as_int());
    return to_json(v);
}

void update_image(value& slot, const value& img)
{
    if (!slot.is_string()) return;
    image_ref r = parse_image(slot.as_string());
    if (r.name != img.get_string("name")) return;
    std::string name = r.name;
    if (const value* n = img.find("newName"); n && n->is_string() && !n->as_string().empty())
        name = n->as_string();
    std::string out = name;
    const value* digest = img.find("digest");
    const value* tag = img.find("newTag");
    bool has_digest = digest && digest->is_string() && !digest->as_string().empty();
    bool has_tag = tag && !tag->is_null() && !scalar_text(*tag).empty();
    if (has_tag) {
        std::string t = scalar_text(*tag);
        // a newTag may carry its own digest ("v1@sha256:...")
        if (auto at = t.find('@'); at != std::string::npos) {
            out += (at == 0 ? "" : ":" + t.substr(0, at)) + t.substr(at);
            if (!has_digest) {
                slot = out;
                return;
            }
        } else {
            out += ":" + t;
        }
    } else if (!has_digest && !r.tag.empty()) {
        out += ":" + r.tag;
    }
    if (has_digest)
        out += "@" + digest->as_string();
    else if (!has_tag && !r.digest.empty())
        out += "@" + r.digest;
    slot = out;
}

// kustomize also updates every containers/initContainers list anywhere in an object.
void update_containers(value& v, const value& img)
{
    if (v.is_object()) {
        for (auto& [k, x] : v.as_object()) {
            if ((k == "containers" || k == "initContainers") && x.is_array()) {
                for (auto& c : x.as_array())
                    if (value* i = c.find("image")) update_image(*i, img);
            }
            update_containers(x, img);
        }
    } else if (v.is_array()) {
        for (auto& x : v.as_array())
            update_containers(x, img);
    }
}

} // namespace

std::string to_scalar(const value& v)
{
    return scalar_text(v);
}

status apply_images(accumulator& acc, const value& images, const std::vector<field_spec>* specs)
{
    const auto& fss = specs ? *specs : acc.cfg.images;
    for (const auto& img : images.as_array()) {
        if (!img.is_object()) continue;
        for (auto& r : acc.res) {
            update_containers(r.obj, img);
            for (const auto& f : fss) {
                if (!f.matches(r.obj)) continue;
                visit_path(r.obj, f.segments(), false, [&](value& slot) { update_image(slot, img); });
            }
        }
    }
    return ok();
}

status apply_replicas(accumulator& acc, const value& replicas)
{
    for (const auto& e : replicas.as_array()) {
        std::string name(e.get_string("name"));
        const value* count = e.find("count");
        if (!count) continue;
        for (auto& r : acc.res) {
            if (r.name() != name && std::find(r.names.begin(), r.names.end(), name) == r.names.end())
                continue;
            for (const auto& f : acc.cfg.replicas) {
                if (!f.matches(r.obj)) continue;
                visit_path(r.obj, f.segments(), f.create, [&](value& slot) { slot = *count; });
            }
        }
    }
    return ok();
}

namespace {

// ValueAddTransformer: puts a value (by default the kustomization directory's name) into fields,
// whole or as one element of a slash-separated path.
status apply_value_add(accumulator& acc, const loader& ldr, const value& cfg)
{
    std::string v = cfg.find("value") && cfg.find("value")->is_string() ? cfg.find("value")->as_string()
                                                                        : ldr.root.filename().string();
    const value* targets = cfg.find("targets");
    if (!targets || !targets->is_array()) return ok();
    for (const auto& t : targets->as_array()) {
        std::vector<std::size_t> idx;
        if (const value* sel = t.find("selector"); sel && sel->is_object()) {
            WEIR_TRY_ASSIGN(idx, select(acc, *sel));
        } else {
            for (std::size_t i = 0; i < acc.res.size(); ++i)
                idx.push_back(i);
        }
        std::int64_t pos = t.find("filePathPosition") && t.find("filePathPosition")->is_int()
                               ? t.find("filePathPosition")->as_int()
                               : 0;
        auto path = split_path(t.get_string("fieldPath"));
        for (auto i : idx) {
            if (path.size() == 2 && path[0] == "metadata" && path[1] == "namespace" &&
                !namespaced(acc, acc.res[i]))
                continue;
            visit_path(acc.res[i].obj, path, true, [&](value& slot) {
                if (pos <= 0 || !slot.is_string()) {
                    slot = v;
                    return;
                }
                std::vector<std::string> parts;
                std::string cur;
                for (char c : slot.as_string()) {
                    if (c == '/') {
                        parts.push_back(cur);
                        cur.clear();
                    } else {
                        cur += c;
                    }
                }
                parts.push_back(cur);
                auto at = std::min<std::size_t>(static_cast<std::size_t>(pos - 1), parts.size());
                parts.insert(parts.begin() + static_cast<std::ptrdiff_t>(at), v);
                std::string out;
                for (std::size_t k = 0; k < parts.size(); ++k)
                    out += (k ? "/" : "") + parts[k];
                slot = out;
            });
            acc.res[i].remember();
        }
    }
    return ok();
}

// IAMPolicyGenerator (cloud gke): a ServiceAccount bound to a Google service account.
status generate_iam_policy(accumulator& acc, const value& cfg, const std::string& name)
{
    std::string_view cloud = cfg.get_string("cloud");
    if (cloud != "gke")
        return build_error("IAMPolicyGenerator '" + name + "': cloud provider " + std::string(cloud) +
                           " not supported yet (only gke)");
    const value* ksa = cfg.find("kubernetesService");
    const value* gsa = cfg.find("serviceAccount");
    std::string ksa_name(ksa ? ksa->get_string("name") : ""), ksa_ns(ksa ? ksa->get_string("namespace") : "");
    std::string gsa_name(gsa ? gsa->get_string("name") : ""),
        project(gsa ? gsa->get_string("projectId") : "");
    object ann;
    ann.push_back("iam.gke.io/gcp-service-account", gsa_name + "@" + project + ".iam.gserviceaccount.com");
    object meta;
    meta.push_back("annotations", std::move(ann));
    meta.push_back("name", ksa_name);
    if (!ksa_ns.empty()) meta.push_back("namespace", ksa_ns);
    object sa;
    sa.push_back("apiVersion", "v1");
    sa.push_back("kind", "ServiceAccount");
    sa.push_back("metadata", std::move(meta));
    resource r;
    r.obj = std::move(sa);
    r.remember();
    std::vector<resource> v;
    v.push_back(std::move(r));
    return merge_generated(acc, std::move(v));
}

} // namespace

status run_builtin_plugin(accumulator& acc, const loader& ldr, const value& cfg, bool generator)
{
    std::string kind(cfg.get_string("kind"));
    std::string name = cfg.find_path({"metadata", "name"}) && cfg.find_path({"metadata", "name"})->is_string()
                           ? cfg.find_path({"metadata", "name"})->as_string()
                           : "";
    if (kind == "ConfigMapGenerator" || kind == "SecretGenerator")
        return run_generator_plugin(acc, ldr, cfg, kind == "ConfigMapGenerator" ? "ConfigMap" : "Secret");
    if (kind == "PatchTransformer" || kind == "PatchJson6902Transformer" ||
        kind == "PatchStrategicMergeTransformer")
        return run_patch_plugin(acc, ldr, cfg);
    if (kind == "NamespaceTransformer") {
        const value* ns = cfg.find_path({"metadata", "namespace"});
        std::string n = ns && ns->is_string() ? ns->as_string() : "";
        auto fss = parse_specs(cfg.find("fieldSpecs"));
        const value* uo = cfg.find("unsetOnly");
        config saved = acc.cfg;
        if (!fss.empty()) acc.cfg.namespace_ = fss;
        auto s = apply_namespace(acc, n, uo && uo->is_bool() && uo->as_bool());
        acc.cfg = std::move(saved);
        return s;
    }
    if (kind == "PrefixSuffixTransformer" || kind == "PrefixTransformer" || kind == "SuffixTransformer") {
        auto fss = parse_specs(cfg.find("fieldSpecs"));
        if (fss.empty()) fss = acc.cfg.name_prefix;
        return apply_prefix_suffix(acc, std::string(cfg.get_string("prefix")),
                                   std::string(cfg.get_string("suffix")), &fss);
    }
    if (kind == "LabelTransformer" || kind == "AnnotationsTransformer") {
        bool labels = kind == "LabelTransformer";
        const value* pairs = cfg.find(labels ? "labels" : "annotations");
        if (!pairs || !pairs->is_object()) return ok();
        auto fss = parse_specs(cfg.find("fieldSpecs"));
        return apply_map_field(acc, pairs->as_object(), fss);
    }
    if (kind == "ImageTagTransformer") {
        const value* img = cfg.find("imageTag");
        if (!img) return ok();
        auto fss = parse_specs(cfg.find("fieldSpecs"));
        value list = array{*img};
        return apply_images(acc, list, fss.empty() ? nullptr : &fss);
    }
    if (kind == "ReplicaCountTransformer") {
        const value* rep = cfg.find("replica");
        if (!rep) return ok();
        auto fss = parse_specs(cfg.find("fieldSpecs"));
        config saved = acc.cfg;
        if (!fss.empty()) acc.cfg.replicas = fss;
        auto s = apply_replicas(acc, value(array{*rep}));
        acc.cfg = std::move(saved);
        return s;
    }
    if (kind == "ReplacementTransformer") {
        if (const value* r = cfg.find("replacements"); r && r->is_array())
            return apply_replacements(acc, ldr, *r);
        return ok();
    }
    if (kind == "ValueAddTransformer") return apply_value_add(acc, ldr, cfg);
    if (kind == "HashTransformer") {
        // Hashes what still needs a suffix, and leaves the mark: the final hash step adds another.
        for (auto& r : acc.res)
            if (r.needs_hash) {
                r.set_name(r.name() + "-" + content_hash(r.obj));
                r.remember();
            }
        return ok();
    }
    if (kind == "IAMPolicyGenerator") return generate_iam_policy(acc, cfg, name);
    if (kind == "SortOrderTransformer")
        return build_error(ldr.kustomization_file.string() +
                           ": unable to load builtin SortOrderTransformer '" + name +
                           "': it is not a plugin, set sortOptions in the top kustomization instead");
    if (kind == "HelmChartInflationGenerator")
        return build_error(
            "builtin HelmChartInflationGenerator '" + name +
            "': Helm inflation is not supported (must specify --enable-helm in kustomize; use a "
            "HelmRelease instead)");
    return build_error(std::string(generator ? "generator" : "transformer") + " '" + name + "' of kind '" +
                       kind + "' is not a builtin plugin: exec and KRM function plugins are not supported");
}

} // namespace weir::kustomize::detail
