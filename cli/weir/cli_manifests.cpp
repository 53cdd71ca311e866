#include "cli_manifests.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/core/yaml.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace weir::cli {
namespace embedded_config {
const std::vector<std::pair<std::string_view, std::string_view>>& files();
}

namespace fs = std::filesystem;

const std::vector<component>& components()
{
    // The one table of components: install, bootstrap, check, uninstall and dev up read it.
    static const std::vector<component> all{
        {"source-controller", {"source.toolkit.fluxcd.io"}, true, "healthz"},
        {"kustomize-controller", {"kustomize.toolkit.fluxcd.io"}, true, "healthz"},
        {"helm-controller", {"helm.toolkit.fluxcd.io"}, true, "healthz"},
        {"notification-controller", {"notification.toolkit.fluxcd.io"}, true, "healthz"},
        {"image-automation-controller", {"image.toolkit.fluxcd.io"}, false, "healthz"},
    };
    return all;
}

std::vector<std::string> default_components()
{
    std::vector<std::string> out;
    for (const auto& c : components())
        if (c.default_on) out.push_back(c.name);
    return out;
}

const component* find_component(std::string_view name)
{
    for (const auto& c : components())
        if (c.name == name) return &c;
    return nullptr;
}

result<std::vector<std::string>> select_components(const std::vector<std::string>& chosen,
                                                   const std::vector<std::string>& extra)
{
    std::vector<std::string> out = chosen.empty() ? default_components() : chosen;
    for (const auto& e : extra) {
        // flux's extra names: image-reflector-controller is part of weir's image-automation-controller.
        std::string name = e == "image-reflector-controller" ? "image-automation-controller" : e;
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    for (const auto& n : out)
        if (!find_component(n)) {
            std::string known;
            for (const auto& c : components()) known += (known.empty() ? "" : ", ") + c.name;
            return terminal_error(fmt::format("unknown component \"{}\"; known: {}", n, known));
        }
    return out;
}

status write_embedded_config(const fs::path& dir)
{
    std::vector<std::string> crds;
    for (const auto& [name, text] : embedded_config::files()) {
        fs::path p = dir / std::string(name);
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        if (name.starts_with("crd/") && name != "crd/kustomization.yaml") crds.emplace_back(name.substr(4));
    }
    // The embedded CRDs are whatever config/crd held at build time: list them all.
    std::ofstream k(dir / "crd" / "kustomization.yaml");
    k << "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n";
    for (const auto& c : crds) k << "- " << c << "\n";
    return ok();
}

namespace {

// Every string naming the default namespace ("flux-system", "....flux-system.svc...",
// "source-controller-flux-system") is about the install namespace: rewrite them all.
void rename_namespace(value& v, const std::string& ns)
{
    if (v.is_string()) {
        std::string& s = v.as_string();
        for (std::size_t at = s.find("flux-system"); at != std::string::npos; at = s.find("flux-system", at + ns.size()))
            s.replace(at, 11, ns);
    } else if (v.is_array()) {
        for (auto& e : v.as_array()) rename_namespace(e, ns);
    } else if (v.is_object()) {
        for (auto& [k, e] : v.as_object()) rename_namespace(e, ns);
    }
}

// The install flags that change the Deployments: image registry, watched namespaces.
void tune_containers(value& deployment, const install_options& options)
{
    value* containers = deployment.find_path({"spec", "template", "spec", "containers"});
    if (!containers || !containers->is_array()) return;
    for (auto& c : containers->as_array()) {
        if (value* image = c.find("image"); image && image->is_string() && !options.registry.empty() &&
                                            image->as_string().starts_with("ghcr.io/weir/"))
            image->as_string() = options.registry + image->as_string().substr(12);
        if (value* args = c.find("args"); args && args->is_array() && !options.watch_all_namespaces)
            for (auto& a : args->as_array())
                if (a.is_string() && a.as_string() == "--watch-all-namespaces=true") a = "--watch-all-namespaces=false";
    }
}

} // namespace

result<std::vector<value>> render_install(const install_options& options)
{
    temp_dir work(fs::temp_directory_path(), "weir-install");
    WEIR_TRY(write_embedded_config(work.path()));
    fs::create_directories(work.path() / "install");
    fs::copy_file(work.path() / "default" / "namespace.yaml", work.path() / "install" / "namespace.yaml");
    {
        std::ofstream k(work.path() / "install" / "kustomization.yaml");
        k << "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: flux-system\n"
             "resources:\n- namespace.yaml\n- ../crd\n";
        for (const auto& c : options.components) {
            if (!fs::exists(work.path() / c / "kustomization.yaml"))
                return terminal_error(fmt::format("component {} has no manifests in this build of weir", c));
            k << "- ../" << c << "\n";
        }
        if (options.network_policy) k << "- ../policies\n";
    }
    WEIR_TRY_ASSIGN(auto objects, kustomize::build(work.path() / "install"));
    std::vector<std::string> groups;
    for (const auto& c : options.components)
        if (const component* comp = find_component(c)) groups.insert(groups.end(), comp->groups.begin(), comp->groups.end());
    std::vector<value> out;
    for (auto& o : objects) {
        if (o.get_string("kind") == "CustomResourceDefinition") {
            const value* g = o.find_path({"spec", "group"});
            if (!g || !g->is_string() || std::find(groups.begin(), groups.end(), g->as_string()) == groups.end())
                continue;
        } else if (options.namespace_ != "flux-system") {
            rename_namespace(o, options.namespace_);
        }
        if (o.get_string("kind") == "Deployment") tune_containers(o, options);
        out.push_back(std::move(o));
    }
    return out;
}

result<std::vector<value>> embedded_crds_objects()
{
    std::vector<value> out;
    for (const auto& [name, text] : embedded_config::files()) {
        if (!name.starts_with("crd/") || name == "crd/kustomization.yaml") continue;
        WEIR_TRY_ASSIGN(auto docs, parse_yaml_stream(text));
        for (auto& d : docs) out.push_back(std::move(d));
    }
    return out;
}

std::string components_yaml(const std::vector<value>& objects, const install_options& options)
{
    std::string names;
    for (const auto& c : options.components) names += (names.empty() ? "" : ",") + c;
    return fmt::format("---\n# This manifest was generated by weir. DO NOT EDIT.\n# weir Version: v{}\n# Components: {}\n{}",
                       WEIR_VERSION, names, to_yaml_stream(objects));
}

} // namespace weir::cli
