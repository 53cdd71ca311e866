// weir version [--client]: the CLI's version, and with a reachable cluster the controllers' images.
#include "cli_common.hpp"
#include "cli_manifests.hpp"

#include <iostream>

namespace {

using namespace weir;

int version(const cli::args& a)
{
    auto f = cli::parse(a, {{"client", false}});
    if (!f) return cli::fail(f.err().message);
    std::cout << "weir: v" << WEIR_VERSION << "\n";
    if (f->boolean("client")) return 0;
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message + " (use --client for the CLI's version only)");
    auto v = (*c)->get_path("/version");
    if (v) std::cout << "kubernetes: " << v->get_string("gitVersion") << "\n";
    for (const auto& comp : cli::components()) {
        auto d = (*c)->get({"apps", "v1", "Deployment"}, f->namespace_(), comp.name);
        if (!d) continue;
        const value* cs = d->find_path({"spec", "template", "spec", "containers"});
        if (!cs || !cs->is_array() || cs->as_array().empty()) continue;
        std::string image(cs->as_array()[0].get_string("image"));
        auto colon = image.rfind(':');
        std::cout << comp.name << ": " << (colon == std::string::npos ? image : "v" + image.substr(colon + 1)) << "\n";
    }
    return 0;
}

weir::cli::command_registration reg{{
    .name = "version",
    .summary = "print the version of the weir CLI and of the installed controllers (--client: CLI only)",
    .run = version,
}};

} // namespace
