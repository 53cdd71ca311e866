// helm-controller: wiring only. Flags in Flux's names; the reconciler holds the logic.
#include "helm_release_reconciler.hpp"

#include <weir/core/duration.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/options.hpp>
#include <weir/runtime/predicates.hpp>

using namespace weir;

namespace {

result<helm_controller::reconciler_options> parse_own_flags(const std::vector<std::string>& rest)
{
    helm_controller::reconciler_options o;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        std::string arg = rest[i], val;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            val = arg.substr(eq + 1);
            arg.resize(eq);
        } else if (i + 1 < rest.size()) {
            val = rest[++i];
        }
        if (arg == "--requeue-dependency") {
            WEIR_TRY_ASSIGN(auto d, parse_duration(val));
            o.requeue_dependency = std::chrono::duration_cast<std::chrono::milliseconds>(d);
        } else if (arg == "--scratch-dir") {
            o.scratch_dir = val;
        } else {
            return terminal_error("unknown flag " + arg, "InvalidFlag");
        }
    }
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> rest;
    auto opts = runtime::parse_flags(argc, argv, {.name = "helm-controller", .concurrent = 4}, &rest);
    if (!opts) return runtime::exit_with(opts.err());
    auto own = parse_own_flags(rest);
    if (!own) return runtime::exit_with(own.err());
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());

    if (!opts->events_addr.empty())
        (*mgr)->events().add_forwarder(eventsink::make_forwarder({.address = opts->events_addr}));
    helm_controller::helm_release_reconciler reconciler(**mgr, *own);
    auto& controller = (*mgr)->add_controller(
        {.name = "helmrelease",
         .kind = {"helm.toolkit.fluxcd.io", "v2", "HelmRelease"},
         .reconcile = [&](const runtime::request& req) { return reconciler.reconcile(req); },
         .predicate = runtime::generation_or_request_changed});
    reconciler.bind(controller);
    if (auto s = reconciler.start(); !s) return runtime::exit_with(s.err());

    auto result = (*mgr)->run();
    return result ? 0 : runtime::exit_with(result.err());
}
