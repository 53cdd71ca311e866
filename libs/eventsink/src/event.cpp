#include <weir/core/json.hpp>
#include <weir/eventsink/event.hpp>
#include <weir/kube/time.hpp>
#include <weir/runtime/events.hpp>

namespace weir::eventsink {
namespace {

std::string str(const value& v, std::string_view key)
{
    return std::string(v.get_string(key));
}

} // namespace

result<flux_event> flux_event::from_json(std::string_view text)
{
    auto v = parse_json(text, {.max_depth = 32});
    if (!v) return terminal_error("event body is not JSON: " + v.err().message, "InvalidEvent");
    return from_value(*v);
}

result<flux_event> flux_event::from_value(const value& v)
{
    if (!v.is_object()) return terminal_error("event body must be a JSON object", "InvalidEvent");
    flux_event ev;
    const value* io = v.find("involvedObject");
    if (!io || !io->is_object()) return terminal_error("event has no involvedObject", "InvalidEvent");
    ev.involved_object = {str(*io, "kind"), str(*io, "namespace"),  str(*io, "name"),
                          str(*io, "uid"),  str(*io, "apiVersion"), str(*io, "resourceVersion")};
    if (ev.involved_object.kind.empty() || ev.involved_object.name.empty())
        return terminal_error("event involvedObject needs kind and name", "InvalidEvent");
    ev.severity = str(v, "severity");
    if (ev.severity.empty()) ev.severity = "info";
    ev.timestamp = str(v, "timestamp");
    ev.message = str(v, "message");
    if (ev.message.empty()) return terminal_error("event has no message", "InvalidEvent");
    ev.reason = str(v, "reason");
    if (const value* md = v.find("metadata"); md && md->is_object())
        for (const auto& [k, mv] : md->as_object())
            if (mv.is_string()) ev.metadata[k] = mv.as_string();
    ev.reporting_controller = str(v, "reportingController");
    ev.reporting_instance = str(v, "reportingInstance");
    return ev;
}

flux_event flux_event::from(const runtime::event& in, std::string_view instance)
{
    flux_event ev;
    const value& io = in.involved_object;
    ev.involved_object = {str(io, "kind"), str(io, "namespace"),  str(io, "name"),
                          str(io, "uid"),  str(io, "apiVersion"), str(io, "resourceVersion")};
    ev.severity = in.type == runtime::event_type::warning ? "error" : "info";
    ev.timestamp = kube::format_time(in.timestamp);
    ev.message = in.message;
    ev.reason = in.reason;
    ev.metadata = in.metadata;
    ev.reporting_controller = in.reporting_controller;
    ev.reporting_instance = std::string(instance);
    return ev;
}

value flux_event::to_value() const
{
    const auto& io = involved_object;
    weir::object obj{{"kind", io.kind}, {"namespace", io.namespace_}, {"name", io.name}};
    if (!io.uid.empty()) obj.push_back("uid", io.uid);
    if (!io.api_version.empty()) obj.push_back("apiVersion", io.api_version);
    if (!io.resource_version.empty()) obj.push_back("resourceVersion", io.resource_version);
    value v = weir::object{{"involvedObject", std::move(obj)},
                           {"severity", severity},
                           {"timestamp", timestamp},
                           {"message", message},
                           {"reason", reason}};
    if (!metadata.empty()) {
        weir::object md;
        for (const auto& [k, mv] : metadata)
            md.push_back(k, mv);
        v["metadata"] = std::move(md);
    }
    v["reportingController"] = reporting_controller;
    if (!reporting_instance.empty()) v["reportingInstance"] = reporting_instance;
    return v;
}

std::string flux_event::to_json() const
{
    return weir::to_json(to_value());
}

std::string flux_event::group() const
{
    const std::string& av = involved_object.api_version;
    auto slash = av.find('/');
    return slash == std::string::npos ? std::string() : av.substr(0, slash);
}

std::string flux_event::meta(std::string_view key) const
{
    auto it = metadata.find(group() + "/" + std::string(key));
    return it == metadata.end() ? std::string() : it->second;
}

} // namespace weir::eventsink
