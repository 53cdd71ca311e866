// weir suspend | resume <kind> <name> [--all]: stop applying changes, and start again.
#include "cli_reconcile.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

namespace {

using namespace weir;

int toggle(const cli::args& a, bool suspend)
{
    const std::string verb = suspend ? "suspend" : "resume";
    auto f = cli::parse(a, {{"all", false}, {"wait", true}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k) return cli::fail(f->pos.empty() ? "usage: weir " + verb + " <kind> <name>; kinds: " + cli::kind_words_help()
                                            : "unknown kind \"" + f->pos[0] + "\"; known: " + cli::kind_words_help());
    std::vector<std::string> names(f->pos.begin() + static_cast<std::ptrdiff_t>(i), f->pos.end());
    if (names.empty() && !f->boolean("all")) return cli::fail(verb + " " + k->words + ": name (or --all) is required");
    auto timeout = f->timeout();
    if (!timeout) return cli::fail(timeout.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    std::string ns = f->namespace_();
    if (f->boolean("all")) {
        auto list = (*c)->list(k->gvk, {.namespace_ = ns});
        if (!list) return cli::fail(list.err().message);
        for (const auto& o : list->items) names.emplace_back(cli::string_at(o, {"metadata", "name"}));
    }
    for (const auto& name : names) {
        auto obj = (*c)->get(k->gvk, ns, name);
        if (!obj) {
            if (kube::is_not_found(obj.err())) return cli::fail(fmt::format("{} '{}/{}' not found", k->kind, ns, name));
            return cli::fail(obj.err().message);
        }
        cli::say_action(fmt::format("{} {} {} in {} namespace", suspend ? "suspending" : "resuming", k->words, name, ns));
        std::string token = cli::now_rfc3339_nano();
        std::string patch = suspend ? R"({"spec":{"suspend":true}})"
                                    : fmt::format(R"({{"spec":{{"suspend":false}},"metadata":{{"annotations":{{"reconcile.fluxcd.io/requestedAt":"{}"}}}}}})",
                                                  token);
        auto p = (*c)->patch(k->gvk, ns, name, kube::patch_type::merge, patch);
        if (!p) return cli::fail(p.err().message);
        cli::say_success(k->kind + (suspend ? " suspended" : " resumed"));
        if (suspend || f->get("wait", "true") == "false") continue;
        cli::say_waiting(k->kind + " reconciliation");
        auto done = cli::wait_ready(**c, *k, ns, name, *timeout, token);
        if (!done) return cli::fail(done.err().message);
        if (auto rev = cli::revision_of(*done); !rev.empty())
            cli::say_success((k->group == "sources" ? "fetched revision " : "applied revision ") + rev);
    }
    return 0;
}

weir::cli::command_registration suspend_reg{{
    .name = "suspend",
    .summary = "stop reconciling an object (spec.suspend: true)",
    .run = [](const cli::args& a) { return toggle(a, true); },
}};
weir::cli::command_registration resume_reg{{
    .name = "resume",
    .summary = "resume reconciling an object and wait for it",
    .run = [](const cli::args& a) { return toggle(a, false); },
}};

} // namespace
