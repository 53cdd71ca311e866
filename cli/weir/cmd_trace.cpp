// weir trace <name> --kind K --api-version V [-n ns]: which Kustomization (or HelmRelease) manages an
// object, from which source and revision (flux trace), following the owner labels.
#include "cli_reconcile.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <iostream>

namespace {

using namespace weir;

void section(const std::string& label, const value& o)
{
    std::cout << "---\n"
              << fmt::format("{:<15}{}\n", label + ":", cli::string_at(o, {"metadata", "name"}))
              << fmt::format("{:<15}{}\n", "Namespace:", cli::string_at(o, {"metadata", "namespace"}));
    if (auto p = cli::string_at(o, {"spec", "path"}); !p.empty()) std::cout << fmt::format("{:<15}{}\n", "Path:", p);
    if (auto u = cli::string_at(o, {"spec", "url"}); !u.empty()) std::cout << fmt::format("{:<15}{}\n", "URL:", u);
    std::cout << fmt::format("{:<15}{}\n", "Revision:", cli::revision_of(o))
              << fmt::format("{:<15}{}\n", "Status:", cli::condition(o, "Ready", "status") == "True"
                                                         ? "Last reconciled at " + cli::condition(o, "Ready", "lastTransitionTime")
                                                         : "Not ready")
              << fmt::format("{:<15}{}\n", "Message:", cli::condition(o, "Ready", "message"));
}

int trace(const cli::args& a)
{
    auto f = cli::parse(a, {{"kind", true}, {"api-version", true}});
    if (!f) return cli::fail(f.err().message);
    if (f->pos.empty() || !f->has("kind") || !f->has("api-version"))
        return cli::fail("usage: weir trace <name> --kind KIND --api-version VERSION [-n NAMESPACE]");
    std::string ns = f->get("namespace", "default"), name = f->pos[0];
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    kube::gvk g = kube::gvk::from_api_version(f->get("api-version"), f->get("kind"));
    auto obj = (*c)->get(g, ns, name);
    if (!obj) {
        if (kube::is_not_found(obj.err())) return cli::fail(fmt::format("{} '{}/{}' not found", g.kind, ns, name));
        return cli::fail(obj.err().message);
    }
    const value* labels = obj->find_path({"metadata", "labels"});
    std::string ks_name, ks_ns, hr_name, hr_ns;
    if (labels) {
        ks_name = labels->get_string("kustomize.toolkit.fluxcd.io/name");
        ks_ns = labels->get_string("kustomize.toolkit.fluxcd.io/namespace");
        hr_name = labels->get_string("helm.toolkit.fluxcd.io/name");
        hr_ns = labels->get_string("helm.toolkit.fluxcd.io/namespace");
    }
    if (ks_name.empty() && hr_name.empty())
        return cli::fail(fmt::format("{} '{}/{}' is not managed by weir (no owner labels)", g.kind, ns, name));
    std::cout << fmt::format("{:<15}{}/{}\n{:<15}{}\n{:<15}{}\n", "Object:", g.kind, name, "Namespace:",
                             ns.empty() ? "(cluster)" : ns, "Status:", "Managed by weir");
    const cli::flux_kind* owner_kind = cli::kind_named(hr_name.empty() ? "Kustomization" : "HelmRelease");
    auto owner = (*c)->get(owner_kind->gvk, hr_name.empty() ? ks_ns : hr_ns, hr_name.empty() ? ks_name : hr_name);
    if (!owner) return cli::fail(owner.err().message);
    section(owner_kind->kind, *owner);
    cli::source_ref src;
    if (const value* ref = owner->find_path({"spec", "sourceRef"}); ref && ref->is_object()) {
        src.kind = cli::kind_named(ref->get_string("kind"));
        src.name = ref->get_string("name");
        src.namespace_ = ref->get_string("namespace");
        if (src.namespace_.empty()) src.namespace_ = cli::string_at(*owner, {"metadata", "namespace"});
    }
    if (src.kind) {
        auto s = (*c)->get(src.kind->gvk, src.namespace_, src.name);
        if (s) section(src.kind->kind, *s);
    }
    return 0;
}

weir::cli::command_registration reg{{
    .name = "trace",
    .summary = "show which Kustomization or HelmRelease manages an object, from which source and revision",
    .run = trace,
}};

} // namespace
