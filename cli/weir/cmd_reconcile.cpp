// weir reconcile <kind> <name> [--with-source]: reconcile now and wait for the outcome.
#include "cli_reconcile.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

namespace {

using namespace weir;

int reconcile(const cli::args& a)
{
    auto f = cli::parse(a, {{"with-source", false}, {"force", false}, {"reset", false}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k) return cli::fail(f->pos.empty() ? "usage: weir reconcile <kind> <name>; kinds: " + cli::kind_words_help()
                                            : "unknown kind \"" + f->pos[0] + "\"; known: " + cli::kind_words_help());
    if (!k->reconcilable) return cli::fail(k->kind + " is not reconciled on request");
    if (i >= f->pos.size()) return cli::fail("reconcile " + k->words + ": name is required");
    auto timeout = f->timeout();
    if (!timeout) return cli::fail(timeout.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    cli::reconcile_request req{k, f->namespace_(), f->pos[i], *timeout, f->boolean("force"), f->boolean("reset")};
    if (f->boolean("with-source")) {
        auto obj = (*c)->get(k->gvk, req.namespace_, req.name);
        if (!obj) {
            if (kube::is_not_found(obj.err()))
                return cli::fail(fmt::format("{} '{}/{}' not found", k->kind, req.namespace_, req.name));
            return cli::fail(obj.err().message);
        }
        cli::source_ref src = cli::source_of(*obj);
        if (!src.kind) return cli::fail(k->kind + " '" + req.name + "' has no source to reconcile");
        auto s = cli::request_reconcile(**c, {src.kind, src.namespace_, src.name, *timeout});
        if (!s) return cli::fail(s.err().message);
        cli::say_success("fetched revision " + cli::revision_of(*s));
    }
    auto done = cli::request_reconcile(**c, req);
    if (!done) return cli::fail(done.err().message);
    bool source = k->group == "sources";
    std::string rev = cli::revision_of(*done);
    if (!rev.empty()) cli::say_success((source ? "fetched revision " : "applied revision ") + rev);
    else cli::say_success(k->kind + " reconciliation completed");
    return 0;
}

weir::cli::command_registration reg{{
    .name = "reconcile",
    .summary = "reconcile an object now and wait for the outcome ([--with-source])",
    .run = reconcile,
}};

} // namespace
