#include <weir/apiserver/resources.hpp>

#include <algorithm>

namespace weir::apiserver {

namespace {

const std::vector<std::string> all_verbs{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

struct builtin_row {
    const char *group, *version, *resource, *kind, *singular;
    bool namespaced, status, scale, generation;
    std::vector<std::string> short_names;
    std::vector<std::string> categories = {};
};

// The kinds the toolkit and kubectl touch. Nothing runs them: workload status is set by tests.
const std::vector<builtin_row>& builtin_rows()
{
    static const std::vector<builtin_row> rows{
        {"", "v1", "namespaces", "Namespace", "namespace", false, true, false, false, {"ns"}},
        {"", "v1", "configmaps", "ConfigMap", "configmap", true, false, false, false, {"cm"}},
        {"", "v1", "secrets", "Secret", "secret", true, false, false, false, {}},
        {"", "v1", "serviceaccounts", "ServiceAccount", "serviceaccount", true, false, false, false, {"sa"}},
        {"", "v1", "services", "Service", "service", true, true, false, false, {"svc"}, {"all"}},
        {"", "v1", "endpoints", "Endpoints", "endpoints", true, false, false, false, {"ep"}},
        {"", "v1", "events", "Event", "event", true, false, false, false, {"ev"}},
        {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", "persistentvolumeclaim", true, true, false, false, {"pvc"}},
        {"", "v1", "persistentvolumes", "PersistentVolume", "persistentvolume", false, true, false, false, {"pv"}},
        {"", "v1", "pods", "Pod", "pod", true, true, false, false, {"po"}, {"all"}},
        {"", "v1", "nodes", "Node", "node", false, true, false, false, {"no"}},
        {"", "v1", "resourcequotas", "ResourceQuota", "resourcequota", true, true, false, false, {"quota"}},
        {"", "v1", "limitranges", "LimitRange", "limitrange", true, false, false, false, {"limits"}},
        {"apps", "v1", "deployments", "Deployment", "deployment", true, true, true, true, {"deploy"}, {"all"}},
        {"apps", "v1", "statefulsets", "StatefulSet", "statefulset", true, true, true, true, {"sts"}, {"all"}},
        {"apps", "v1", "daemonsets", "DaemonSet", "daemonset", true, true, false, true, {"ds"}, {"all"}},
        {"apps", "v1", "replicasets", "ReplicaSet", "replicaset", true, true, true, true, {"rs"}, {"all"}},
        {"apps", "v1", "controllerrevisions", "ControllerRevision", "controllerrevision", true, false, false, false, {}},
        {"batch", "v1", "jobs", "Job", "job", true, true, false, true, {}, {"all"}},
        {"batch", "v1", "cronjobs", "CronJob", "cronjob", true, true, false, true, {"cj"}, {"all"}},
        {"autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", "horizontalpodautoscaler", true, true, false, true, {"hpa"}, {"all"}},
        {"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", "poddisruptionbudget", true, true, false, true, {"pdb"}},
        {"networking.k8s.io", "v1", "ingresses", "Ingress", "ingress", true, true, false, true, {"ing"}},
        {"networking.k8s.io", "v1", "ingressclasses", "IngressClass", "ingressclass", false, false, false, true, {}},
        {"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", "networkpolicy", true, false, false, true, {"netpol"}},
        {"rbac.authorization.k8s.io", "v1", "roles", "Role", "role", true, false, false, false, {}},
        {"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", "clusterrole", false, false, false, false, {}},
        {"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", "rolebinding", true, false, false, false, {}},
        {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", "clusterrolebinding", false, false, false, false, {}},
        {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", "customresourcedefinition", false, true, false, true, {"crd", "crds"}, {"api-extensions"}},
        {"coordination.k8s.io", "v1", "leases", "Lease", "lease", true, false, false, false, {}},
        {"events.k8s.io", "v1", "events", "Event", "event", true, false, false, false, {"ev"}},
        {"storage.k8s.io", "v1", "storageclasses", "StorageClass", "storageclass", false, false, false, false, {"sc"}},
        {"scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", "priorityclass", false, false, false, false, {"pc"}},
        {"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "validatingwebhookconfiguration", false, false, false, true, {}},
        {"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "mutatingwebhookconfiguration", false, false, false, true, {}},
        {"authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", "selfsubjectaccessreview", false, false, false, false, {}},
        {"authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", "subjectaccessreview", false, false, false, false, {}},
        {"authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", "selfsubjectrulesreview", false, false, false, false, {}},
        {"authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", "selfsubjectreview", false, false, false, false, {}},
    };
    return rows;
}

// Review kinds are verbs, not stored objects: they only take create.
bool create_only(std::string_view group)
{
    return group == "authorization.k8s.io" || group == "authentication.k8s.io";
}

} // namespace

resource_registry::resource_registry()
{
    for (const auto& r : builtin_rows()) {
        resource_info info{r.group, r.version, r.resource, r.kind, r.singular, r.namespaced, r.status, r.scale,
                           r.generation, false, r.short_names, r.categories, all_verbs, {}, {}, {}, {}};
        if (create_only(r.group)) info.verbs = {"create"};
        if (r.scale) {
            info.spec_replicas_path = ".spec.replicas";
            info.status_replicas_path = ".status.replicas";
        }
        builtin_.push_back(std::move(info));
    }
}

const resource_info* resource_registry::find(std::string_view group, std::string_view version,
                                             std::string_view resource) const
{
    for (const auto* list : {&builtin_, &custom_})
        for (const auto& r : *list)
            if (r.resource == resource && r.group == group && r.version == version) return &r;
    return nullptr;
}

const resource_info* resource_registry::find_kind(std::string_view api_version, std::string_view kind) const
{
    for (const auto* list : {&builtin_, &custom_})
        for (const auto& r : *list)
            if (r.kind == kind && r.api_version() == api_version) return &r;
    return nullptr;
}

std::vector<const resource_info*> resource_registry::all() const
{
    std::vector<const resource_info*> out;
    for (const auto* list : {&builtin_, &custom_})
        for (const auto& r : *list) out.push_back(&r);
    return out;
}

void resource_registry::set_custom(const std::vector<value>& crds)
{
    custom_.clear();
    for (const auto& crd : crds) {
        const value* spec = crd.find("spec");
        if (!spec || crd.find_path({"metadata", "deletionTimestamp"})) continue;
        const value* names = spec->find("names");
        const value* versions = spec->find("versions");
        if (!names || !versions || !versions->is_array()) continue;
        std::string group(spec->get_string("group"));
        bool namespaced = spec->get_string("scope", "Namespaced") == "Namespaced";
        for (const auto& v : versions->as_array()) {
            if (const value* served = v.find("served"); served && served->is_bool() && !served->as_bool()) continue;
            resource_info info;
            info.group = group;
            info.version = std::string(v.get_string("name"));
            info.resource = std::string(names->get_string("plural"));
            info.kind = std::string(names->get_string("kind"));
            info.singular = std::string(names->get_string("singular"));
            if (info.singular.empty()) {
                info.singular = info.kind;
                std::transform(info.singular.begin(), info.singular.end(), info.singular.begin(), ::tolower);
            }
            info.namespaced = namespaced;
            info.custom = true;
            info.verbs = all_verbs;
            auto strings = [](const value* a) {
                std::vector<std::string> out;
                if (a && a->is_array())
                    for (const auto& s : a->as_array())
                        if (s.is_string()) out.push_back(s.as_string());
                return out;
            };
            info.short_names = strings(names->find("shortNames"));
            info.categories = strings(names->find("categories"));
            if (const value* sub = v.find("subresources")) {
                info.status = sub->find("status") != nullptr;
                if (const value* sc = sub->find("scale")) {
                    info.scale = true;
                    info.spec_replicas_path = std::string(sc->get_string("specReplicasPath"));
                    info.status_replicas_path = std::string(sc->get_string("statusReplicasPath"));
                }
            }
            if (const value* s = v.find_path({"schema", "openAPIV3Schema"}))
                info.schema = std::make_shared<const value>(*s);
            if (const value* pc = v.find("additionalPrinterColumns"))
                info.printer_columns = std::make_shared<const value>(*pc);
            custom_.push_back(std::move(info));
        }
    }
}

std::vector<std::pair<std::string, std::vector<std::string>>> resource_registry::groups() const
{
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const auto* list : {&builtin_, &custom_})
        for (const auto& r : *list) {
            auto it = std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.first == r.group; });
            if (it == out.end()) {
                out.push_back({r.group, {r.version}});
            } else if (std::find(it->second.begin(), it->second.end(), r.version) == it->second.end()) {
                it->second.push_back(r.version);
            }
        }
    return out;
}

} // namespace weir::apiserver
