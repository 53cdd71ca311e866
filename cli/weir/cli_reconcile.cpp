#include "cli_reconcile.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

namespace weir::cli {

result<value> wait_ready(kube::client& c, const flux_kind& k, const std::string& ns, const std::string& name,
                         std::chrono::milliseconds timeout, const std::string& token)
{
    value last;
    WEIR_TRY(poll_until(timeout, fmt::format("{} {}/{} to reconcile", k.kind, ns, name), [&]() -> result<bool> {
        auto o = c.get(k.gvk, ns, name);
        if (!o) return kube::is_not_found(o.err()) ? result<bool>(false) : result<bool>(o.err());
        last = std::move(*o);
        if (!token.empty() && string_at(last, {"status", "lastHandledReconcileAt"}) != token) return false;
        const value* gen = last.find_path({"metadata", "generation"});
        const value* seen = last.find_path({"status", "observedGeneration"});
        if (gen && gen->is_int() && (!seen || !seen->is_int() || seen->as_int() < gen->as_int())) return false;
        if (condition(last, "Reconciling", "status") == "True" && condition(last, "Stalled", "status") != "True")
            return false;
        std::string ready = condition(last, "Ready", "status");
        return ready == "True" || ready == "False";
    }));
    if (condition(last, "Ready", "status") == "False")
        return terminal_error(fmt::format("{} {}/{} is not ready: {}", k.kind, ns, name, condition(last, "Ready", "message")));
    return last;
}

result<value> request_reconcile(kube::client& c, const reconcile_request& r)
{
    const flux_kind& k = *r.kind;
    auto obj = c.get(k.gvk, r.namespace_, r.name);
    if (!obj) {
        if (kube::is_not_found(obj.err()))
            return terminal_error(fmt::format("{} '{}/{}' not found", k.kind, r.namespace_, r.name));
        return obj.err();
    }
    if (suspended(*obj))
        return terminal_error(fmt::format("{} '{}/{}' is suspended; run 'weir resume {} {} -n {}'", k.kind, r.namespace_,
                                          r.name, k.words, r.name, r.namespace_));
    say_action(fmt::format("annotating {} {} in {} namespace", k.kind, r.name, r.namespace_));
    std::string token = now_rfc3339_nano();
    value ann = object{};
    ann["reconcile.fluxcd.io/requestedAt"] = token;
    if (r.force) ann["reconcile.fluxcd.io/forceAt"] = token;
    if (r.reset) ann["reconcile.fluxcd.io/resetAt"] = token;
    value patch = object{};
    patch["metadata"] = object{};
    patch["metadata"]["annotations"] = ann;
    auto p = c.patch(k.gvk, r.namespace_, r.name, kube::patch_type::merge, to_json(patch));
    if (!p) return p.err().wrap(fmt::format("annotating {} {}/{}", k.kind, r.namespace_, r.name));
    say_success(k.kind + " annotated");
    say_waiting(k.kind + " reconciliation");
    return wait_ready(c, k, r.namespace_, r.name, r.timeout, token);
}

source_ref source_of(const value& obj)
{
    const value* ref = obj.find_path({"spec", "sourceRef"});
    if (!ref) ref = obj.find_path({"spec", "chartRef"});
    if (!ref) ref = obj.find_path({"spec", "chart", "spec", "sourceRef"});
    if (!ref || !ref->is_object()) return {};
    source_ref out{kind_named(ref->get_string("kind")), std::string(ref->get_string("namespace")),
                   std::string(ref->get_string("name"))};
    if (out.namespace_.empty()) out.namespace_ = string_at(obj, {"metadata", "namespace"});
    return out;
}

} // namespace weir::cli
