// kustomize-controller: wiring only. Flags in Flux's names; the reconciler holds the logic.
#include "kustomization_reconciler.hpp"

#include <weir/core/duration.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/predicates.hpp>
#include <weir/runtime/options.hpp>

using namespace weir;

namespace {

result<kustomize_controller::reconciler_options> parse_own_flags(const std::vector<std::string>& rest)
{
    kustomize_controller::reconciler_options o;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        std::string arg = rest[i], val;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            val = arg.substr(eq + 1);
            arg.resize(eq);
        } else if (arg != "--no-cross-namespace-refs" && i + 1 < rest.size()) {
            val = rest[++i];
        }
        if (arg == "--requeue-dependency") {
            WEIR_TRY_ASSIGN(auto d, parse_duration(val));
            o.requeue_dependency = std::chrono::duration_cast<std::chrono::milliseconds>(d);
        } else if (arg == "--no-cross-namespace-refs") {
            o.no_cross_namespace_refs = val.empty() || val == "true";
        } else if (arg == "--default-service-account") {
            o.default_service_account = val;
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
    auto opts = runtime::parse_flags(argc, argv, {.name = "kustomize-controller", .concurrent = 4}, &rest);
    if (!opts) return runtime::exit_with(opts.err());
    auto own = parse_own_flags(rest);
    if (!own) return runtime::exit_with(own.err());
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());

    if (!opts->events_addr.empty())
        (*mgr)->events().add_forwarder(eventsink::make_forwarder({.address = opts->events_addr}));
    kustomize_controller::kustomization_reconciler reconciler(**mgr, *own);
    auto& controller = (*mgr)->add_controller(
        {.name = "kustomization",
         .kind = {"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"},
         .reconcile = [&](const runtime::request& req) { return reconciler.reconcile(req); },
         .predicate = runtime::generation_or_request_changed});
    reconciler.bind(controller);

    auto result = (*mgr)->run();
    return result ? 0 : runtime::exit_with(result.err());
}
