// weir stats: how many objects of each Flux kind there are, and how many fail or are suspended.
#include "cli_common.hpp"

#include <fmt/format.h>

namespace {

using namespace weir;

int stats(const cli::args& a)
{
    auto f = cli::parse(a, {});
    if (!f) return cli::fail(f.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    std::vector<std::vector<std::string>> rows{{"RECONCILERS", "RUNNING", "FAILING", "SUSPENDED", "STORAGE"}};
    for (const auto& k : cli::flux_kinds()) {
        auto list = (*c)->list(k.gvk, {.namespace_ = f->all_namespaces() ? "" : f->namespace_()});
        if (!list) continue; // not installed
        std::size_t running = 0, failing = 0, susp = 0;
        std::uint64_t bytes = 0;
        for (const auto& o : list->items) {
            if (cli::suspended(o)) ++susp;
            else if (cli::condition(o, "Ready", "status") == "False") ++failing;
            else ++running;
            if (const value* size = o.find_path({"status", "artifact", "size"}); size && size->is_int())
                bytes += static_cast<std::uint64_t>(size->as_int());
        }
        std::string storage = k.group != "sources" ? "-"
                              : bytes >= (1u << 20) ? fmt::format("{:.1f} MiB", bytes / 1048576.0)
                                                    : fmt::format("{:.1f} KiB", bytes / 1024.0);
        rows.push_back({k.kind, std::to_string(running), std::to_string(failing), std::to_string(susp), storage});
    }
    cli::print_table(rows);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "stats",
    .summary = "count the Flux objects per kind: running, failing, suspended, artifact storage",
    .run = stats,
}};

} // namespace
