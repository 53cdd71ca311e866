#include <weir/runtime/conditions.hpp>
#include <weir/runtime/failure.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/patch.hpp>

namespace weir::runtime {

error report_failure(manager& mgr, const weir::value& original, weir::value& updated, error e,
                     std::string_view default_reason)
{
    if (e.reason.empty()) e.reason = std::string(default_reason);
    if (e.terminal())
        conditions::mark_stalled(updated, e.reason, e.message);
    else
        conditions::mark_failed(updated, e.reason, e.message);
    conditions::set_observed_generation(updated);
    if (auto written = patch_status(mgr.client(), original, updated); !written) return written.err();
    mgr.events().warning(original, e.reason, e.message);
    return e;
}

} // namespace weir::runtime
