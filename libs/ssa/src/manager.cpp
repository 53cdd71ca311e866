#include <weir/core/json.hpp>
#include <weir/kube/client.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/ssa/kstatus.hpp>
#include <weir/ssa/manager.hpp>

#include <fmt/format.h>

#include <thread>

namespace weir::ssa {
namespace {

kube::gvk gvk_of(const object_ref& r)
{
    return kube::gvk{r.group, r.version, r.kind};
}

// The object without the fields the server changes on every write, for "did anything change?".
value comparable(value obj)
{
    if (value* md = obj.find("metadata"); md && md->is_object()) {
        auto& m = md->as_object();
        m.erase("managedFields");
        m.erase("resourceVersion");
        m.erase("generation");
    }
    return obj;
}

bool immutable_field_error(const error& e)
{
    return kube::is_invalid(e) && (e.message.find("immutable") != std::string::npos ||
                                   e.message.find("may not change once set") != std::string::npos);
}

bool has_labels(const value& obj, const std::map<std::string, std::string>& labels)
{
    const value* l = obj.find_path({"metadata", "labels"});
    for (const auto& [k, v] : labels) {
        const value* have = l ? l->find(k) : nullptr;
        if (!have || !have->is_string() || have->as_string() != v) return false;
    }
    return true;
}

} // namespace

const char* action_name(action a)
{
    switch (a) {
    case action::created:
        return "created";
    case action::configured:
        return "configured";
    case action::unchanged:
        return "unchanged";
    case action::deleted:
        return "deleted";
    case action::skipped:
        return "skipped";
    }
    return "unchanged";
}

std::string change_set::str() const
{
    std::string out;
    for (const auto& c : entries)
        if (c.act != action::unchanged && c.act != action::skipped)
            out += fmt::format("{}{} {}", out.empty() ? "" : "\n", c.subject.str(), action_name(c.act));
    return out;
}

bool change_set::changed() const
{
    for (const auto& c : entries)
        if (c.act != action::unchanged && c.act != action::skipped) return true;
    return false;
}

void change_set::append(const change_set& other)
{
    entries.insert(entries.end(), other.entries.begin(), other.entries.end());
}

int apply_stage(std::string_view kind)
{
    if (kind == "CustomResourceDefinition" || kind == "Namespace" || kind == "ClusterRole") return 0;
    if (kind.size() > 5 && kind.substr(kind.size() - 5) == "Class") return 1;
    return 2;
}

resource_manager::resource_manager(std::shared_ptr<kube::client> client, manager_options options)
    : client_(std::move(client)), options_(std::move(options))
{
}

std::string resource_manager::annotation(const value& obj, std::string_view key) const
{
    std::string full = options_.owner_group + "/" + std::string(key);
    for (auto where : {"annotations", "labels"})
        if (const value* a = obj.find_path({"metadata", where}))
            if (auto v = a->get_string(full); !v.empty()) return std::string(v);
    return {};
}

result<change> resource_manager::apply_one(const value& obj, const apply_options& options)
{
    object_ref ref = object_ref::of(obj);
    std::string ssa_mode = annotation(obj, "ssa");
    if (ssa_mode == "Ignore" || annotation(obj, "reconcile") == "disabled")
        return change{ref, action::skipped};
    if (ref.namespace_.empty()) {
        auto mapping = client_->mapper().mapping_for(gvk_of(ref));
        if (mapping && mapping->namespaced)
            return terminal_error(
                fmt::format("{} namespace not specified: set metadata.namespace in the manifest "
                            "or spec.targetNamespace",
                            ref.str()),
                "ReconciliationFailed");
    }
    std::string key = options.cache_scope + "|" + ref.str();
    std::optional<apply_cache::entry> remembered;
    if (options.cache) remembered = options.cache->get(key);

    kube::apply_options dry{.field_manager = options.field_manager, .force = true, .dry_run = true};
    auto planned = client_->apply(obj, dry);
    if (!planned && immutable_field_error(planned.err()) &&
        (options.force || annotation(obj, "force") == "Enabled")) {
        WEIR_TRY(recreate(obj, ref));
        if (options.cache) options.cache->erase(key);
        remembered.reset();
        planned = client_->apply(obj, dry);
    }
    if (!planned) return planned.err().wrap(fmt::format("{} dry-run failed", ref.str()));
    // Only a stored object has a resourceVersion: a dry-run of a create comes back without one.
    const value* live_rv = planned->find_path({"metadata", "resourceVersion"});
    bool exists = live_rv && live_rv->is_string() && !live_rv->as_string().empty();
    if (exists && ssa_mode == "IfNotPresent") return change{ref, action::skipped};
    if (exists && remembered && live_rv->as_string() == remembered->resource_version &&
        content_hash(*planned) == remembered->content_hash)
        return change{ref, action::unchanged}; // untouched since our apply, and Git wants the same
    // Otherwise the live object tells "unchanged" from "configured" (or drift from another writer).
    result<value> existing = error{};
    if (exists) {
        existing = client_->get(gvk_of(ref), ref.namespace_, ref.name);
        if (!existing && !kube::is_not_found(existing.err())) return existing.err().wrap(ref.str());
    }
    auto remember = [&](const value& live) {
        const value* rv = live.find_path({"metadata", "resourceVersion"});
        if (options.cache && rv && rv->is_string())
            options.cache->put(key, {rv->as_string(), content_hash(live)});
    };
    if (existing && comparable(*existing) == comparable(*planned)) {
        remember(*existing);
        return change{ref, action::unchanged};
    }

    auto applied = client_->apply(obj, {.field_manager = options.field_manager, .force = true});
    if (!applied) return applied.err().wrap(fmt::format("{} apply failed", ref.str()));
    remember(*applied);
    return change{ref, existing ? action::configured : action::created};
}

result<bool> resource_manager::recreate(const value& obj, const object_ref& ref)
{
    (void)obj;
    WEIR_TRY(client_->remove(gvk_of(ref), ref.namespace_, ref.name, {.propagation_policy = "Foreground"}));
    // Wait for the old object to be gone before creating the new one.
    for (int i = 0; i < 300; ++i) {
        auto still = client_->get(gvk_of(ref), ref.namespace_, ref.name);
        if (!still && kube::is_not_found(still.err())) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return transient_error(fmt::format("{} was deleted to be recreated but is still terminating", ref.str()));
}

result<change_set> resource_manager::apply_all(const std::vector<value>& objects,
                                               const apply_options& options)
{
    change_set all;
    for (int stage = 0; stage < 3; ++stage) {
        std::vector<object_ref> applied;
        for (const auto& obj : objects) {
            if (apply_stage(obj.get_string("kind")) != stage) continue;
            WEIR_TRY_ASSIGN(auto c, apply_one(obj, options));
            if (c.act != action::skipped) applied.push_back(c.subject);
            all.entries.push_back(std::move(c));
        }
        // Later stages may depend on these kinds being served (CRDs) or existing (Namespaces).
        if (stage < 2 && !applied.empty())
            WEIR_TRY(wait_for(applied, {.timeout = options.stage_timeout,
                                        .poll_interval = std::chrono::milliseconds(200)}));
    }
    return all;
}

result<change_set> resource_manager::delete_all(const std::vector<object_ref>& refs,
                                                const prune_options& options)
{
    change_set out;
    for (const auto& ref : refs) {
        auto obj = client_->get(gvk_of(ref), ref.namespace_, ref.name);
        if (!obj) {
            if (kube::is_not_found(obj.err())) continue;
            return obj.err().wrap(fmt::format("{} prune failed", ref.str()));
        }
        bool opted_out = annotation(*obj, "prune") == "Disabled" ||
                         annotation(*obj, "reconcile") == "disabled" || annotation(*obj, "ssa") == "Ignore";
        if (opted_out || !has_labels(*obj, options.owner_labels)) {
            out.entries.push_back({ref, action::skipped});
            continue;
        }
        if (options.cache) options.cache->erase(options.cache_scope + "|" + ref.str());
        auto r = client_->remove(gvk_of(ref), ref.namespace_, ref.name,
                                 {.propagation_policy = options.propagation_policy});
        if (!r && !kube::is_not_found(r.err()))
            return r.err().wrap(fmt::format("{} prune failed", ref.str()));
        out.entries.push_back({ref, action::deleted});
    }
    return out;
}

status resource_manager::wait_for(const std::vector<object_ref>& refs, const wait_options& options)
{
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
        std::vector<std::string> pending;
        for (const auto& ref : refs) {
            auto obj = client_->get(gvk_of(ref), ref.namespace_, ref.name);
            health_result h;
            if (!obj) {
                if (!kube::is_not_found(obj.err()))
                    return obj.err().wrap(fmt::format("{} health check", ref.str()));
                h = {health::not_found, "not found"};
            } else if (auto custom = options.health_of ? options.health_of(*obj) : std::nullopt) {
                h = std::move(*custom);
            } else {
                h = compute_health(*obj);
            }
            if (h.status == health::failed)
                return transient_error(fmt::format("{} status: 'Failed': {}", ref.str(), h.message),
                                       "HealthCheckFailed");
            if (h.status != health::current)
                pending.push_back(fmt::format("{} status: '{}'", ref.str(), health_name(h.status)));
        }
        if (pending.empty()) return ok();
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string list;
            for (const auto& p : pending)
                list += (list.empty() ? "" : ", ") + p;
            return transient_error(fmt::format("timeout waiting for: [{}]", list), "HealthCheckFailed");
        }
        if (options.cancelled && options.cancelled())
            return transient_error("health check canceled: a new revision is available",
                                   "HealthCheckCanceled");
        std::this_thread::sleep_for(options.poll_interval);
    }
}

} // namespace weir::ssa
