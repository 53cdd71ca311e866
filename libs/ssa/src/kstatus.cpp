#include <weir/ssa/kstatus.hpp>

#include <fmt/format.h>

namespace weir::ssa {
namespace {

std::int64_t int_at(const value& obj, std::initializer_list<std::string_view> path, std::int64_t fallback = 0)
{
    const value* v = obj.find_path(path);
    return v && v->is_int() ? v->as_int() : fallback;
}

const value* condition(const value& obj, std::string_view type)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return nullptr;
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == type) return &c;
    return nullptr;
}

bool condition_is(const value& obj, std::string_view type, std::string_view status)
{
    const value* c = condition(obj, type);
    return c && c->get_string("status") == status;
}

health_result current(std::string msg = "Resource is current") { return {health::current, std::move(msg)}; }
health_result in_progress(std::string msg) { return {health::in_progress, std::move(msg)}; }
health_result failed(std::string msg) { return {health::failed, std::move(msg)}; }

health_result deployment(const value& d)
{
    std::int64_t want = int_at(d, {"spec", "replicas"}, 1);
    if (const value* p = condition(d, "Progressing"); p && p->get_string("reason") == "ProgressDeadlineExceeded")
        return failed(fmt::format("Progress deadline exceeded"));
    std::int64_t updated = int_at(d, {"status", "updatedReplicas"});
    std::int64_t replicas = int_at(d, {"status", "replicas"});
    std::int64_t ready = int_at(d, {"status", "readyReplicas"});
    std::int64_t available = int_at(d, {"status", "availableReplicas"});
    if (updated < want) return in_progress(fmt::format("Updated: {}/{}", updated, want));
    if (replicas > updated) return in_progress(fmt::format("Pending termination: {}", replicas - updated));
    if (available < want) return in_progress(fmt::format("Available: {}/{}", available, want));
    if (ready < want) return in_progress(fmt::format("Ready: {}/{}", ready, want));
    if (want > 0 && !condition_is(d, "Available", "True")) return in_progress("Deployment not Available");
    return current(fmt::format("Deployment is available. Replicas: {}", want));
}

health_result stateful_set(const value& s)
{
    std::int64_t want = int_at(s, {"spec", "replicas"}, 1);
    std::int64_t ready = int_at(s, {"status", "readyReplicas"});
    std::int64_t cur = int_at(s, {"status", "currentReplicas"});
    std::int64_t updated = int_at(s, {"status", "updatedReplicas"});
    const value* strategy = s.find_path({"spec", "updateStrategy", "type"});
    if (strategy && strategy->is_string() && strategy->as_string() == "OnDelete")
        return ready >= want ? current() : in_progress(fmt::format("Ready: {}/{}", ready, want));
    std::int64_t partition = int_at(s, {"spec", "updateStrategy", "rollingUpdate", "partition"});
    if (ready < want) return in_progress(fmt::format("Ready: {}/{}", ready, want));
    if (partition > 0) {
        return updated >= want - partition ? current(fmt::format("Partitioned roll out complete: {}/{}", updated, want - partition))
                                           : in_progress(fmt::format("Partitioned roll out: {}/{}", updated, want - partition));
    }
    if (cur < want) return in_progress(fmt::format("Current: {}/{}", cur, want));
    if (s.find_path({"status", "currentRevision"}) && s.find_path({"status", "updateRevision"}) &&
        !(*s.find_path({"status", "currentRevision"}) == *s.find_path({"status", "updateRevision"})))
        return in_progress("Waiting for the update revision to roll out");
    return current(fmt::format("All replicas scheduled as expected. Replicas: {}", want));
}

health_result daemon_set(const value& d)
{
    std::int64_t desired = int_at(d, {"status", "desiredNumberScheduled"}, -1);
    if (desired < 0) return in_progress("Missing .status.desiredNumberScheduled");
    std::int64_t updated = int_at(d, {"status", "updatedNumberScheduled"});
    std::int64_t available = int_at(d, {"status", "numberAvailable"});
    std::int64_t ready = int_at(d, {"status", "numberReady"});
    if (updated < desired) return in_progress(fmt::format("Updated: {}/{}", updated, desired));
    if (available < desired) return in_progress(fmt::format("Available: {}/{}", available, desired));
    if (ready < desired) return in_progress(fmt::format("Ready: {}/{}", ready, desired));
    return current(fmt::format("All replicas scheduled as expected. Replicas: {}", desired));
}

