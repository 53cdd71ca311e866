// weir events [--for Kind/name]: the Kubernetes Events of Flux objects, oldest first (flux events).
#include "cli_common.hpp"

#include <weir/kube/time.hpp>

#include <algorithm>

namespace {

using namespace weir;

std::string age(const std::string& ts)
{
    auto t = kube::parse_time(ts);
    if (!t) return "";
    auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *t).count();
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 172800) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

int events(const cli::args& a)
{
    auto f = cli::parse(a, {{"for", true}, {"types", true}});
    if (!f) return cli::fail(f.err().message);
    std::string for_kind, for_name;
    if (f->has("for")) {
        std::string v = f->get("for");
        auto slash = v.find('/');
        if (slash == std::string::npos) return cli::fail("--for " + v + ": want Kind/name");
        for_kind = v.substr(0, slash);
        for_name = v.substr(slash + 1);
    }
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    bool all_ns = f->all_namespaces();
    auto list = (*c)->list({"", "v1", "Event"}, {.namespace_ = all_ns ? "" : f->namespace_()});
    if (!list) return cli::fail(list.err().message);
    std::vector<value> items;
    for (auto& e : list->items) {
        std::string kind = cli::string_at(e, {"involvedObject", "kind"});
        std::string api = cli::string_at(e, {"involvedObject", "apiVersion"});
        if (!for_kind.empty()) {
            if (!(kind == for_kind || (cli::kind_named(kind) && cli::kind_named(kind)->words == for_kind)) ||
                cli::string_at(e, {"involvedObject", "name"}) != for_name)
                continue;
        } else if (api.find("toolkit.fluxcd.io") == std::string::npos) {
            continue;
        }
        if (f->has("types") && f->get("types").find(cli::string_at(e, {"type"})) == std::string::npos) continue;
        items.push_back(std::move(e));
    }
    auto when = [](const value& e) {
        std::string t = cli::string_at(e, {"lastTimestamp"});
        return t.empty() ? cli::string_at(e, {"eventTime"}) : t;
    };
    std::stable_sort(items.begin(), items.end(), [&](const value& x, const value& y) { return when(x) < when(y); });
    std::vector<std::vector<std::string>> rows{{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}};
    if (all_ns) rows[0].insert(rows[0].begin(), "NAMESPACE");
    for (const auto& e : items) {
        std::vector<std::string> r{age(when(e)), cli::string_at(e, {"type"}), cli::string_at(e, {"reason"}),
                                   cli::string_at(e, {"involvedObject", "kind"}) + "/" +
                                       cli::string_at(e, {"involvedObject", "name"}),
                                   cli::string_at(e, {"message"})};
        std::replace(r.back().begin(), r.back().end(), '\n', ' ');
        if (all_ns) r.insert(r.begin(), cli::string_at(e, {"metadata", "namespace"}));
        rows.push_back(std::move(r));
    }
    cli::print_table(rows);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "events",
    .summary = "show the events of Flux objects ([--for Kind/name])",
    .run = events,
}};

} // namespace
