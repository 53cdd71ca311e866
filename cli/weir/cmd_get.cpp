// weir get <kind> [name]: the status of Flux objects as a table, like `flux get`.
#include "cli_common.hpp"

#include <weir/kube/errors.hpp>

#include <algorithm>
#include <iostream>

namespace {

using namespace weir;

std::vector<std::string> header(const cli::flux_kind& k, bool all_ns)
{
    std::vector<std::string> h{"NAME"};
    if (k.kind == "ImageRepository") h.insert(h.end(), {"LAST SCAN", "SUSPENDED"});
    else if (k.kind == "ImagePolicy") h.push_back("LATEST IMAGE");
    else if (k.kind == "ImageUpdateAutomation") h.insert(h.end(), {"LAST RUN", "SUSPENDED"});
    else if (k.kind == "Provider") {}
    else if (k.group == "notifications") h.push_back("SUSPENDED");
    else h.insert(h.end(), {"REVISION", "SUSPENDED"});
    h.insert(h.end(), {"READY", "MESSAGE"});
    if (all_ns) h.insert(h.begin(), "NAMESPACE");
    return h;
}

std::vector<std::string> row(const cli::flux_kind& k, const value& o, bool all_ns, bool prefixed)
{
    std::string name = cli::string_at(o, {"metadata", "name"});
    if (prefixed) {
        std::string lower = k.kind;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        name = lower + "/" + name;
    }
    std::vector<std::string> r{name};
    std::string susp = cli::suspended(o) ? "True" : "False";
    if (k.kind == "ImageRepository") r.insert(r.end(), {cli::string_at(o, {"status", "lastScanResult", "scanTime"}), susp});
    else if (k.kind == "ImagePolicy") r.push_back(cli::string_at(o, {"status", "latestRef", "name"}).empty()
                                                      ? cli::string_at(o, {"status", "latestImage"})
                                                      : cli::string_at(o, {"status", "latestRef", "name"}) + ":" +
                                                            cli::string_at(o, {"status", "latestRef", "tag"}));
    else if (k.kind == "ImageUpdateAutomation") r.insert(r.end(), {cli::string_at(o, {"status", "lastAutomationRunTime"}), susp});
    else if (k.kind == "Provider") {}
    else if (k.group == "notifications") r.push_back(susp);
    else r.insert(r.end(), {cli::revision_of(o), susp});
    std::string ready = cli::condition(o, "Ready", "status");
    r.insert(r.end(), {ready.empty() ? "Unknown" : ready, cli::condition(o, "Ready", "message")});
    if (all_ns) r.insert(r.begin(), cli::string_at(o, {"metadata", "namespace"}));
    return r;
}

// Lists one kind; `missing_ok`: a kind whose CRD is not installed prints nothing (get all).
int get_kind(kube::client& c, const cli::flux_kind& k, const cli::parsed_args& f, const std::string& name, bool for_all)
{
    bool all_ns = f.all_namespaces();
    std::vector<value> items;
    if (!name.empty()) {
        auto o = c.get(k.gvk, f.namespace_(), name);
        if (!o) {
            if (kube::is_not_found(o.err()))
                return cli::fail(k.kind + " '" + f.namespace_() + "/" + name + "' not found");
            return cli::fail(o.err().message);
        }
        items.push_back(std::move(*o));
    } else {
        auto list = c.list(k.gvk, {.namespace_ = all_ns ? "" : f.namespace_()});
        if (!list) {
            if (for_all) return 0;
            if (kube::is_not_found(list.err()) || list.err().message.find("no kind") != std::string::npos ||
                list.err().message.find("not served") != std::string::npos)
                return cli::fail(k.kind + " is not served by this cluster: install its CRD with 'weir install'");
            return cli::fail(list.err().message);
        }
        items = std::move(list->items);
    }
    if (f.has("status-selector")) {
        // "ready=false": a condition type and its status, either case.
        auto lower = [](std::string x) {
            std::transform(x.begin(), x.end(), x.begin(), [](unsigned char ch) { return std::tolower(ch); });
            return x;
        };
        std::string sel = f.get("status-selector");
        auto eq = sel.find('=');
        if (eq == std::string::npos) return cli::fail("--status-selector " + sel + ": want type=status, e.g. ready=false");
        std::string type = lower(sel.substr(0, eq)), want = lower(sel.substr(eq + 1));
        std::vector<value> kept;
        for (auto& o : items) {
            const value* conds = o.find_path({"status", "conditions"});
            bool match = false;
            if (conds && conds->is_array())
                for (const auto& cond : conds->as_array())
                    match = match || (lower(std::string(cond.get_string("type"))) == type &&
                                      lower(std::string(cond.get_string("status"))) == want);
            if (match) kept.push_back(std::move(o));
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        if (!for_all) std::cerr << "✗ no " << k.kind << " objects found in " << (all_ns ? "any" : f.namespace_())
                                << " namespace" << std::endl;
        return 0;
    }
    std::vector<std::vector<std::string>> rows{header(k, all_ns)};
    for (const auto& o : items) rows.push_back(row(k, o, all_ns, for_all));
    cli::print_table(rows);
    if (for_all) std::cout << "\n";
    return 0;
}

int get(const cli::args& a)
{
    auto f = cli::parse(a, {{"status-selector", true}});
    if (!f) return cli::fail(f.err().message);
    if (f->pos.empty()) return cli::fail("usage: weir get <kind> [name]; kinds: all, " + cli::kind_words_help());
    std::vector<const cli::flux_kind*> kinds;
    std::size_t i = 0;
    bool all = false;
    std::string word = f->pos[0];
    if (word == "all") {
        all = true;
        for (const auto& k : cli::flux_kinds()) kinds.push_back(&k);
        i = 1;
    } else if ((word == "sources" || word == "source" || word == "images" || word == "image") && f->pos.size() > 1 &&
               f->pos[1] == "all") {
        all = true;
        for (const auto& k : cli::flux_kinds())
            if (k.group == (word.starts_with("source") ? "sources" : "images")) kinds.push_back(&k);
        i = 2;
    } else {
        const cli::flux_kind* k = cli::take_kind(f->pos, i);
        if (!k) return cli::fail("unknown kind \"" + word + "\"; known: all, " + cli::kind_words_help());
        kinds.push_back(k);
    }
    std::string name = i < f->pos.size() ? f->pos[i] : "";
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    for (const auto* k : kinds)
        if (int rc = get_kind(**c, *k, *f, name, all); rc != 0) return rc;
    return 0;
}

weir::cli::command_registration reg{{
    .name = "get",
    .summary = "show the status of sources, Kustomizations, HelmReleases, images and notifications",
    .run = get,
}};

} // namespace
