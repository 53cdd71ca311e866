// Flux's event (fluxcd/pkg apis/event v1beta1) as weir passes it between controllers: the form the
// notification-controller reads from its gRPC stream and from JSON POSTs, and the form controllers
// send.
//
//   WEIR_TRY_ASSIGN(auto ev, flux_event::from_json(body));      // {"involvedObject":{...},...}
//   std::string text = ev.to_json();
//   flux_event ev = flux_event::from(runtime_event, "kustomize-controller", hostname);
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <map>
#include <string>
#include <string_view>

namespace weir::runtime {
struct event;
}

namespace weir::eventsink {

// Metadata keys with this prefix come from the involved object's annotations (Flux's RFC-0008);
// the notification-controller keeps them and strips the prefix before providers see them.
inline constexpr std::string_view event_group_prefix = "event.toolkit.fluxcd.io/";

struct object_reference {
    std::string kind;
    std::string namespace_;
    std::string name;
    std::string uid;
    std::string api_version;
    std::string resource_version;
};

struct flux_event {
    object_reference involved_object;
    std::string severity = "info"; // info | error | trace
    std::string timestamp;         // RFC 3339
    std::string message;
    std::string reason;
    std::map<std::string, std::string> metadata;
    std::string reporting_controller;
    std::string reporting_instance;

    // Parses Flux's JSON; an event without involvedObject kind/name or a message is a terminal
    // error (the server answers 400).
    static result<flux_event> from_json(std::string_view text);
    static result<flux_event> from_value(const value& v);
    // Warning -> "error", Normal -> "info", as Flux's recorder maps Kubernetes event types.
    static flux_event from(const runtime::event& ev, std::string_view instance);
    value to_value() const;
    std::string to_json() const;
    // The API group of the involved object ("kustomize.toolkit.fluxcd.io"), "" for the core group.
    std::string group() const;
    // metadata["<group>/<key>"], or "" when absent.
    std::string meta(std::string_view key) const;
};

} // namespace weir::eventsink
