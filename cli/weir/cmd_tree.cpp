// weir tree kustomization <name>: the objects a Kustomization applied (its inventory) as a tree,
// recursing into the Kustomizations it manages (like `flux tree kustomization`).
#include "cli_common.hpp"

#include <weir/kube/errors.hpp>
#include <weir/ssa/inventory.hpp>

#include <iostream>

namespace {

using namespace weir;

status print_children(kube::client& c, const value& ks, const std::string& indent, int depth)
{
    WEIR_TRY_ASSIGN(auto inv, ssa::inventory::from_status(ks.find_path({"status", "inventory"})));
    const auto& entries = inv.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        bool last = i + 1 == entries.size();
        std::cout << indent << (last ? "└── " : "├── ") << e.str() << "\n";
        // Appliers nest: a Kustomization may apply Kustomizations and HelmReleases, each with its own
        // status.inventory (weir's helm-controller keeps one too).
        bool applier = (e.kind == "Kustomization" && e.group == "kustomize.toolkit.fluxcd.io") ||
                       (e.kind == "HelmRelease" && e.group == "helm.toolkit.fluxcd.io");
        if (applier && depth < 32) {
            auto child = c.get({e.group, e.version, e.kind}, e.namespace_, e.name);
            bool self = child && e.kind == "Kustomization" && kube::name_of(*child) == kube::name_of(ks) &&
                        kube::namespace_of(*child) == kube::namespace_of(ks);
            if (child && !self)
                WEIR_TRY(print_children(c, *child, indent + (last ? "    " : "│   "), depth + 1));
        }
    }
    return ok();
}

int tree(const cli::args& a)
{
    auto f = cli::parse(a, {});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k || k->kind != "Kustomization") return cli::fail("usage: weir tree kustomization <name>");
    if (i >= f->pos.size()) return cli::fail("tree kustomization: name is required");
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    auto ks = (*c)->get(k->gvk, f->namespace_(), f->pos[i]);
    if (!ks) {
        if (kube::is_not_found(ks.err()))
            return cli::fail("Kustomization '" + f->namespace_() + "/" + f->pos[i] + "' not found");
        return cli::fail(ks.err().message);
    }
    std::cout << "Kustomization/" << f->namespace_() << "/" << f->pos[i] << "\n";
    if (auto s = print_children(**c, *ks, "", 0); !s) return cli::fail(s.err().message);
    std::cout.flush();
    return 0;
}

weir::cli::command_registration reg{{
    .name = "tree",
    .summary = "show the objects a Kustomization manages as a tree (tree kustomization)",
    .run = tree,
}};

} // namespace
