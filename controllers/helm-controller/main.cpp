// helm-controller: wiring only. Flags in Flux's names; the reconciler holds the logic.
#include "helm_release_reconciler.hpp"

#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/options.hpp>
#include <weir/runtime/predicates.hpp>

using namespace weir;

namespace {

result<helm_controller::reconciler_options> parse_own_flags(const std::vector<std::string>& rest)
{
    helm_controller::reconciler_options o;
    std::string scratch = o.scratch_dir.string();
    runtime::flag_set own;
    own.duration("requeue-dependency", o.requeue_dependency,
                 "The interval at which failing dependencies are reevaluated.")
        .boolean(
            "no-cross-namespace-refs", o.no_cross_namespace_refs,
            "When set to true, references between custom resources are allowed only if the reference and the "
            "referee are in the same namespace.")
        .string("default-service-account", o.default_service_account,
                "Default service account used for impersonation.")
        .string("scratch-dir", scratch, "Where chart artifacts are fetched.");
    WEIR_TRY(own.parse(rest));
    o.scratch_dir = scratch;
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
