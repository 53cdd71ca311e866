// `weir kustomize build DIR`: the kustomize engine on the command line, output as a YAML stream.
#include "command.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <iostream>

namespace {

int run(const weir::cli::args& a)
{
    if (a.empty() || a[0] != "build")
        return weir::cli::fail("usage: weir kustomize build DIR [--load-restrictor LoadRestrictionsNone]");
    std::string dir = ".";
    weir::kustomize::build_options opts;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--load-restrictor" && i + 1 < a.size()) {
            opts.allow_files_outside_root = a[++i] == "LoadRestrictionsNone";
        } else if (a[i].starts_with("--load-restrictor=")) {
            opts.allow_files_outside_root = a[i].substr(18) == "LoadRestrictionsNone";
        } else if (a[i].starts_with("-")) {
            return weir::cli::fail("kustomize build: unknown flag " + a[i]);
        } else {
            dir = a[i];
        }
    }
    auto r = weir::kustomize::build(dir, opts);
    if (!r) return weir::cli::fail(r.err().message);
    std::cout << weir::to_yaml_stream(*r);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "kustomize",
    .summary = "build a kustomization: weir kustomize build DIR",
    .run = run,
}};

} // namespace
