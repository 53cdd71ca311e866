#include <weir/runtime/events.hpp>

#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/time.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace weir::runtime {
namespace {
const kube::gvk event_kind{"", "v1", "Event"};

std::string hostname()
{
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}
} // namespace

event_recorder::event_recorder(std::shared_ptr<kube::client> client, event_recorder_options options)
    : client_(std::move(client)), options_(std::move(options))
{
    if (options_.instance.empty()) options_.instance = hostname();
}

void event_recorder::add_forwarder(std::shared_ptr<event_forwarder> forwarder)
{
    std::lock_guard lock(mutex_);
    forwarders_.push_back(std::move(forwarder));
}

void event_recorder::event(const weir::value& obj, event_type type, std::string_view reason, std::string_view message,
                           std::map<std::string, std::string> metadata)
{
    struct event ev;
    ev.involved_object = weir::object{{"apiVersion", obj.get_string("apiVersion")},
                                      {"kind", obj.get_string("kind")},
                                      {"namespace", kube::namespace_of(obj)},
                                      {"name", kube::name_of(obj)},
                                      {"uid", kube::uid_of(obj)},
                                      {"resourceVersion", kube::resource_version_of(obj)}};
    ev.type = type;
    ev.reason = std::string(reason);
    ev.message = std::string(message);
    ev.metadata = std::move(metadata);
    // Flux (RFC-0008): the object's event.toolkit.fluxcd.io/<key> annotations travel with every
    // event about it; the notification-controller strips the prefix before providers see them.
    if (const weir::value* ann = obj.find_path({"metadata", "annotations"}); ann && ann->is_object())
        for (const auto& [k, v] : ann->as_object())
            if (k.starts_with(event_annotation_prefix) && v.is_string()) ev.metadata[k] = v.as_string();
    ev.reporting_controller = options_.component;
    ev.timestamp = std::chrono::system_clock::now();
    if (options_.write_kubernetes_events && client_) write(ev);
    std::vector<std::shared_ptr<event_forwarder>> fwd;
    {
        std::lock_guard lock(mutex_);
        fwd = forwarders_;
    }
    for (auto& f : fwd) f->forward(ev);
}

void event_recorder::write(const struct event& ev)
{
    const weir::value& io = ev.involved_object;
    std::string type = ev.type == event_type::normal ? "Normal" : "Warning";
    std::string key = fmt::format("{}/{}/{}/{}\x1f{}\x1f{}\x1f{}", io.get_string("kind"), io.get_string("namespace"),
                                  io.get_string("name"), io.get_string("uid"), type, ev.reason, ev.message);
    std::string ns(io.get_string("namespace"));
    if (ns.empty()) ns = "default";
    std::string now = kube::format_time(ev.timestamp);
    auto steady_now = std::chrono::steady_clock::now();

    std::unique_lock lock(mutex_);
    auto it = seen_.find(key);
    if (it != seen_.end() && steady_now - it->second.last < options_.dedup_window) {
        seen& s = it->second;
        s.count += 1;
        s.last = steady_now;
        lru_.splice(lru_.begin(), lru_, s.lru);
        std::string name = s.name;
        long long count = s.count;
        lock.unlock();
        weir::value patch = weir::object{{"count", count}, {"lastTimestamp", now}};
        auto r = client_->patch(event_kind, ns, name, kube::patch_type::merge, to_json(patch));
        if (r) return;
        if (!kube::is_not_found(r.err())) {
            log_.warn("cannot update event", {{"error", r.err().message}});
            return;
        }
        lock.lock(); // the Event expired on the server: write a fresh one
        it = seen_.find(key);
    }
    if (it != seen_.end()) {
        lru_.erase(it->second.lru);
        seen_.erase(it);
    }
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(ev.timestamp.time_since_epoch()).count();
    std::string name = fmt::format("{}.{:x}", io.get_string("name"), nanos);
    lru_.push_front(key);
    seen_[key] = seen{ns, name, 1, steady_now, lru_.begin()};
    while (seen_.size() > options_.max_tracked) {
        seen_.erase(lru_.back());
        lru_.pop_back();
    }
    lock.unlock();

    weir::value obj = weir::object{{"apiVersion", "v1"}, {"kind", "Event"}};
    obj["metadata"] = weir::object{{"name", name}, {"namespace", ns}};
    if (!ev.metadata.empty()) {
        weir::object ann;
        for (const auto& [k, v] : ev.metadata) ann.push_back(k, v);
        obj["metadata"]["annotations"] = std::move(ann);
    }
    obj["involvedObject"] = io;
    obj["reason"] = ev.reason;
    obj["message"] = ev.message;
    obj["type"] = type;
    obj["source"] = weir::object{{"component", options_.component}, {"host", options_.instance}};
    obj["firstTimestamp"] = now;
    obj["lastTimestamp"] = now;
    obj["count"] = 1;
    obj["reportingComponent"] = options_.component;
    obj["reportingInstance"] = options_.instance;
    if (auto r = client_->create(obj); !r) log_.warn("cannot record event", {{"error", r.err().message}});
}

} // namespace weir::runtime
