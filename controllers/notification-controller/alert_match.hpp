// Which Alerts an event concerns, and the event each of them sends (Flux's rules):
// - eventSources: same kind, name equal or "*", namespace equal (the Alert's when unset), and for
//   "*" with matchLabels, the object's labels must contain them all;
// - eventSeverity "error" takes only errors, "info" takes everything;
// - inclusionList (any must match when given) and exclusionList (none may match), RE2 syntax as Go's
//   regexp, matched anywhere in the message;
// - spec.eventMetadata and spec.summary are added to the metadata without overriding the
//   controller's keys.
#pragma once

#include <weir/api/notification.hpp>
#include <weir/eventsink/event.hpp>

#include <functional>
#include <optional>

namespace weir::notification {

// Looks up an involved object's metadata.labels (null when it has none or cannot be read).
using labels_lookup = std::function<value(const eventsink::flux_event&)>;

bool source_matches(const api::notification::object_selector& source, std::string_view alert_namespace,
                    const eventsink::flux_event& ev, const labels_lookup& labels);
// Severity and inclusion/exclusion; a bad regular expression is an error.
result<bool> passes_filters(const api::notification::alert_spec& alert, const eventsink::flux_event& ev);
// The event's metadata as this alert sends it: object annotations (event.toolkit.fluxcd.io/ keys,
// prefix stripped) < spec.eventMetadata < spec.summary < the controller's keys.
eventsink::flux_event with_alert_metadata(const api::notification::alert_spec& alert,
                                          const eventsink::flux_event& ev);
// The event to send for this alert, or nullopt when the alert does not take it.
result<std::optional<eventsink::flux_event>> event_for_alert(const api::notification::alert_spec& alert,
                                                             std::string_view alert_namespace,
                                                             const eventsink::flux_event& ev,
                                                             const labels_lookup& labels);

} // namespace weir::notification
