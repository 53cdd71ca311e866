// Conversions between flux_event and the generated message of api/proto/events.proto. The
// generated headers stay out of this one; include "events.pb.h" where the message is built.
#pragma once

#include <weir/eventsink/event.hpp>

namespace weir::events::v1 {
class Event;
}

namespace weir::eventsink {

void to_proto(const flux_event& ev, events::v1::Event& out);
flux_event from_proto(const events::v1::Event& in);

} // namespace weir::eventsink
