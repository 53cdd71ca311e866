#include "config_copy_controller.hpp"

#include <weir/core/duration.hpp>
#include <weir/kube/errors.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/predicates.hpp>

namespace weir::example {
using namespace weir::runtime;
constexpr std::string_view finalizer = "test.weir.dev/finalizer";

config_copy_controller::config_copy_controller(manager& mgr) : mgr_(mgr)
{
    ctl_ = &mgr.add_controller({.name = "configcopy", .kind = config_copy_kind,
                                .reconcile = [this](const request& r) { return reconcile(r); }});
    ctl_->cache().add_indexer("from", [](const value& o) {
        return std::vector<std::string>{std::string(kube::namespace_of(o)) + "/" + std::string(o.find("spec")->get_string("from"))};
    });
    ctl_->watches(configmap_kind, [this](const value& cm) {
        std::vector<request> out;
        for (auto& c : ctl_->cache().by_index("from", kube::object_key::of(cm).str())) out.push_back(request::of(*c));
        return out;
    });
}

result<action> config_copy_controller::reconcile(const request& req)
{
    ++reconciles;
    object_ptr obj = ctl_->cache().get(req.key());
    if (!obj) return action::await_change();
    const value& spec = *obj->find("spec");
    std::string to(spec.get_string("to"));
    if (is_being_deleted(*obj)) {
        if (auto s = mgr_.client().remove(configmap_kind, req.namespace_, to); !s && !kube::is_not_found(s.err())) return s.err();
        WEIR_TRY(remove_finalizer(mgr_.client(), *obj, finalizer));
        return action::await_change();
    }
    if (!has_finalizer(*obj, finalizer)) {
        WEIR_TRY(add_finalizer(mgr_.client(), *obj, finalizer));
        return action::await_change(); // the update comes back through the watch
    }
    if (fail_next > 0 && fail_next-- > 0) return transient_error("injected failure", "InjectedFailure");
    if (to.empty()) return terminal_error("configcopy " + req.key() + ": spec.to is required", "InvalidSpec");
    object_ptr src = mgr_.informer_for(configmap_kind).store().get(req.namespace_ + "/" + std::string(spec.get_string("from")));
    if (!src) return transient_error("configcopy " + req.key() + ": source configmap not found", "SourceNotFound");

    value copy = object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}};
    copy["metadata"] = object{{"name", to}, {"namespace", req.namespace_}};
    copy["metadata"]["labels"]["test.weir.dev/copy-of"] = req.name;
    if (const value* data = src->find("data")) copy["data"] = *data;
    WEIR_TRY(mgr_.client().apply(copy, {.field_manager = "configcopy", .force = true}));

    value updated = *obj;
    conditions::mark_ready(updated, "Succeeded", "copied " + std::string(kube::resource_version_of(*src)));
    conditions::set_observed_generation(updated);
    WEIR_TRY(patch_status(mgr_.client(), *obj, updated));
    if (auto interval = spec.get_string("interval"); !interval.empty()) {
        WEIR_TRY_ASSIGN(auto d, parse_duration(interval));
        return action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(d));
    }
    return action::await_change();
}

} // namespace weir::example
