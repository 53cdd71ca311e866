// The runtime::event_forwarder that streams a controller's events to the notification-controller
// over gRPC (api/proto/events.proto). Wiring, in a controller's main():
//
//   if (!opts->events_addr.empty())
//       (*mgr)->events().add_forwarder(eventsink::make_forwarder({.address = opts->events_addr}));
//
// forward() never blocks the reconciler: it copies the event into a bounded buffer and returns.
// A background thread keeps one Publish stream open, writes the buffer to it, and when the
// notification-controller is away reconnects with exponential backoff. When the buffer is full the
// oldest event is dropped (newer events describe the current state better) and counted.
// When the address answers in HTTP/1.1 only (Flux's notification-controller), the forwarder
// switches to Flux's protocol and POSTs each event's JSON to "/".
#pragma once

#include <weir/runtime/events.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace weir::eventsink {

struct forwarder_options {
    // Flux's form "http://notification-controller.flux-system.svc.cluster.local./", or host:port.
    std::string address;
    std::string instance;           // reportingInstance; the hostname when empty
    std::size_t buffer_size = 4096; // events held while the receiver is unreachable
    std::chrono::milliseconds min_backoff{200};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
};

struct forwarder_stats {
    std::uint64_t sent = 0;
    std::uint64_t dropped = 0;
    std::uint64_t reconnects = 0;
};

class grpc_forwarder : public runtime::event_forwarder {
public:
    explicit grpc_forwarder(forwarder_options options);
    ~grpc_forwarder() override;
    grpc_forwarder(const grpc_forwarder&) = delete;
    grpc_forwarder& operator=(const grpc_forwarder&) = delete;

    void forward(const runtime::event& ev) override;
    // Waits until the buffer is empty and the stream has taken every event, or the deadline
    // passes; true when everything was written (for tests and graceful shutdown).
    bool flush(std::chrono::milliseconds deadline);
    forwarder_stats stats() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

std::shared_ptr<grpc_forwarder> make_forwarder(forwarder_options options);

// "http://host:port/path" -> "host:port" (port 80/443 from the scheme when absent); host:port
// unchanged. Terminal error on an empty host.
result<std::string> grpc_target(std::string_view address);

} // namespace weir::eventsink