health_result job(const value& j)
{
    if (condition_is(j, "Failed", "True")) return failed("Job failed");
    if (condition_is(j, "Complete", "True")) return current("Job completed");
    const value* suspend = j.find_path({"spec", "suspend"});
    if (suspend && suspend->is_bool() && suspend->as_bool()) return current("Job is suspended");
    return in_progress("Job in progress");
}

health_result pod(const value& p)
{
    std::string_view phase = p.find("status") ? p.find("status")->get_string("phase") : "";
    if (phase == "Succeeded") return current("Pod has completed successfully");
    if (phase == "Failed") return failed("Pod has failed");
    if (phase == "Running" && condition_is(p, "Ready", "True")) return current("Pod is Ready");
    if (const value* cs = p.find_path({"status", "containerStatuses"}); cs && cs->is_array())
        for (const auto& c : cs->as_array())
            if (const value* w = c.find_path({"state", "waiting", "reason"}); w && w->is_string() && w->as_string() == "CrashLoopBackOff")
                return failed(fmt::format("Pod container {} is in CrashLoopBackOff", c.get_string("name")));
    return in_progress(fmt::format("Pod phase {}", phase.empty() ? "unknown" : phase));
}

health_result generic(const value& obj)
{
    if (condition_is(obj, "Stalled", "True")) return failed(std::string(condition(obj, "Stalled")->get_string("message")));
    if (condition_is(obj, "Reconciling", "True"))
        return in_progress(std::string(condition(obj, "Reconciling")->get_string("message")));
    if (const value* ready = condition(obj, "Ready")) {
        std::string msg(ready->get_string("message"));
        if (ready->get_string("status") == "True") return current(msg.empty() ? "Resource is Ready" : msg);
        return in_progress(msg.empty() ? "Resource is not Ready" : msg);
    }
    return current();
}

} // namespace

const char* health_name(health h)
{
    switch (h) {
    case health::current: return "Current";
    case health::in_progress: return "InProgress";
    case health::failed: return "Failed";
    case health::terminating: return "Terminating";
    case health::not_found: return "NotFound";
    case health::unknown: return "Unknown";
    }
    return "Unknown";
}

health_result compute_health(const value& obj)
{
    if (obj.find_path({"metadata", "deletionTimestamp"})) return {health::terminating, "Resource scheduled for deletion"};
    std::int64_t generation = int_at(obj, {"metadata", "generation"}, 0);
    const value* observed = obj.find_path({"status", "observedGeneration"});
    if (generation > 0 && observed && observed->is_int() && observed->as_int() != generation)
        return in_progress(fmt::format("Generation {} not yet observed (observed {})", generation, observed->as_int()));
    std::string_view kind = obj.get_string("kind");
    std::string_view api = obj.get_string("apiVersion");
    bool apps = api == "apps/v1";
    if (apps && kind == "Deployment") return deployment(obj);
    if (apps && kind == "StatefulSet") return stateful_set(obj);
    if (apps && kind == "DaemonSet") return daemon_set(obj);
    if (kind == "Job" && api == "batch/v1") return job(obj);
    if (kind == "Pod" && api == "v1") return pod(obj);
    if (kind == "PersistentVolumeClaim" && api == "v1") {
        std::string_view phase = obj.find("status") ? obj.find("status")->get_string("phase") : "";
        return phase == "Bound" ? current("PVC is Bound") : in_progress("PVC is not Bound");
    }
    if (kind == "Service" && api == "v1") {
        const value* type = obj.find_path({"spec", "type"});
        if (type && type->is_string() && type->as_string() == "LoadBalancer") {
            const value* ing = obj.find_path({"status", "loadBalancer", "ingress"});
            if (!ing || !ing->is_array() || ing->as_array().empty()) return in_progress("LoadBalancer has no ingress yet");
        }
        return current("Service is ready");
    }
    if (kind == "CustomResourceDefinition") {
        return condition_is(obj, "Established", "True") ? current("CRD is established") : in_progress("CRD is not established");
    }
    return generic(obj);
}

} // namespace weir::ssa
