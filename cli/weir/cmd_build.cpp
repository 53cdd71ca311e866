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
    auto built = cli::build_named(*f, "build");
    if (!built) return cli::fail(built.err().message);
    std::cout << to_yaml_stream(built->objects);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "build",
    .summary = "build a Kustomization from a local directory as the controller would (build kustomization)",
    .run = build,
}};

} // namespace
