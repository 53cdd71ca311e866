// weir build kustomization <name> --path DIR: what the Kustomization would apply if DIR were its
// source's spec.path, as YAML (like `flux build kustomization`).
#include "cli_build.hpp"
#include "cli_common.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kube/errors.hpp>

#include <iostream>

namespace {

using namespace weir;

int build(const cli::args& a)
{
    auto f = cli::parse(a, {{"path", true}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k || k->kind != "Kustomization")
        return cli::fail("usage: weir build kustomization <name> --path DIR");
    if (i >= f->pos.size()) return cli::fail("build kustomization: name is required");
    if (!f->has("path")) return cli::fail("build kustomization: --path is required");
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    auto ks = (*c)->get(k->gvk, f->namespace_(), f->pos[i]);
    if (!ks) {
        if (kube::is_not_found(ks.err()))
            return cli::fail("Kustomization '" + f->namespace_() + "/" + f->pos[i] + "' not found");
        return cli::fail(ks.err().message);
    }
    auto objects = cli::build_local(**c, *ks, f->get("path"));
    if (!objects) return cli::fail(objects.err().message);
    std::cout << to_yaml_stream(*objects);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "build",
    .summary = "build a Kustomization from a local directory as the controller would (build kustomization)",
    .run = build,
}};

} // namespace
