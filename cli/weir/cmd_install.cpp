// weir install: the controllers and CRDs embedded in this binary, applied with server-side apply.
#include "cli_common.hpp"
#include "cli_manifests.hpp"

#include <iostream>

namespace {

using namespace weir;

int install(const cli::args& a)
{
    auto f = cli::parse(a, {{"components", true}, {"components-extra", true}, {"export", false},
                            {"registry", true}, {"network-policy", true}, {"watch-all-namespaces", true}});
    if (!f) return cli::fail(f.err().message);
    if (!f->pos.empty()) return cli::fail("install takes no arguments, got \"" + f->pos[0] + "\"");
    auto comps = cli::select_components(f->list("components"), f->list("components-extra"));
    if (!comps) return cli::fail(comps.err().message);
    cli::install_options opts{.components = *comps, .namespace_ = f->namespace_(), .registry = f->get("registry"),
                              .network_policy = f->get("network-policy", "true") != "false",
                              .watch_all_namespaces = f->get("watch-all-namespaces", "true") != "false"};
    auto objects = cli::render_install(opts);
    if (!objects) return cli::fail(objects.err().message);
    if (f->boolean("export")) {
        std::cout << cli::components_yaml(*objects, opts);
        return 0;
    }
    auto timeout = f->timeout();
    if (!timeout) return cli::fail(timeout.err().message);
    auto client = cli::connect(*f);
    if (!client) return cli::fail(client.err().message);
    if (auto s = cli::apply_install(*client, *objects, opts, *timeout); !s) return cli::fail(s.err().message);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "install",
    .summary = "install the controllers and CRDs into a cluster (or print them with --export)",
    .run = install,
}};

} // namespace
