// The columns `kubectl get` prints for built-in kinds, as the real server's table printers
// define them; the cells are computed in table_cells.cpp.
#include "table.hpp"

#include <fmt/format.h>

#include <map>

namespace weir::apiserver {

namespace {

using namespace cells;

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
    t["/pods"] = with_name_age(
        {{"Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic.",
          pod_ready},
         {"Status", "string", 0, "The aggregate status of the containers in this pod.", pod_status},
         {"Restarts", "string", 0, "The number of times the containers in this pod have been restarted.",
          pod_restarts}},
        {{"IP", "string", 1, "IP address allocated to the pod.",
          [](const value& o) -> value {
              return or_none(str(o, {"status", "podIP"}));
          }},
         {"Node", "string", 1, "Name of the Node this pod is assigned to.",
          [](const value& o) -> value {
              return or_none(str(o, {"spec", "nodeName"}));
          }},
         {"Nominated Node", "string", 1, "Name of the nominated node for this pod.",
          [](const value& o) -> value {
              return or_none(str(o, {"status", "nominatedNodeName"}));
          }},
         {"Readiness Gates", "string", 1, "The readiness gates of this pod.", pod_readiness_gates}});
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
