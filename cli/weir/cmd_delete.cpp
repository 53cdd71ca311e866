// weir delete <kind> <name>: deletes a Flux object (its controller then prunes what it applied,
// unless it is suspended, as in Flux).
#include "cli_common.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <iostream>

namespace {

using namespace weir;

int del(const cli::args& a)
{
    auto f = cli::parse(a, {{"silent", false}, {"wait", false}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k) return cli::fail(f->pos.empty() ? "usage: weir delete <kind> <name>; kinds: " + cli::kind_words_help()
                                            : "unknown kind \"" + f->pos[0] + "\"; known: " + cli::kind_words_help());
    if (i >= f->pos.size()) return cli::fail("delete " + k->words + ": name is required");
    std::string ns = f->namespace_(), name = f->pos[i];
    auto timeout = f->timeout();
    if (!timeout) return cli::fail(timeout.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    cli::say_action(fmt::format("deleting {} {} in {} namespace", k->kind, name, ns));
    auto r = (*c)->remove(k->gvk, ns, name);
    if (!r) {
        if (kube::is_not_found(r.err())) return cli::fail(fmt::format("{} '{}/{}' not found", k->kind, ns, name));
        return cli::fail(r.err().message);
    }
    if (f->boolean("wait")) {
        auto gone = cli::poll_until(*timeout, k->kind + " " + name + " to be deleted", [&]() -> result<bool> {
            auto o = (*c)->get(k->gvk, ns, name);
            if (!o) return kube::is_not_found(o.err()) ? result<bool>(true) : result<bool>(o.err());
            return false;
        });
        if (!gone) return cli::fail(gone.err().message);
    }
    cli::say_success(k->kind + " deleted");
    return 0;
}

weir::cli::command_registration reg{{
    .name = "delete",
    .summary = "delete a source, Kustomization, HelmRelease, image or notification object",
    .run = del,
}};

} // namespace
