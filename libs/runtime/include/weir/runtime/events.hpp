// Kubernetes Events for the objects a controller reconciles, deduplicated the way kubectl shows
// them ("x4 over 10m"): a repeat of the same type/reason/message for the same object bumps
// `count` and `lastTimestamp` of the existing Event instead of creating a new one. Every event is
// also handed to the registered forwarders (the notification-controller transport plugs in here).
//
//   recorder.event(obj, event_type::normal, "ReconciliationSucceeded", "applied revision main@sha1:abc",
//                  {{"kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"}});
//
// Best effort: failures are logged, never returned. Blocking; call from worker threads.
#pragma once

#include <weir/core/log.hpp>
#include <weir/kube/client.hpp>
#include <weir/kube/time.hpp>

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace weir::runtime {

enum class event_type { normal, warning };

// Annotations of the involved object with this prefix are copied into every event's metadata
// (Flux's RFC-0008: `event.toolkit.fluxcd.io/deploymentID: abc` reaches the alerts as
// `deploymentID: abc`).
inline constexpr std::string_view event_annotation_prefix = "event.toolkit.fluxcd.io/";

struct event {
    weir::value involved_object; // {apiVersion, kind, namespace, name, uid, resourceVersion}
    event_type type = event_type::normal;
    std::string reason;
    std::string message;
    std::map<std::string, std::string> metadata; // Flux puts revision and token here
    std::string reporting_controller;
    kube::sys_time timestamp;
};

// Receives every recorded event (after the Kubernetes Event is written or deduplicated).
class event_forwarder {
public:
    virtual ~event_forwarder() = default;
    virtual void forward(const event& ev) = 0;
};

struct event_recorder_options {
    std::string component = "weir";            // source.component / reportingComponent
    std::string instance;                      // reportingInstance (pod name); hostname when empty
    std::chrono::minutes dedup_window{10};     // after this, a repeat is a new Event
    std::size_t max_tracked = 4096;            // bound on the dedup cache
    bool write_kubernetes_events = true;
};

class event_recorder {
public:
    event_recorder(std::shared_ptr<kube::client> client, event_recorder_options options = {});

    void add_forwarder(std::shared_ptr<event_forwarder> forwarder);
    void event(const weir::value& obj, event_type type, std::string_view reason, std::string_view message,
               std::map<std::string, std::string> metadata = {});
    void normal(const weir::value& obj, std::string_view reason, std::string_view message)
    {
        event(obj, event_type::normal, reason, message);
    }
    void warning(const weir::value& obj, std::string_view reason, std::string_view message)
    {
        event(obj, event_type::warning, reason, message);
    }

private:
    struct seen {
        std::string namespace_, name;
        std::int64_t count = 0;
        std::chrono::steady_clock::time_point last;
        std::list<std::string>::iterator lru;
    };
    void write(const struct event& ev);

    std::shared_ptr<kube::client> client_;
    event_recorder_options options_;
    logger log_{"events"};
    std::mutex mutex_;
    std::vector<std::shared_ptr<event_forwarder>> forwarders_;
    std::unordered_map<std::string, seen> seen_;
    std::list<std::string> lru_;
};

} // namespace weir::runtime
