// weir's tables of built-in Kubernetes kinds. The type trees below only list what patching needs:
// list fields with their merge keys and the objects on the way to them.
#include <weir/schema/schema.hpp>

#include <array>
#include <deque>
#include <map>

namespace weir::schema {

const field_info* type_info::find(std::string_view name) const
{
    for (const auto& [n, f] : fields)
        if (n == name) return &f;
    return nullptr;
}

std::string_view group_of(std::string_view api_version)
{
    auto slash = api_version.find('/');
    return slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash);
}

namespace {

field_info obj(const type_info* t) { return field_info{.type = t}; }
field_info keyed(const type_info* t, std::vector<std::string> keys, bool retain = false)
{
    return field_info{.type = t, .is_list = true, .merge_keys = std::move(keys), .retain_keys = retain};
}
field_info atomic_list() { return field_info{.is_list = true}; }

struct tables {
    std::deque<type_info> types;
    std::map<std::string, const type_info*, std::less<>> kinds; // "group/Kind"
    const type_info* meta = nullptr;

    const type_info* add(std::vector<std::pair<std::string, field_info>> fields)
    {
        types.push_back(type_info{std::move(fields)});
        return &types.back();
    }

    tables()
    {
        meta = add({{"finalizers", field_info{.is_list = true, .merge_scalars = true}},
                    {"ownerReferences", keyed(nullptr, {"uid"})},
                    {"managedFields", atomic_list()}});
        const type_info* container =
            add({{"ports", keyed(nullptr, {"containerPort", "protocol"})},
                 {"env", keyed(nullptr, {"name"})},
                 {"volumeMounts", keyed(nullptr, {"mountPath"})},
                 {"volumeDevices", keyed(nullptr, {"devicePath"})},
                 {"resizePolicy", keyed(nullptr, {"resourceName"})},
                 {"envFrom", atomic_list()},
                 {"args", atomic_list()},
                 {"command", atomic_list()}});
        const type_info* pod_spec =
            add({{"containers", keyed(container, {"name"})},
                 {"initContainers", keyed(container, {"name"})},
                 {"ephemeralContainers", keyed(container, {"name"})},
                 {"volumes", keyed(nullptr, {"name"}, true)},
                 {"imagePullSecrets", keyed(nullptr, {"name"})},
                 {"hostAliases", keyed(nullptr, {"ip"})},
                 {"topologySpreadConstraints", keyed(nullptr, {"topologyKey", "whenUnsatisfiable"})},
                 {"resourceClaims", keyed(nullptr, {"name"}, true)},
                 {"schedulingGates", keyed(nullptr, {"name"})},
                 {"tolerations", atomic_list()},
                 {"readinessGates", atomic_list()}});
        const type_info* template_spec = add({{"metadata", obj(meta)}, {"spec", obj(pod_spec)}});
        const type_info* strategy = add({});
        const type_info* workload_spec = add({{"template", obj(template_spec)},
                                              {"strategy", field_info{.type = strategy, .retain_keys = true}},
                                              {"volumeClaimTemplates", atomic_list()}});
        const type_info* job_template = add({{"metadata", obj(meta)}, {"spec", obj(workload_spec)}});
        const type_info* cron_spec = add({{"jobTemplate", obj(job_template)}});
        const type_info* pod = add({{"metadata", obj(meta)}, {"spec", obj(pod_spec)}});
        const type_info* workload = add({{"metadata", obj(meta)}, {"spec", obj(workload_spec)}});
        const type_info* cron = add({{"metadata", obj(meta)}, {"spec", obj(cron_spec)}});
        const type_info* pod_template = add({{"metadata", obj(meta)}, {"template", obj(template_spec)}});
        const type_info* service_spec = add({{"ports", keyed(nullptr, {"port", "protocol"})}});
        const type_info* service = add({{"metadata", obj(meta)}, {"spec", obj(service_spec)}});
        const type_info* service_account = add({{"metadata", obj(meta)},
                                                {"secrets", keyed(nullptr, {"name"})},
                                                {"imagePullSecrets", keyed(nullptr, {"name"})}});
        const type_info* webhooks = add({{"metadata", obj(meta)}, {"webhooks", keyed(nullptr, {"name"})}});
        const type_info* rbac = add({{"metadata", obj(meta)}, {"rules", atomic_list()}, {"subjects", atomic_list()}});

        kinds.emplace("/Pod", pod);
        for (const char* g : {"apps", "extensions"})
            for (const char* k : {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
                kinds.emplace(std::string(g) + "/" + k, workload);
        kinds.emplace("/ReplicationController", workload);
        kinds.emplace("batch/Job", workload);
        kinds.emplace("batch/CronJob", cron);
        kinds.emplace("/PodTemplate", pod_template);
        kinds.emplace("/Service", service);
        kinds.emplace("/ServiceAccount", service_account);
        kinds.emplace("admissionregistration.k8s.io/MutatingWebhookConfiguration", webhooks);
        kinds.emplace("admissionregistration.k8s.io/ValidatingWebhookConfiguration", webhooks);
        for (const char* k : {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
            kinds.emplace(std::string("rbac.authorization.k8s.io/") + k, rbac);
    }
};

const tables& the_tables()
{
    static const tables t;
    return t;
}

} // namespace

const type_info* type_for(std::string_view api_version, std::string_view kind)
{
    std::string key(group_of(api_version));
    key += '/';
    key += kind;
    const auto& k = the_tables().kinds;
    auto it = k.find(key);
    return it == k.end() ? nullptr : it->second;
}

const type_info* object_meta() { return the_tables().meta; }

bool cluster_scoped(std::string_view /*group*/, std::string_view kind)
{
    // Keyed by kind alone: these names are not reused by namespaced kinds of other groups.
    static constexpr std::array<std::string_view, 37> kinds = {
        "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest",
        "ClusterRole", "ClusterRoleBinding", "ClusterTrustBundle", "ComponentStatus",
        "CustomResourceDefinition", "FlowSchema", "IPAddress", "IngressClass",
        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration",
        "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass",
        "PriorityLevelConfiguration", "RuntimeClass", "SelfSubjectAccessReview",
        "SelfSubjectReview", "SelfSubjectRulesReview", "ServiceCIDR", "StorageClass",
        "StorageVersion", "SubjectAccessReview", "TokenReview", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
        "VolumeAttributesClass", "DeviceClass", "ResourceSlice"};
    for (auto k : kinds)
        if (k == kind) return true;
    return false;
}

namespace {

void add_pod_refs(std::vector<name_reference>& out, const std::string& kind, const std::vector<std::string>& tails)
{
    static const std::pair<const char*, const char*> holders[] = {
        {"Pod", "spec"},
        {"Deployment", "spec/template/spec"},
        {"ReplicaSet", "spec/template/spec"},
        {"DaemonSet", "spec/template/spec"},
        {"StatefulSet", "spec/template/spec"},
        {"Job", "spec/template/spec"},
        {"ReplicationController", "spec/template/spec"},
        {"CronJob", "spec/jobTemplate/spec/template/spec"},
        {"PodTemplate", "template/spec"},
    };
    for (const auto& [holder, prefix] : holders)
        for (const auto& t : tails)
            out.push_back({"", kind, "", holder, std::string(prefix) + "/" + t});
}

std::vector<name_reference> build_name_references()
{
    std::vector<name_reference> r;
    add_pod_refs(r, "ConfigMap",
                 {"volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
                  "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
                  "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name",
                  "ephemeralContainers/env/valueFrom/configMapKeyRef/name",
                  "ephemeralContainers/envFrom/configMapRef/name"});
    add_pod_refs(r, "Secret",
                 {"volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
                  "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
                  "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
                  "volumes/projected/sources/secret/name", "volumes/csi/nodePublishSecretRef/name",
                  "ephemeralContainers/env/valueFrom/secretKeyRef/name",
                  "ephemeralContainers/envFrom/secretRef/name"});
    add_pod_refs(r, "ServiceAccount", {"serviceAccountName", "serviceAccount"});
    add_pod_refs(r, "PersistentVolumeClaim", {"volumes/persistentVolumeClaim/claimName"});
    add_pod_refs(r, "PriorityClass", {"priorityClassName"});
    auto add = [&](const char* kind, const char* referrer, const char* path) {
        r.push_back({"", kind, "", referrer, path});
    };
    add("Secret", "Ingress", "spec/tls/secretName");
    add("Secret", "ServiceAccount", "imagePullSecrets/name");
    add("Secret", "ServiceAccount", "secrets/name");
    add("Secret", "StorageClass", "parameters/csi.storage.k8s.io\\/provisioner-secret-name");
    add("Secret", "StorageClass", "parameters/csi.storage.k8s.io\\/node-stage-secret-name");
    add("Secret", "StorageClass", "parameters/csi.storage.k8s.io\\/node-publish-secret-name");
    add("Secret", "StorageClass", "parameters/csi.storage.k8s.io\\/controller-publish-secret-name");
    add("Secret", "StorageClass", "parameters/csi.storage.k8s.io\\/controller-expand-secret-name");
    add("Service", "Ingress", "spec/rules/http/paths/backend/serviceName");
    add("Service", "Ingress", "spec/backend/serviceName");
    add("Service", "Ingress", "spec/rules/http/paths/backend/service/name");
    add("Service", "Ingress", "spec/defaultBackend/service/name");
    add("Service", "StatefulSet", "spec/serviceName");
    add("Service", "APIService", "spec/service/name");
    add("Service", "ValidatingWebhookConfiguration", "webhooks/clientConfig/service/name");
    add("Service", "MutatingWebhookConfiguration", "webhooks/clientConfig/service/name");
    add("Role", "RoleBinding", "roleRef/name");
    add("ClusterRole", "RoleBinding", "roleRef/name");
    add("ClusterRole", "ClusterRoleBinding", "roleRef/name");
    add("ServiceAccount", "RoleBinding", "subjects/name");
    add("ServiceAccount", "ClusterRoleBinding", "subjects/name");
    add("PersistentVolume", "PersistentVolumeClaim", "spec/volumeName");
    add("StorageClass", "PersistentVolume", "spec/storageClassName");
    add("StorageClass", "PersistentVolumeClaim", "spec/storageClassName");
    add("StorageClass", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName");
    add("IngressClass", "Ingress", "spec/ingressClassName");
    for (const char* k : {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
        add(k, "HorizontalPodAutoscaler", "spec/scaleTargetRef/name");
    return r;
}

} // namespace

const std::vector<name_reference>& name_references()
{
    static const std::vector<name_reference> refs = build_name_references();
    return refs;
}

} // namespace weir::schema
