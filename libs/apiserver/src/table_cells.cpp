// Cells of the built-in Table columns (table_builtin.cpp): counts, "ready/desired", ports,
// selectors and human durations, computed as the real server's printers do.
#include "table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace weir::apiserver::cells {

const value* at(const value& obj, std::initializer_list<std::string_view> path)
{
    return obj.find_path(path);
}

std::int64_t num(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = at(obj, path);
    return v && v->is_int() ? v->as_int() : 0;
}

std::string str(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = at(obj, path);
    return v && v->is_string() ? v->as_string() : std::string();
}

value or_none(std::string s)
{
    return s.empty() ? value("<none>") : value(std::move(s));
}

std::size_t count(const value& obj, std::string_view key)
{
    const value* v = obj.find(key);
    if (v && v->is_object()) return v->as_object().size();
    if (v && v->is_array()) return v->as_array().size();
    return 0;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep)
{
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : std::string(sep)) + p;
    return out;
}

value name_cell(const value& obj)
{
    return str(obj, {"metadata", "name"});
}
value age_cell(const value& obj)
{
    return human_age(str(obj, {"metadata", "creationTimestamp"}));
}

// The pod spec of a workload (spec.template.spec, or the CronJob's job template's).
const value* pod_spec(const value& obj)
{
    if (const value* s = at(obj, {"spec", "template", "spec"})) return s;
    return at(obj, {"spec", "jobTemplate", "spec", "template", "spec"});
}

std::string container_field(const value& obj, std::string_view field)
{
    std::vector<std::string> out;
    if (const value* ps = pod_spec(obj))
        if (const value* cs = ps->find("containers"); cs && cs->is_array())
            for (const auto& c : cs->as_array())
                out.emplace_back(c.get_string(field));
    return join(out, ",");
}

value containers_cell(const value& obj)
{
    return container_field(obj, "name");
}
value images_cell(const value& obj)
{
    return container_field(obj, "image");
}

// "a=b,c in (x,y)": a label selector as the real server prints it, requirements sorted by key.
std::string selector_string(const value* sel)
{
    if (!sel || !sel->is_object()) return "";
    std::multimap<std::string, std::string> reqs;
    if (const value* ml = sel->find("matchLabels"); ml && ml->is_object())
        for (const auto& [k, v] : ml->as_object())
            reqs.emplace(k, k + "=" + (v.is_string() ? v.as_string() : ""));
    if (const value* me = sel->find("matchExpressions"); me && me->is_array())
        for (const auto& e : me->as_array()) {
            std::string key(e.get_string("key")), op(e.get_string("operator"));
            std::vector<std::string> vals;
            if (const value* vs = e.find("values"); vs && vs->is_array())
                for (const auto& v : vs->as_array())
                    if (v.is_string()) vals.push_back(v.as_string());
            std::sort(vals.begin(), vals.end());
            if (op == "In")
                reqs.emplace(key, key + " in (" + join(vals, ",") + ")");
            else if (op == "NotIn")
                reqs.emplace(key, key + " notin (" + join(vals, ",") + ")");
            else if (op == "Exists")
                reqs.emplace(key, key);
            else if (op == "DoesNotExist")
                reqs.emplace(key, "!" + key);
        }
    std::vector<std::string> parts;
    for (const auto& [k, r] : reqs)
        parts.push_back(r);
    return join(parts, ",");
}

value selector_cell(const value& obj)
{
    return or_none(selector_string(at(obj, {"spec", "selector"})));
}

// map[string]string selectors (Services): sorted k=v pairs.
std::string labels_string(const value* m)
{
    if (!m || !m->is_object()) return "";
    std::vector<std::string> parts;
    for (const auto& [k, v] : m->as_object())
        parts.push_back(k + "=" + (v.is_string() ? v.as_string() : ""));
    std::sort(parts.begin(), parts.end());
    return join(parts, ",");
}

