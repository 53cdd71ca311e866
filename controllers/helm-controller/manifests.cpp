#include "manifests.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <fmt/format.h>

#include <fstream>

namespace weir::helm_controller {
namespace fs = std::filesystem;

result<std::vector<value>> parse_manifests(const std::vector<std::string>& texts)
{
    std::vector<value> out;
    for (const auto& text : texts) {
        auto docs = parse_yaml_stream(text, {.schema = yaml_schema::kubernetes_1_1});
        if (!docs)
            return terminal_error("rendered manifest is not YAML: " + docs.err().message, "RenderFailed");
        for (auto& d : *docs)
            if (d.is_object() && !d.as_object().empty()) out.push_back(std::move(d));
    }
    return out;
}

namespace {

status kustomize_step(std::vector<value>& objects, const value& kustomize, const fs::path& dir)
{
    fs::create_directories(dir);
    std::ofstream(dir / "resources.yaml") << to_yaml_stream(objects);
    value k = object{};
    k["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
    k["kind"] = "Kustomization";
    k["resources"] = array{value("resources.yaml")};
    for (const char* key : {"patches", "images", "patchesStrategicMerge", "patchesJson6902"})
        if (const value* v = kustomize.find(key); v && !v->is_null()) k[key] = *v;
    std::ofstream(dir / "kustomization.yaml") << to_yaml(k);
    auto built = kustomize::build(dir);
    if (!built) return built.err().wrap("post-renderer kustomize");
    objects = std::move(*built);
    return ok();
}

} // namespace

status post_render(kube::client& client, std::vector<value>& objects, const post_render_request& req)
{
    if (req.post_renderers && req.post_renderers->is_array()) {
        int i = 0;
        for (const auto& pr : req.post_renderers->as_array()) {
            const value* k = pr.find("kustomize");
            if (!k || !k->is_object()) continue;
            WEIR_TRY(kustomize_step(objects, *k, req.scratch / fmt::format("post-render-{}", i++)));
        }
    }
    for (auto& obj : objects) {
        value& md = obj["metadata"];
        // spec.commonMetadata after the user's post-renderers and before the owner labels, as
        // Flux orders its built-in post-renderers.
        if (req.common_labels)
            for (const auto& [k, v] : *req.common_labels)
                md["labels"][k] = v;
        if (req.common_annotations)
            for (const auto& [k, v] : *req.common_annotations)
                md["annotations"][k] = v;
        md["labels"]["helm.toolkit.fluxcd.io/name"] = req.name;
        md["labels"]["helm.toolkit.fluxcd.io/namespace"] = req.namespace_;
        md["labels"]["app.kubernetes.io/managed-by"] = "Helm";
        md["annotations"]["meta.helm.sh/release-name"] = req.release_name;
        md["annotations"]["meta.helm.sh/release-namespace"] = req.release_namespace;
        if (!md.get_string("namespace").empty()) continue;
        auto mapping = client.mapper().mapping_for(kube::gvk::of(obj));
        if (!mapping)
            return mapping.err().wrap(fmt::format("{} '{}'", obj.get_string("kind"), md.get_string("name")));
        if (mapping->namespaced) md["namespace"] = req.release_namespace;
    }
    return ok();
}

std::string manifest_text(const std::vector<value>& objects)
{
    std::string out;
    for (const auto& o : objects)
        out += "---\n" + to_yaml(o);
    return out;
}

} // namespace weir::helm_controller
