#include <weir/runtime/controller.hpp>

#include <weir/kube/errors.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/predicates.hpp>

namespace weir::runtime {

request request::of(const weir::value& obj) { return {std::string(kube::namespace_of(obj)), std::string(kube::name_of(obj))}; }

request request::from_key(std::string_view key)
{
    auto k = kube::object_key::parse(key);
    return {std::move(k.namespace_), std::move(k.name)};
}

controller::controller(manager& mgr, controller_spec spec)
    : mgr_(mgr), spec_(std::move(spec)), primary_(mgr.informer_for(spec_.kind, true)),
      queue_({.name = spec_.name,
              .backoff = {.min_delay = mgr.options().min_retry_delay, .max_delay = mgr.options().max_retry_delay}}),
      log_("controller." + spec_.name)
{
    if (!spec_.predicate) spec_.predicate = spec_or_metadata_changed;
    registry& reg = mgr.metrics();
    duration_ = &reg.histogram("gotk_reconcile_duration_seconds", "The duration in seconds of a GitOps Toolkit resource reconciliation.",
                               {"kind", "name", "namespace"}, default_duration_buckets());
    condition_ = &reg.gauge("gotk_reconcile_condition", "The current condition status of a GitOps Toolkit resource reconciliation.",
                            {"kind", "name", "namespace", "type", "status"});
    total_ = &reg.counter("controller_runtime_reconcile_total", "Total number of reconciliations per controller",
                          {"controller", "result"});
    primary_.add_handler({
        .on_add = [this](const object_ptr& o) { queue_.add(request::of(*o).key()); },
        .on_update =
            [this](const object_ptr& old_obj, const object_ptr& new_obj) {
                if (spec_.predicate(*old_obj, *new_obj)) queue_.add(request::of(*new_obj).key());
                else record_ready_metric(new_obj.get(), request::of(*new_obj));
            },
        .on_delete = [this](const object_ptr& o) { queue_.add(request::of(*o).key()); },
    });
}

controller::~controller()
{
    shutdown();
    for (auto& t : workers_)
        if (t.joinable()) t.join();
}

object_store& controller::cache() { return primary_.store(); }

void controller::watches(const kube::gvk& kind, map_fn map)
{
    auto enqueue_all = [this, map](const object_ptr& o) {
        for (const auto& r : map(*o)) queue_.add(r.key());
    };
    mgr_.informer_for(kind, false).add_handler({
        .on_add = enqueue_all,
        .on_update = [enqueue_all](const object_ptr&, const object_ptr& now) { enqueue_all(now); },
        .on_delete = enqueue_all,
    });
}

void controller::owns(const kube::gvk& kind)
{
    kube::gvk primary = spec_.kind;
    watches(kind, [primary](const weir::value& obj) {
        std::vector<request> out;
        const weir::value* refs = obj.find_path({"metadata", "ownerReferences"});
        if (!refs || !refs->is_array()) return out;
        for (const auto& ref : refs->as_array()) {
            kube::gvk owner = kube::gvk::from_api_version(ref.get_string("apiVersion"), ref.get_string("kind"));
            if (owner.group == primary.group && owner.kind == primary.kind)
                out.push_back({std::string(kube::namespace_of(obj)), std::string(ref.get_string("name"))});
        }
        return out;
    });
}

void controller::start(int workers)
{
    int n = spec_.concurrent > 0 ? spec_.concurrent : workers;
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker(); });
}

void controller::shutdown() { queue_.shutdown(); }

bool controller::wait_idle(std::chrono::milliseconds deadline)
{
    std::unique_lock lock(idle_mutex_);
    return idle_cv_.wait_for(lock, deadline, [&] { return active_workers_ == 0; });
}

void controller::worker()
{
    while (auto key = queue_.get()) {
        ++active_workers_;
        handle(*key);
        queue_.done(*key);
        std::lock_guard lock(idle_mutex_);
        --active_workers_;
        idle_cv_.notify_all();
    }
}

void controller::record_ready_metric(const weir::value* obj, const request& req)
{
    if (!obj) {
        for (const char* s : {"True", "False", "Unknown"}) condition_->remove({spec_.kind.kind, req.name, req.namespace_, "Ready", s});
        return;
    }
    auto ready = conditions::get(*obj, conditions::ready);
    if (!ready) return;
    for (const char* s : {"True", "False", "Unknown"})
        condition_->with({spec_.kind.kind, req.name, req.namespace_, "Ready", s}).set(ready->status == s ? 1 : 0);
}

void controller::handle(const std::string& key)
{
    request req = request::from_key(key);
    object_ptr obj = primary_.store().get(key);
    if (obj && spec_.skip_suspended && is_suspended(*obj) && !is_being_deleted(*obj)) {
        log_.debug("reconciliation is suspended", {{"object", key}});
        queue_.forget(key);
        return;
    }
    auto start = std::chrono::steady_clock::now();
    ++reconciles_;
    result<action> r = terminal_error("reconciler threw an exception", "Bug");
    try {
        r = spec_.reconcile(req);
    } catch (const std::exception& e) { // a bug in the reconciler must not kill the worker
        r = terminal_error(std::string("reconciler threw: ") + e.what(), "Bug");
    }
    duration_->with({spec_.kind.kind, req.name, req.namespace_})
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (r) {
        queue_.forget(key);
        if (r->requeue_after) {
            queue_.add_after(key, *r->requeue_after);
            total_->with({spec_.name, "requeue_after"}).inc();
        } else {
            total_->with({spec_.name, "success"}).inc();
        }
    } else {
        total_->with({spec_.name, "error"}).inc();
        on_error(req, r.err());
    }
    record_ready_metric(primary_.store().get(key).get(), req);
}

void controller::on_error(const request& req, const weir::error& e)
{
    std::string key = req.key();
    if (!e.terminal()) {
        queue_.add_rate_limited(key);
        log_.error("reconciliation failed", {{"object", key}, {"error", e.message}, {"retries", queue_.retries(key)}});
        return;
    }
    queue_.forget(key); // no retry until the object changes
    log_.error("reconciliation stalled", {{"object", key}, {"error", e.message}});
    object_ptr obj = primary_.store().get(key);
    if (!obj || !spec_.stall_on_terminal_error) return;
    mgr_.events().warning(*obj, e.reason.empty() ? "ReconciliationFailed" : e.reason, e.message);
    if (!obj->find("spec")) return; // kinds without spec/status (ConfigMap) have no conditions
    weir::value updated = *obj;
    conditions::mark_stalled(updated, e.reason.empty() ? "ReconciliationFailed" : e.reason, e.message);
    conditions::set_observed_generation(updated);
    if (auto s = patch_status(mgr_.client(), *obj, updated, {.field_manager = mgr_.options().name}); !s)
        log_.warn("cannot write Stalled condition", {{"object", key}, {"error", s.err().message}});
}

} // namespace weir::runtime
