// weir uninstall: removes what weir install (and bootstrap) created and nothing else. Finalizers
// are taken off weir's custom resources first, so deleting the CRDs never prunes the workloads the
// Kustomizations applied (they stay, as with flux uninstall).
#include "cli_common.hpp"
#include "cli_manifests.hpp"

#include <weir/kube/errors.hpp>
#include <weir/ssa/inventory.hpp>

#include <fmt/format.h>

namespace {

using namespace weir;

bool ours(const value& obj)
{
    const value* l = obj.find_path({"metadata", "labels"});
    return l && l->get_string("app.kubernetes.io/part-of") == "weir";
}

// Deletes one installed object if it exists and carries weir's label.
status remove(kube::client& c, const value& manifest, bool dry_run)
{
    auto ref = ssa::object_ref::of(manifest);
    kube::gvk kind{ref.group, ref.version, ref.kind};
    auto live = c.get(kind, ref.namespace_, ref.name);
    if (!live) return kube::is_not_found(live.err()) || live.err().reason == "NoKindMatch" ? ok() : live.err();
    if (!ours(*live)) {
        cli::say_warning(ref.str() + " was not installed by weir (no app.kubernetes.io/part-of=weir label): kept");
        return ok();
    }
    if (!dry_run) {
        auto r = c.remove(kind, ref.namespace_, ref.name, {.propagation_policy = "Background"});
        if (!r && !kube::is_not_found(r.err())) return r.err().wrap("deleting " + ref.str());
    }
    cli::say_success(ref.str() + " deleted" + (dry_run ? " (dry run)" : ""));
    return ok();
}

status strip_finalizers(kube::client& c, const std::vector<value>& crds, bool dry_run)
{
    for (const auto& crd : crds) {
        std::string group = cli::string_at(crd, {"spec", "group"});
        std::string kind = cli::string_at(crd, {"spec", "names", "kind"});
        const value* versions = crd.find_path({"spec", "versions"});
        if (!versions || !versions->is_array()) continue;
        for (const auto& v : versions->as_array()) {
            if (const value* st = v.find("storage"); !st || !st->is_bool() || !st->as_bool()) continue;
            kube::gvk g{group, std::string(v.get_string("name")), kind};
            auto list = c.list(g);
            if (!list) continue; // not served: nothing to strip
            for (const auto& o : list->items) {
                const value* fin = o.find_path({"metadata", "finalizers"});
                if (!fin || !fin->is_array() || fin->as_array().empty()) continue;
                std::string ns = cli::string_at(o, {"metadata", "namespace"}), name = cli::string_at(o, {"metadata", "name"});
                // Suspended appliers never prune on deletion, even if a running controller puts
                // its finalizer back before the CRD goes.
                bool applier = kind == "Kustomization" || kind == "HelmRelease";
                if (!dry_run) {
                    auto p = c.patch(g, ns, name, kube::patch_type::merge,
                                     applier ? R"({"metadata":{"finalizers":null},"spec":{"suspend":true}})"
                                             : R"({"metadata":{"finalizers":null}})");
                    if (!p && !kube::is_not_found(p.err())) return p.err().wrap("removing finalizers of " + kind + " " + name);
                }
                cli::say_success(fmt::format("{}/{}/{} finalizers deleted", kind, ns, name));
            }
        }
    }
    return ok();
}

int uninstall(const cli::args& a)
{
    auto f = cli::parse(a, {{"keep-namespace", false}, {"silent", false}, {"dry-run", false}});
    if (!f) return cli::fail(f.err().message);
    if (!f->pos.empty()) return cli::fail("uninstall takes no arguments, got \"" + f->pos[0] + "\"");
    bool dry = f->boolean("dry-run");
    std::vector<std::string> all;
    for (const auto& comp : cli::components()) all.push_back(comp.name);
    auto objects = cli::render_install({.components = all, .namespace_ = f->namespace_()});
    if (!objects) return cli::fail(objects.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    std::vector<value> crds, namespaces, deployments, rest;
    for (auto& o : *objects) {
        std::string kind(o.get_string("kind"));
        if (kind == "CustomResourceDefinition") crds.push_back(std::move(o));
        else if (kind == "Namespace") namespaces.push_back(std::move(o));
        else if (kind == "Deployment") deployments.push_back(std::move(o));
        else rest.push_back(std::move(o));
    }
    cli::say_action("deleting components in " + f->namespace_() + " namespace");
    // Controllers first, so none reconciles while the rest goes.
    for (const auto* group : {&deployments, &rest})
        for (const auto& o : *group)
            if (auto s = remove(**c, o, dry); !s) return cli::fail(s.err().message);
    cli::say_action("deleting toolkit.fluxcd.io finalizers in all namespaces");
    if (auto s = strip_finalizers(**c, crds, dry); !s) return cli::fail(s.err().message);
    cli::say_action("deleting toolkit.fluxcd.io custom resource definitions");
    for (const auto& o : crds)
        if (auto s = remove(**c, o, dry); !s) return cli::fail(s.err().message);
    if (!f->boolean("keep-namespace"))
        for (const auto& o : namespaces)
            if (auto s = remove(**c, o, dry); !s) return cli::fail(s.err().message);
    cli::say_success("uninstall finished");
    return 0;
}

weir::cli::command_registration reg{{
    .name = "uninstall",
    .summary = "remove what weir install created: controllers, RBAC, CRDs and the namespace",
    .run = uninstall,
}};

} // namespace
