// weir diff kustomization <name> --path DIR: what applying DIR would change, by server-side dry-run
// against the live objects; exit code 1 when something would change (as `flux diff`).
#include "cli_build.hpp"
#include "cli_common.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kube/errors.hpp>
#include <weir/ssa/inventory.hpp>

#include <fmt/format.h>

#include <iostream>
#include <sstream>

namespace {

using namespace weir;

// What a diff looks at: no server bookkeeping, Secret values masked.
value comparable(value obj)
{
    if (value* meta = obj.find("metadata"); meta && meta->is_object()) {
        for (auto key : {"managedFields", "resourceVersion", "generation", "creationTimestamp", "uid"})
            meta->as_object().erase(key);
        if (value* ann = meta->find("annotations"); ann && ann->is_object()) {
            ann->as_object().erase("kubectl.kubernetes.io/last-applied-configuration");
            if (ann->as_object().empty()) meta->as_object().erase("annotations");
        }
    }
    obj.as_object().erase("status");
    if (obj.get_string("kind") == "Secret" && obj.get_string("apiVersion") == "v1")
        for (auto key : {"data", "stringData"})
            if (value* d = obj.find(key); d && d->is_object())
                for (auto& [k, v] : d->as_object())
                    v = "*****";
    return obj;
}

std::vector<std::string> lines(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

// A line diff by longest common subsequence (objects are small).
void print_diff(const std::string& before, const std::string& after)
{
    auto a = lines(before), b = lines(after);
    std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            ++i, ++j;
        } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
            std::cout << "+ " << b[j++] << "\n";
        } else {
            std::cout << "- " << a[i++] << "\n";
        }
    }
}

int diff(const cli::args& a)
{
    auto f = cli::parse(a, {{"path", true}, {"progress-bar", true}});
    if (!f) return cli::fail(f.err().message);
    auto built = cli::build_named(*f, "diff");
    if (!built) return cli::fail(built.err().message);
    auto& c = built->client;
    auto& objects = built->objects;
    const value* ks = &built->kustomization;
    bool changed = false;
    for (const auto& obj : objects) {
        auto ref = ssa::object_ref::of(obj);
        kube::gvk g{ref.group, ref.version, ref.kind};
        auto live = c->get(g, ref.namespace_, ref.name);
        if (!live && !kube::is_not_found(live.err()) && live.err().reason != "NoKindMatch")
            return cli::fail(live.err().wrap(ref.str()).message);
        if (!live) {
            std::cout << "► " << ref.str() << " created\n";
            changed = true;
            continue;
        }
        auto planned =
            c->apply(obj, {.field_manager = "kustomize-controller", .force = true, .dry_run = true});
        if (!planned) return cli::fail(planned.err().wrap(ref.str() + " dry-run").message);
        std::string before = to_yaml(comparable(*live)), after = to_yaml(comparable(*planned));
        if (before == after) continue;
        changed = true;
        std::cout << "► " << ref.str() << " drifted\n";
        print_diff(before, after);
    }
    // What would be pruned: in the inventory, not in the build.
    if (const value* prune = ks->find_path({"spec", "prune"});
        prune && prune->is_bool() && prune->as_bool()) {
        auto inv = ssa::inventory::from_status(ks->find_path({"status", "inventory"}));
        if (inv) {
            auto stale = inv->difference(ssa::inventory::of(objects));
            for (const auto& ref : stale) {
                std::cout << "► " << ref.str() << " deleted\n";
                changed = true;
            }
        }
    }
    std::cout.flush();
    return changed ? 1 : 0;
}

weir::cli::command_registration reg{{
    .name = "diff",
    .summary = "show what applying a local directory would change (diff kustomization); exit 1 on changes",
    .run = diff,
}};

} // namespace