std::int64_t seconds_since_epoch(const std::string& ts)
{
    std::tm tm{};
    if (ts.empty() || !strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return -1;
    return static_cast<std::int64_t>(timegm(&tm));
}

// --- services ---

std::vector<std::string> lb_ingress(const value& obj)
{
    std::vector<std::string> out;
    if (const value* in = at(obj, {"status", "loadBalancer", "ingress"}); in && in->is_array())
        for (const auto& i : in->as_array()) {
            if (auto ip = i.get_string("ip"); !ip.empty())
                out.emplace_back(ip);
            else if (auto h = i.get_string("hostname"); !h.empty())
                out.emplace_back(h);
        }
    return out;
}

value service_external_ip(const value& obj)
{
    std::string type = str(obj, {"spec", "type"});
    std::vector<std::string> external;
    if (const value* e = at(obj, {"spec", "externalIPs"}); e && e->is_array())
        for (const auto& x : e->as_array())
            if (x.is_string()) external.push_back(x.as_string());
    if (type == "ExternalName") return str(obj, {"spec", "externalName"});
    if (type == "LoadBalancer") {
        auto lb = lb_ingress(obj);
        lb.insert(lb.end(), external.begin(), external.end());
        return lb.empty() ? value("<pending>") : value(join(lb, ","));
    }
    return or_none(join(external, ","));
}

value service_ports(const value& obj)
{
    std::vector<std::string> out;
    if (const value* ps = at(obj, {"spec", "ports"}); ps && ps->is_array())
        for (const auto& p : ps->as_array()) {
            std::string proto(p.get_string("protocol", "TCP"));
            std::int64_t port = num(p, {"port"}), node = num(p, {"nodePort"});
            out.push_back(node ? fmt::format("{}:{}/{}", port, node, proto)
                               : fmt::format("{}/{}", port, proto));
        }
    return or_none(join(out, ","));
}

// --- jobs ---

value job_status(const value& obj)
{
    if (at(obj, {"metadata", "deletionTimestamp"})) return "Terminating";
    auto cond = [&](std::string_view type) {
        if (const value* cs = at(obj, {"status", "conditions"}); cs && cs->is_array())
            for (const auto& c : cs->as_array())
                if (c.get_string("type") == type && c.get_string("status") == "True") return true;
        return false;
    };
    for (const char* t : {"Complete", "Failed", "SuccessCriteriaMet", "FailureTarget", "Suspended"})
        if (cond(t)) return t;
    return "Running";
}

value job_completions(const value& obj)
{
    std::int64_t done = num(obj, {"status", "succeeded"});
    if (const value* c = at(obj, {"spec", "completions"}); c && c->is_int())
        return fmt::format("{}/{}", done, c->as_int());
    const value* p = at(obj, {"spec", "parallelism"});
    if (p && p->is_int() && p->as_int() > 1) return fmt::format("{}/1 of {}", done, p->as_int());
    return fmt::format("{}/1", done);
}

std::string human_seconds(std::int64_t s)
{
    // human_age takes a timestamp; build the one `s` seconds ago.
    std::time_t t = std::time(nullptr) - s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return human_age(buf);
}

value job_duration(const value& obj)
{
    std::int64_t start = seconds_since_epoch(str(obj, {"status", "startTime"}));
    if (start < 0) return "";
    std::int64_t end = seconds_since_epoch(str(obj, {"status", "completionTime"}));
    if (end < 0) return human_age(str(obj, {"status", "startTime"}));
    return human_seconds(end - start);
}

// --- bindings and events ---

// The subjects of a binding of one kind; service accounts as namespace/name.
value bound(const value& o, std::string_view kind)
{
    std::vector<std::string> out;
    if (const value* ss = o.find("subjects"); ss && ss->is_array())
        for (const auto& s : ss->as_array())
            if (s.get_string("kind") == kind) {
                std::string n(s.get_string("name"));
                if (kind == "ServiceAccount") n = std::string(s.get_string("namespace")) + "/" + n;
                out.push_back(std::move(n));
            }
    return join(out, ", ");
}

// Ages of event times, which may carry microseconds (eventTime).
std::string age_of(std::string ts)
{
    if (ts.empty()) return "<unknown>";
    if (auto dot = ts.find('.'); dot != std::string::npos) ts = ts.substr(0, dot) + "Z";
    return human_age(ts);
}

value event_last_seen(const value& o)
{
    if (std::string s = str(o, {"series", "lastObservedTime"}); !s.empty()) return age_of(s);
    if (std::string l = str(o, {"lastTimestamp"}); !l.empty()) return age_of(l);
    if (std::string f = str(o, {"firstTimestamp"}); !f.empty()) return age_of(f);
    return age_of(str(o, {"eventTime"}));
}

value event_object(const value& o)
{
    std::string kind = str(o, {"involvedObject", "kind"});
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return kind + "/" + str(o, {"involvedObject", "name"});
}

value event_source(const value& o)
{
    std::string comp = str(o, {"source", "component"}), host = str(o, {"source", "host"});
    if (comp.empty()) {
        comp = str(o, {"reportingComponent"});
        host = str(o, {"reportingInstance"});
    }
    return host.empty() ? comp : comp + ", " + host;
}

// --- pods ---

value pod_ready(const value& o)
{
    std::size_t total = 0, ready = 0;
    if (const value* cs = at(o, {"spec", "containers"}); cs && cs->is_array()) total = cs->as_array().size();
    if (const value* ss = at(o, {"status", "containerStatuses"}); ss && ss->is_array())
        for (const auto& c : ss->as_array())
            if (const value* r = c.find("ready"); r && r->is_bool() && r->as_bool()) ++ready;
    return fmt::format("{}/{}", ready, total);
}

value pod_status(const value& o)
{
    if (at(o, {"metadata", "deletionTimestamp"})) return "Terminating";
    if (std::string r = str(o, {"status", "reason"}); !r.empty()) return r;
    return str(o, {"status", "phase"});
}

value pod_restarts(const value& o)
{
    std::int64_t n = 0;
    if (const value* ss = at(o, {"status", "containerStatuses"}); ss && ss->is_array())
        for (const auto& c : ss->as_array())
            n += num(c, {"restartCount"});
    return n;
}

value pod_readiness_gates(const value& o)
{
    const value* gates = at(o, {"spec", "readinessGates"});
    if (!gates || !gates->is_array() || gates->as_array().empty()) return "<none>";
    std::size_t ok = 0;
    for (const auto& g : gates->as_array())
        if (const value* cs = at(o, {"status", "conditions"}); cs && cs->is_array())
            for (const auto& c : cs->as_array())
                if (c.get_string("type") == g.get_string("conditionType") && c.get_string("status") == "True")
                    ++ok;
    return fmt::format("{}/{}", ok, gates->as_array().size());
}

} // namespace weir::apiserver::cells
