// weir export <kind> [name] [--all]: the objects as YAML a repository can hold (no status, no
// server fields), as `flux export`.
#include "cli_common.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kube/errors.hpp>

#include <iostream>

namespace {

using namespace weir;

int export_cmd(const cli::args& a)
{
    auto f = cli::parse(a, {{"all", false}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k) return cli::fail(f->pos.empty() ? "usage: weir export <kind> [name] [--all]; kinds: " + cli::kind_words_help()
                                            : "unknown kind \"" + f->pos[0] + "\"; known: " + cli::kind_words_help());
    if (i >= f->pos.size() && !f->boolean("all")) return cli::fail("export " + k->words + ": name (or --all) is required");
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    std::vector<value> items;
    if (i < f->pos.size()) {
        auto o = (*c)->get(k->gvk, f->namespace_(), f->pos[i]);
        if (!o) {
            if (kube::is_not_found(o.err()))
                return cli::fail(k->kind + " '" + f->namespace_() + "/" + f->pos[i] + "' not found");
            return cli::fail(o.err().message);
        }
        items.push_back(std::move(*o));
    } else {
        auto list = (*c)->list(k->gvk, {.namespace_ = f->all_namespaces() ? "" : f->namespace_()});
        if (!list) return cli::fail(list.err().message);
        items = std::move(list->items);
    }
    for (const auto& o : items) std::cout << "---\n" << to_yaml(cli::clean_for_export(o));
    return 0;
}

weir::cli::command_registration reg{{
    .name = "export",
    .summary = "print objects as YAML for a repository (no status, no server fields)",
    .run = export_cmd,
}};

} // namespace
