// The columns `kubectl get` prints for built-in kinds, as the real server's table printers
// compute them (counts, "ready/desired", ports, selectors, human durations).
#include "table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace weir::apiserver {

namespace {

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

// --- the tables ---

using C = builtin_column;
constexpr const char* name_desc = "Name must be unique within a namespace.";
constexpr const char* age_desc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

std::vector<C> with_name_age(std::vector<C> middle, std::vector<C> wide = {})
{
    std::vector<C> out{{"Name", "string", 0, name_desc, name_cell}};
    out.insert(out.end(), middle.begin(), middle.end());
    out.push_back({"Age", "string", 0, age_desc, age_cell});
    out.insert(out.end(), wide.begin(), wide.end());
    return out;
}

const std::vector<C> workload_wide{
    {"Containers", "string", 1, "Names of each container in the template.", containers_cell},
    {"Images", "string", 1, "Images referenced by each container in the template.", images_cell},
    {"Selector", "string", 1, "Label selector for pods.", selector_cell}};

std::map<std::string, std::vector<C>, std::less<>> build_tables()
{
    std::map<std::string, std::vector<C>, std::less<>> t;
    t["apps/deployments"] = with_name_age(
        {{"Ready", "string", 0, "Number of the pod with ready state",
          [](const value& o) -> value {
              return fmt::format("{}/{}", num(o, {"status", "readyReplicas"}), num(o, {"spec", "replicas"}));
          }},
         {"Up-to-date", "integer", 0,
          "Total number of non-terminated pods targeted by this deployment that have the desired template "
          "spec.",
          [](const value& o) -> value {
              return num(o, {"status", "updatedReplicas"});
          }},
         {"Available", "integer", 0,
          "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
          [](const value& o) -> value {
              return num(o, {"status", "availableReplicas"});
          }}},
        workload_wide);
    t["apps/replicasets"] = with_name_age({{"Desired", "integer", 0, "Number of desired pods.",
                                            [](const value& o) -> value {
                                                return num(o, {"spec", "replicas"});
                                            }},
                                           {"Current", "integer", 0, "Number of actual pods.",
                                            [](const value& o) -> value {
                                                return num(o, {"status", "replicas"});
                                            }},
                                           {"Ready", "integer", 0, "Number of ready pods.",
                                            [](const value& o) -> value {
                                                return num(o, {"status", "readyReplicas"});
                                            }}},
                                          workload_wide);
    t["apps/statefulsets"] = with_name_age(
        {{"Ready", "string", 0, "Number of the pod with ready state",
          [](const value& o) -> value {
              return fmt::format("{}/{}", num(o, {"status", "readyReplicas"}), num(o, {"spec", "replicas"}));
          }}},
        {workload_wide[0], workload_wide[1]});
    t["apps/daemonsets"] = with_name_age(
        {{"Desired", "integer", 0, "The total number of nodes that should be running the daemon pod.",
          [](const value& o) -> value {
              return num(o, {"status", "desiredNumberScheduled"});
          }},
         {"Current", "integer", 0,
          "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon "
          "pod.",
          [](const value& o) -> value {
              return num(o, {"status", "currentNumberScheduled"});
          }},
         {"Ready", "integer", 0,
          "The number of nodes that should be running the daemon pod and have one or more of the daemon pod "
          "running and ready.",
          [](const value& o) -> value {
              return num(o, {"status", "numberReady"});
          }},
         {"Up-to-date", "integer", 0, "The total number of nodes that are running updated daemon pod",
          [](const value& o) -> value {
              return num(o, {"status", "updatedNumberScheduled"});
          }},
         {"Available", "integer", 0,
          "The number of nodes that should be running the daemon pod and have one or more of the daemon pod "
          "running and available.",
          [](const value& o) -> value {
              return num(o, {"status", "numberAvailable"});
          }},
         {"Node Selector", "string", 0,
          "NodeSelector is a selector which must be true for the pod to fit on a node.",
          [](const value& o) -> value {
              return or_none(labels_string(at(o, {"spec", "template", "spec", "nodeSelector"})));
          }}},
        workload_wide);
    t["batch/jobs"] = with_name_age(
        {{"Status", "string", 0, "Status of the job.", job_status},
         {"Completions", "string", 0,
          "The desired number of successfully finished pods the job should be run with.", job_completions},
         {"Duration", "string", 0, "Time required to complete the job.", job_duration}},
        workload_wide);
    t["batch/cronjobs"] = with_name_age(
        {{"Schedule", "string", 0, "The schedule in Cron format.",
          [](const value& o) -> value {
              return str(o, {"spec", "schedule"});
          }},
         {"Timezone", "string", 0, "The time zone name for the given schedule.",
          [](const value& o) -> value {
              return or_none(str(o, {"spec", "timeZone"}));
          }},
         {"Suspend", "boolean", 0, "This flag tells the controller to suspend subsequent executions.",
          [](const value& o) -> value {
              const value* s = at(o, {"spec", "suspend"});
              if (!s || !s->is_bool()) return "<unset>";
              return s->as_bool() ? "True" : "False";
          }},
         {"Active", "integer", 0, "A list of pointers to currently running jobs.",
          [](const value& o) -> value {
              return static_cast<std::int64_t>(
                  count(o.find("status") ? *o.find("status") : value(object{}), "active"));
          }},
         {"Last Schedule", "string", 0,
          "Information when was the last time the job was successfully scheduled.",
          [](const value& o) -> value {
              std::string ls = str(o, {"status", "lastScheduleTime"});
              return ls.empty() ? std::string("<none>") : human_age(ls);
          }}},
        {workload_wide[0],
         workload_wide[1],
         {"Selector", "string", 1, "Label selector for pods.", [](const value& o) -> value {
              return or_none(selector_string(at(o, {"spec", "jobTemplate", "spec", "selector"})));
          }}});
    t["/services"] =
        with_name_age({{"Type", "string", 0, "The type of the service.",
                        [](const value& o) -> value {
                            return str(o, {"spec", "type"});
                        }},
                       {"Cluster-IP", "string", 0, "The cluster IP of the service.",
                        [](const value& o) -> value {
                            return or_none(str(o, {"spec", "clusterIP"}));
                        }},
                       {"External-IP", "string", 0, "The external IP of the service.", service_external_ip},
                       {"Port(s)", "string", 0, "The ports of the service.", service_ports}},
                      {{"Selector", "string", 1,
                        "Route service traffic to pods with label keys and values matching this selector.",
                        [](const value& o) -> value {
                            return or_none(labels_string(at(o, {"spec", "selector"})));
                        }}});
    t["/configmaps"] = with_name_age(
        {{"Data", "integer", 0, "The number of keys in the ConfigMap.", [](const value& o) -> value {
              return static_cast<std::int64_t>(count(o, "data") + count(o, "binaryData"));
          }}});
    t["/secrets"] = with_name_age(
        {{"Type", "string", 0, "The type of the secret",
          [](const value& o) -> value { return str(o, {"type"}); }},
         {"Data", "integer", 0, "The number of keys in the secret.",
          [](const value& o) -> value { return static_cast<std::int64_t>(count(o, "data")); }}});
    t["/namespaces"] =
        with_name_age({{"Status", "string", 0, "The status of the namespace", [](const value& o) -> value {
                            return str(o, {"status", "phase"});
                        }}});
    t["/serviceaccounts"] = with_name_age(
        {{"Secrets", "string", 0,
          "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.",
          [](const value& o) -> value { return static_cast<std::int64_t>(count(o, "secrets")); }}});
    t["/persistentvolumeclaims"] =
        with_name_age({{"Status", "string", 0, "Phase represents the current phase of PersistentVolumeClaim.",
                        [](const value& o) -> value {
                            return at(o, {"metadata", "deletionTimestamp"}) ? std::string("Terminating")
                                                                            : str(o, {"status", "phase"});
                        }},
                       {"Volume", "string", 0,
                        "VolumeName is the binding reference to the PersistentVolume backing this claim.",
                        [](const value& o) -> value {
                            return str(o, {"spec", "volumeName"});
                        }},
                       {"Capacity", "string", 0, "Represents the actual resources of the underlying volume.",
                        [](const value& o) -> value {
                            return str(o, {"status", "capacity", "storage"});
                        }},
                       {"Access Modes", "string", 0,
                        "AccessModes contains the actual access modes the volume backing the PVC has.",
                        [](const value& o) -> value {
                            std::vector<std::string> m;
                            if (const value* a = at(o, {"status", "accessModes"}); a && a->is_array())
                                for (const auto& x : a->as_array()) {
                                    std::string_view s = x.is_string() ? std::string_view(x.as_string()) : "";
                                    if (s == "ReadWriteOnce")
                                        m.emplace_back("RWO");
                                    else if (s == "ReadOnlyMany")
                                        m.emplace_back("ROX");
                                    else if (s == "ReadWriteMany")
                                        m.emplace_back("RWX");
                                    else if (s == "ReadWriteOncePod")
                                        m.emplace_back("RWOP");
                                }
                            return join(m, ",");
                        }},
                       {"StorageClass", "string", 0, "StorageClass of the pvc",
                        [](const value& o) -> value {
                            return or_none(str(o, {"spec", "storageClassName"}));
                        }},
                       {"VolumeAttributesClass", "string", 0, "VolumeAttributesClass of the pvc",
                        [](const value& o) -> value {
                            return or_none(str(o, {"spec", "volumeAttributesClassName"}));
                        }}},
                      {{"VolumeMode", "string", 1, "VolumeMode of the pvc", [](const value& o) -> value {
                            return str(o, {"spec", "volumeMode"});
                        }}});
    t["networking.k8s.io/ingresses"] = with_name_age(
        {{"Class", "string", 0, "The name of the IngressClass resource that should be used for ingress.",
          [](const value& o) -> value {
              return or_none(str(o, {"spec", "ingressClassName"}));
          }},
         {"Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule",
          [](const value& o) -> value {
              std::vector<std::string> hosts;
              if (const value* rs = at(o, {"spec", "rules"}); rs && rs->is_array())
                  for (const auto& r : rs->as_array())
                      hosts.emplace_back(r.get_string("host", "*"));
              return hosts.empty() ? std::string("*") : join(hosts, ",");
          }},
         {"Address", "string", 0, "Address is a list containing ingress points for the load-balancer",
          [](const value& o) -> value { return join(lb_ingress(o), ","); }},
         {"Ports", "string", 0, "Ports of TLS configurations that open", [](const value& o) -> value {
              return at(o, {"spec", "tls"}) ? std::string("80, 443") : std::string("80");
          }}});
    t["networking.k8s.io/networkpolicies"] = with_name_age(
        {{"Pod-Selector", "string", 0, "Selects the pods to which this NetworkPolicy object applies.",
          [](const value& o) -> value {
              return or_none(selector_string(at(o, {"spec", "podSelector"})));
          }}});
    for (const char* r : {"rbac.authorization.k8s.io/roles", "rbac.authorization.k8s.io/clusterroles"})
        t[r] = {{"Name", "string", 0, name_desc, name_cell},
                {"Created At", "date", 0, age_desc, [](const value& o) -> value {
                     return str(o, {"metadata", "creationTimestamp"});
                 }}};
    for (const char* r :
         {"rbac.authorization.k8s.io/rolebindings", "rbac.authorization.k8s.io/clusterrolebindings"})
        t[r] = with_name_age({{"Role", "string", 0, "Role",
                               [](const value& o) -> value {
                                   return str(o, {"roleRef", "kind"}) + "/" + str(o, {"roleRef", "name"});
                               }}},
                             {{"Users", "string", 1, "Users in the roleBinding",
                               [](const value& o) -> value { return bound(o, "User"); }},
                              {"Groups", "string", 1, "Groups in the roleBinding",
                               [](const value& o) -> value { return bound(o, "Group"); }},
                              {"ServiceAccounts", "string", 1, "ServiceAccounts in the roleBinding",
                               [](const value& o) -> value { return bound(o, "ServiceAccount"); }}});
    t["coordination.k8s.io/leases"] =
        with_name_age({{"Holder", "string", 0, "The holder of the lease.", [](const value& o) -> value {
                            return str(o, {"spec", "holderIdentity"});
                        }}});
    std::vector<C> events{
        {"Last Seen", "string", 0, "Time when last event occurred", event_last_seen},
        {"Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future.",
         [](const value& o) -> value { return str(o, {"type"}); }},
        {"Reason", "string", 0, "The reason for the transition into the object's current status.",
         [](const value& o) -> value { return str(o, {"reason"}); }},
        {"Object", "string", 0, "The object that this event is about.", event_object},
        {"Subobject", "string", 1, "The subobject that this event is about.",
         [](const value& o) -> value {
             return str(o, {"involvedObject", "fieldPath"});
         }},
        {"Source", "string", 1, "The component reporting this event.", event_source},
        {"Message", "string", 0, "A human-readable description of the status of this operation.",
         [](const value& o) -> value { return str(o, {"message"}); }},
        {"First Seen", "string", 1, "The time at which the event was first recorded.",
         [](const value& o) -> value {
             std::string f = str(o, {"firstTimestamp"});
             return age_of(f.empty() ? str(o, {"eventTime"}) : f);
         }},
        {"Count", "string", 1, "The number of times this event has occurred.",
         [](const value& o) -> value {
             return std::to_string(std::max<std::int64_t>(num(o, {"count"}), 1));
         }},
        {"Name", "string", 1, name_desc, name_cell}};
    t["/events"] = events;
    return t;
}

} // namespace

const std::vector<builtin_column>* builtin_table(std::string_view group, std::string_view resource)
{
    static const auto tables = build_tables();
    std::string key(group);
    key += '/';
    key += resource;
    auto it = tables.find(key);
    return it == tables.end() ? nullptr : &it->second;
}

} // namespace weir::apiserver
