#include "fields.hpp"

#include <weir/api/kustomize_v1.hpp>

#include <fmt/format.h>

namespace weir::api::kustomize_v1 {

using namespace detail;

namespace {

result<cross_namespace_reference> read_object_ref(const value& v, std::string_view path, std::string_view default_ns)
{
    if (!v.is_object()) return invalid_field(path, "must be an object");
    cross_namespace_reference r;
    WEIR_TRY_ASSIGN(auto api, optional_string(v, "apiVersion", fmt::format("{}.apiVersion", path)));
    WEIR_TRY_ASSIGN(auto ns, optional_string(v, "namespace", fmt::format("{}.namespace", path)));
    WEIR_TRY_ASSIGN(r.kind, required_string(v, "kind", fmt::format("{}.kind", path)));
    WEIR_TRY_ASSIGN(r.name, required_string(v, "name", fmt::format("{}.name", path)));
    r.api_version = api.value_or("");
    r.namespace_ = ns && !ns->empty() ? *ns : std::string(default_ns);
    return r;
}

result<selector> read_selector(const value& v, std::string_view path)
{
    selector s;
    std::pair<std::string_view, std::string*> fields[] = {
        {"group", &s.group},       {"version", &s.version},
        {"kind", &s.kind},         {"name", &s.name},
        {"namespace", &s.namespace_}, {"labelSelector", &s.label_selector},
        {"annotationSelector", &s.annotation_selector}};
    for (auto [key, out] : fields) {
        WEIR_TRY_ASSIGN(auto f, optional_string(v, key, fmt::format("{}.{}", path, key)));
        *out = f.value_or("");
    }
    return s;
}

// Reads parent[key] as a list, each item with read_item(item, "<prefix>.<key>[i]").
template <class T, class Fn>
result<std::vector<T>> read_list(const value& parent, std::string_view key, Fn&& read_item,
                                 std::string_view prefix = "spec")
{
    std::vector<T> out;
    const value* list = parent.find(key);
    if (!list || list->is_null()) return out;
    if (!list->is_array()) return invalid_field(fmt::format("{}.{}", prefix, key), "must be a list");
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        WEIR_TRY_ASSIGN(T item, read_item(list->as_array()[i], fmt::format("{}.{}[{}]", prefix, key, i)));
        out.push_back(std::move(item));
    }
    return out;
}

status read_post_build(const value& spec, kustomization_spec& s)
{
    const value* pb = spec.find("postBuild");
    if (!pb || pb->is_null()) return ok();
    WEIR_TRY_ASSIGN(s.substitute, string_map(*pb, "substitute", "spec.postBuild.substitute"));
    WEIR_TRY_ASSIGN(auto strategy, optional_string(*pb, "substituteStrategy", "spec.postBuild.substituteStrategy"));
    if (strategy) s.substitute_strategy = *strategy;
    WEIR_TRY_ASSIGN(s.substitute_from,
                    read_list<substitute_reference>(*pb, "substituteFrom", [](const value& v, const std::string& path)
                                                                               -> result<substitute_reference> {
                        substitute_reference r;
                        WEIR_TRY_ASSIGN(r.kind, required_string(v, "kind", path + ".kind"));
                        WEIR_TRY_ASSIGN(r.name, required_string(v, "name", path + ".name"));
                        WEIR_TRY_ASSIGN(r.optional, optional_bool(v, "optional", path + ".optional", false));
                        if (r.kind != "Secret" && r.kind != "ConfigMap")
                            return invalid_field(path + ".kind", "must be Secret or ConfigMap");
                        return r;
                    }, "spec.postBuild"));
    return ok();
}

status read_durations(const value& spec, kustomization_spec& s)
{
    WEIR_TRY_ASSIGN(auto interval, optional_duration(spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    s.interval = *interval;
    WEIR_TRY_ASSIGN(auto retry, optional_duration(spec, "retryInterval", "spec.retryInterval"));
    s.retry_interval = retry.value_or(s.interval);
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(spec, "timeout", "spec.timeout"));
    // Flux's default: the interval less 30s, and never under 30s.
    using namespace std::chrono_literals;
    s.timeout = timeout.value_or(std::max<std::chrono::nanoseconds>(s.interval - 30s, 30s));
    return ok();
}

} // namespace

result<kustomization_spec> kustomization_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    std::string ns(object.find_path({"metadata", "namespace"}) ? object.find_path({"metadata", "namespace"})->as_string()
                                                               : "default");
    kustomization_spec s;
    const value* src = spec->find("sourceRef");
    if (!src) return invalid_field("spec.sourceRef", "is required");
    WEIR_TRY_ASSIGN(s.source_ref, read_object_ref(*src, "spec.sourceRef", ns));
    WEIR_TRY_ASSIGN(auto path, optional_string(*spec, "path", "spec.path"));
    s.path = path && !path->empty() ? *path : "./";
    WEIR_TRY(read_durations(*spec, s));
    WEIR_TRY_ASSIGN(s.prune, optional_bool(*spec, "prune", "spec.prune", false));
    WEIR_TRY_ASSIGN(s.wait, optional_bool(*spec, "wait", "spec.wait", false));
    WEIR_TRY_ASSIGN(s.force, optional_bool(*spec, "force", "spec.force", false));
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    WEIR_TRY_ASSIGN(auto policy, optional_string(*spec, "deletionPolicy", "spec.deletionPolicy"));
    if (policy) s.deletion_policy = *policy;
    std::pair<std::string_view, std::string*> strings[] = {{"targetNamespace", &s.target_namespace},
                                                           {"namePrefix", &s.name_prefix},
                                                           {"nameSuffix", &s.name_suffix},
                                                           {"serviceAccountName", &s.service_account_name}};
    for (auto [key, out] : strings) {
        WEIR_TRY_ASSIGN(auto v, optional_string(*spec, key, fmt::format("spec.{}", key)));
        *out = v.value_or("");
    }
    WEIR_TRY_ASSIGN(s.components, string_list(*spec, "components", "spec.components"));
    WEIR_TRY_ASSIGN(s.ignore_missing_components,
                    optional_bool(*spec, "ignoreMissingComponents", "spec.ignoreMissingComponents", false));
    if (const value* cm = spec->find("commonMetadata")) {
        WEIR_TRY_ASSIGN(s.common_labels, string_map(*cm, "labels", "spec.commonMetadata.labels"));
        WEIR_TRY_ASSIGN(s.common_annotations, string_map(*cm, "annotations", "spec.commonMetadata.annotations"));
    }
    WEIR_TRY_ASSIGN(s.depends_on, read_list<dependency>(*spec, "dependsOn", [&](const value& v, const std::string& p)
                                                                                -> result<dependency> {
        dependency d;
        WEIR_TRY_ASSIGN(d.name, required_string(v, "name", p + ".name"));
        WEIR_TRY_ASSIGN(auto dns, optional_string(v, "namespace", p + ".namespace"));
        WEIR_TRY_ASSIGN(auto kind, optional_string(v, "kind", p + ".kind"));
        WEIR_TRY_ASSIGN(auto api, optional_string(v, "apiVersion", p + ".apiVersion"));
        d.namespace_ = dns && !dns->empty() ? *dns : ns;
        d.kind = kind.value_or("Kustomization");
        d.api_version = api.value_or("");
        return d;
    }));
    WEIR_TRY_ASSIGN(s.health_checks,
                    read_list<cross_namespace_reference>(*spec, "healthChecks", [&](const value& v, const std::string& p) {
                        return read_object_ref(v, p, ns);
                    }));
    WEIR_TRY_ASSIGN(s.health_check_exprs,
                    read_list<health_check_expr>(*spec, "healthCheckExprs",
                                                 [](const value& v, const std::string& p) -> result<health_check_expr> {
                                                     health_check_expr e;
                                                     WEIR_TRY_ASSIGN(e.api_version, required_string(v, "apiVersion", p + ".apiVersion"));
                                                     WEIR_TRY_ASSIGN(e.kind, required_string(v, "kind", p + ".kind"));
                                                     WEIR_TRY_ASSIGN(e.current, required_string(v, "current", p + ".current"));
                                                     WEIR_TRY_ASSIGN(auto ip, optional_string(v, "inProgress", p + ".inProgress"));
                                                     WEIR_TRY_ASSIGN(auto f, optional_string(v, "failed", p + ".failed"));
                                                     e.in_progress = ip.value_or("");
                                                     e.failed = f.value_or("");
                                                     return e;
                                                 }));
    WEIR_TRY_ASSIGN(s.images, read_list<image>(*spec, "images", [](const value& v, const std::string& p) -> result<image> {
        image im;
        WEIR_TRY_ASSIGN(im.name, required_string(v, "name", p + ".name"));
        std::pair<std::string_view, std::string*> f[] = {{"newName", &im.new_name}, {"newTag", &im.new_tag}, {"digest", &im.digest}};
        for (auto [key, out] : f) {
            WEIR_TRY_ASSIGN(auto x, optional_string(v, key, p + "." + std::string(key)));
            *out = x.value_or("");
        }
        return im;
    }));
    WEIR_TRY_ASSIGN(s.patches, read_list<patch>(*spec, "patches", [](const value& v, const std::string& p) -> result<patch> {
        patch pt;
        WEIR_TRY_ASSIGN(pt.patch, required_string(v, "patch", p + ".patch"));
        if (const value* t = v.find("target"); t && t->is_object()) {
            WEIR_TRY_ASSIGN(auto sel, read_selector(*t, p + ".target"));
            pt.target = std::move(sel);
        }
        return pt;
    }));
    WEIR_TRY(read_post_build(*spec, s));
    WEIR_TRY_ASSIGN(s.kube_config, kube_config_reference::from_spec(*spec));
    if (const value* dec = spec->find("decryption"); dec && dec->is_object()) {
        WEIR_TRY_ASSIGN(auto provider, required_string(*dec, "provider", "spec.decryption.provider"));
        if (provider != "sops") return invalid_field("spec.decryption.provider", "must be sops");
        s.decryption_provider = provider;
        if (const value* sr = dec->find("secretRef"); sr && sr->is_object()) {
            WEIR_TRY_ASSIGN(auto name, required_string(*sr, "name", "spec.decryption.secretRef.name"));
            s.decryption_secret_ref = local_object_reference{name};
        }
    }
    return s;
}

} // namespace weir::api::kustomize_v1
