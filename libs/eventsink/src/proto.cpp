#include "events.pb.h"

#include <weir/eventsink/proto.hpp>

namespace weir::eventsink {

void to_proto(const flux_event& ev, events::v1::Event& out)
{
    auto* io = out.mutable_involved_object();
    io->set_kind(ev.involved_object.kind);
    io->set_namespace_(ev.involved_object.namespace_);
    io->set_name(ev.involved_object.name);
    io->set_uid(ev.involved_object.uid);
    io->set_api_version(ev.involved_object.api_version);
    io->set_resource_version(ev.involved_object.resource_version);
    out.set_severity(ev.severity);
    out.set_timestamp(ev.timestamp);
    out.set_message(ev.message);
    out.set_reason(ev.reason);
    auto& md = *out.mutable_metadata();
    for (const auto& [k, v] : ev.metadata)
        md[k] = v;
    out.set_reporting_controller(ev.reporting_controller);
    out.set_reporting_instance(ev.reporting_instance);
}

flux_event from_proto(const events::v1::Event& in)
{
    flux_event ev;
    const auto& io = in.involved_object();
    ev.involved_object = {io.kind(), io.namespace_(),  io.name(),
                          io.uid(),  io.api_version(), io.resource_version()};
    ev.severity = in.severity().empty() ? "info" : in.severity();
    ev.timestamp = in.timestamp();
    ev.message = in.message();
    ev.reason = in.reason();
    for (const auto& [k, v] : in.metadata())
        ev.metadata[k] = v;
    ev.reporting_controller = in.reporting_controller();
    ev.reporting_instance = in.reporting_instance();
    return ev;
}

} // namespace weir::eventsink
