#include "hooks.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace weir::helm_controller {

namespace {

bool has(const std::vector<std::string>& list, std::string_view item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

// Done (true), failed (error), or still running (false).
result<bool> finished(const value& obj)
{
    std::string kind(obj.get_string("kind"));
    if (kind == "Job") {
        if (const value* conds = obj.find_path({"status", "conditions"}); conds && conds->is_array())
            for (const auto& c : conds->as_array()) {
                if (c.get_string("status") != "True") continue;
                if (c.get_string("type") == "Complete") return true;
                if (c.get_string("type") == "Failed")
                    return terminal_error(
                        fmt::format("job failed: {}", c.get_string("message", c.get_string("reason"))),
                        "HookFailed");
            }
        return false;
    }
    if (kind == "Pod") {
        std::string_view phase =
            obj.find_path({"status", "phase"}) ? obj.find_path({"status", "phase"})->as_string() : "";
        if (phase == "Succeeded") return true;
        if (phase == "Failed") return terminal_error("pod failed", "HookFailed");
        return false;
    }
    return true; // other kinds are done once created
}

status wait_done(kube::client& client, const value& obj, const hook_options& options)
{
    auto kind = kube::gvk::of(obj);
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    while (true) {
        auto live = client.get(kind, kube::namespace_of(obj), kube::name_of(obj));
        if (live) {
            WEIR_TRY_ASSIGN(bool done, finished(*live));
            if (done) return ok();
        } else if (!kube::is_not_found(live.err())) {
            return live.err();
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return transient_error(
                fmt::format("timed out after {}s waiting for the condition",
                            std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count()),
                "HookFailed");
        std::this_thread::sleep_for(options.poll_interval);
    }
}

status remove(kube::client& client, const value& obj)
{
    auto s = client.remove(kube::gvk::of(obj), kube::namespace_of(obj), kube::name_of(obj),
                           {.propagation_policy = "Background"});
    if (!s && !kube::is_not_found(s.err())) return s;
    return ok();
}

status run_one(kube::client& client, helm::release_hook& hook, const hook_options& options)
{
    auto doc = parse_yaml(hook.manifest, {.schema = yaml_schema::kubernetes_1_1});
    if (!doc || !doc->is_object()) return terminal_error("hook manifest is not a YAML object", "HookFailed");
    value obj = std::move(*doc);
    if (kube::namespace_of(obj).empty()) obj["metadata"]["namespace"] = options.namespace_;
    if (hook.delete_policies.empty() || has(hook.delete_policies, "before-hook-creation"))
        WEIR_TRY(remove(client, obj));
    hook.last_run = {.started_at = helm::go_time_now(), .completed_at = "", .phase = "Running"};
    auto applied = client.apply(obj, {.field_manager = options.field_manager, .force = true});
    status outcome = applied ? wait_done(client, obj, options) : status(applied.err());
    hook.last_run.completed_at = helm::go_time_now();
    hook.last_run.phase = outcome ? "Succeeded" : "Failed";
    if ((outcome && has(hook.delete_policies, "hook-succeeded")) ||
        (!outcome && has(hook.delete_policies, "hook-failed")))
        WEIR_TRY(remove(client, obj));
    return outcome;
}

} // namespace

status run_hooks(kube::client& client, std::vector<helm::release_hook>& hooks, std::string_view event,
                 const hook_options& options)
{
    std::vector<helm::release_hook*> selected;
    for (auto& h : hooks)
        if (has(h.events, event)) selected.push_back(&h);
    std::stable_sort(selected.begin(), selected.end(), [](const auto* a, const auto* b) {
        return a->weight != b->weight ? a->weight < b->weight : a->name < b->name;
    });
    for (auto* h : selected)
        if (auto s = run_one(client, *h, options); !s)
            return s.err().wrap(fmt::format("{} hook {} {}", event, h->kind, h->name));
    return ok();
}

} // namespace weir::helm_controller
