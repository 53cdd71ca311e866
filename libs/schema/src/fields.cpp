// weir's table of the fields of built-in kinds, written compactly and parsed once:
//   Name{field field:Type field{inline fields}}   a named type
//   Name:Base{more fields}                        Base's fields and more
//   group/Kind{...}                               a kind (core group: /Kind)
//   group/Kind:Name                               a kind with a named type
//   %                                             apiVersion kind metadata:ObjectMeta
// Facts from the Kubernetes API reference, v1.32.
#include <weir/schema/fields.hpp>

#include <cctype>
#include <deque>
#include <map>
#include <stdexcept>

namespace weir::schema {

namespace {

constexpr std::string_view table_text = R"(
ObjectMeta{name generateName namespace selfLink uid resourceVersion generation creationTimestamp
  deletionTimestamp deletionGracePeriodSeconds labels annotations finalizers
  ownerReferences{apiVersion kind name uid controller blockOwnerDeletion}
  managedFields{manager operation apiVersion time fieldsType fieldsV1 subresource}}
LabelSelector{matchLabels matchExpressions{key operator values}}
ObjectReference{kind namespace name uid apiVersion resourceVersion fieldPath}
LocalObjectReference{name}
TypedLocalObjectReference{apiGroup kind name}
KeyToPath{key path mode}
ObjectFieldSelector{apiVersion fieldPath}
ResourceFieldSelector{containerName resource divisor}
ExecAction{command}
HTTPGetAction{path port host scheme httpHeaders{name value}}
TCPSocketAction{port host}
Probe{exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction grpc{port service}
  initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold terminationGracePeriodSeconds}
LifecycleHandler{exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction sleep{seconds}}
SELinuxOptions{user role type level}
WindowsOptions{gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess}
Profile{type localhostProfile}
SecurityContext{capabilities{add drop} privileged seLinuxOptions:SELinuxOptions windowsOptions:WindowsOptions
  runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem allowPrivilegeEscalation procMount
  seccompProfile:Profile appArmorProfile:Profile}
ResourceRequirements{limits requests claims{name request}}
Container{name image command args workingDir ports{name hostPort containerPort protocol hostIP}
  envFrom{prefix configMapRef{name optional} secretRef{name optional}}
  env{name value valueFrom{fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector
    configMapKeyRef{name key optional} secretKeyRef{name key optional}}}
  resources:ResourceRequirements resizePolicy{resourceName restartPolicy} restartPolicy
  volumeMounts{name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr}
  volumeDevices{name devicePath} livenessProbe:Probe readinessProbe:Probe startupProbe:Probe
  lifecycle{postStart:LifecycleHandler preStop:LifecycleHandler} terminationMessagePath
  terminationMessagePolicy imagePullPolicy securityContext:SecurityContext stdin stdinOnce tty}
EphemeralContainer:Container{targetContainerName}
PodSecurityContext{seLinuxOptions:SELinuxOptions windowsOptions:WindowsOptions runAsUser runAsGroup
  runAsNonRoot supplementalGroups supplementalGroupsPolicy fsGroup sysctls{name value}
  fsGroupChangePolicy seccompProfile:Profile appArmorProfile:Profile seLinuxChangePolicy}
NodeSelectorTerm{matchExpressions{key operator values} matchFields{key operator values}}
PodAffinityTerm{labelSelector:LabelSelector namespaces topologyKey namespaceSelector:LabelSelector
  matchLabelKeys mismatchLabelKeys}
PodAffinity{requiredDuringSchedulingIgnoredDuringExecution:PodAffinityTerm
  preferredDuringSchedulingIgnoredDuringExecution{weight podAffinityTerm:PodAffinityTerm}}
Affinity{nodeAffinity{requiredDuringSchedulingIgnoredDuringExecution{nodeSelectorTerms:NodeSelectorTerm}
    preferredDuringSchedulingIgnoredDuringExecution{weight preference:NodeSelectorTerm}}
  podAffinity:PodAffinity podAntiAffinity:PodAffinity}
DownwardAPIVolumeFile{path fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector mode}
Volume{name hostPath{path type} emptyDir{medium sizeLimit}
  secret{secretName items:KeyToPath defaultMode optional}
  configMap{name items:KeyToPath defaultMode optional}
  persistentVolumeClaim{claimName readOnly}
  downwardAPI{items:DownwardAPIVolumeFile defaultMode}
  projected{defaultMode sources{secret{name items:KeyToPath optional} configMap{name items:KeyToPath optional}
    downwardAPI{items:DownwardAPIVolumeFile} serviceAccountToken{audience expirationSeconds path}
    clusterTrustBundle}}
  csi{driver readOnly fsType volumeAttributes nodePublishSecretRef:LocalObjectReference}
  ephemeral{volumeClaimTemplate{metadata:ObjectMeta spec:PersistentVolumeClaimSpec}}
  image{reference pullPolicy}
  gcePersistentDisk awsElasticBlockStore gitRepo nfs iscsi glusterfs rbd flexVolume cinder cephfs
  flocker fc azureFile vsphereVolume quobyte azureDisk photonPersistentDisk portworxVolume scaleIO
  storageos}
PodSpec{volumes:Volume initContainers:Container containers:Container ephemeralContainers:EphemeralContainer
  restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy nodeSelector
  serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC
  shareProcessNamespace securityContext:PodSecurityContext imagePullSecrets:LocalObjectReference
  hostname subdomain affinity:Affinity schedulerName tolerations{key operator value effect tolerationSeconds}
  hostAliases{ip hostnames} priorityClassName priority
  dnsConfig{nameservers searches options{name value}} readinessGates{conditionType} runtimeClassName
  enableServiceLinks preemptionPolicy overhead
  topologySpreadConstraints{maxSkew topologyKey whenUnsatisfiable labelSelector:LabelSelector minDomains
    nodeAffinityPolicy nodeTaintsPolicy matchLabelKeys}
  setHostnameAsFQDN os{name} hostUsers schedulingGates{name}
  resourceClaims{name resourceClaimName resourceClaimTemplateName} resources:ResourceRequirements}
PodTemplateSpec{metadata:ObjectMeta spec:PodSpec}
PersistentVolumeClaimSpec{accessModes selector:LabelSelector resources{limits requests} volumeName
  storageClassName volumeMode dataSource:TypedLocalObjectReference
  dataSourceRef{apiGroup kind name namespace} volumeAttributesClassName}
JobSpec{parallelism completions activeDeadlineSeconds
  podFailurePolicy{rules{action onExitCodes{containerName operator values} onPodConditions{type status}}}
  successPolicy{rules{succeededIndexes succeededCount}} backoffLimit backoffLimitPerIndex maxFailedIndexes
  selector:LabelSelector manualSelector template:PodTemplateSpec ttlSecondsAfterFinished completionMode
  suspend podReplacementPolicy managedBy}
IngressBackend{service{name port{name number}} resource:TypedLocalObjectReference}
NetworkPolicyPeer{podSelector:LabelSelector namespaceSelector:LabelSelector ipBlock{cidr except}}
PolicyRule{verbs apiGroups resources resourceNames nonResourceURLs}
Binding{% subjects{kind apiGroup name namespace} roleRef{apiGroup kind name}}

/Namespace{% spec{finalizers} status}
/ConfigMap{% data binaryData immutable}
/Secret{% data stringData type immutable}
/ServiceAccount{% secrets:ObjectReference imagePullSecrets:LocalObjectReference automountServiceAccountToken}
/Service{% status spec{ports{name protocol appProtocol port targetPort nodePort} selector clusterIP clusterIPs
  type externalIPs sessionAffinity loadBalancerIP loadBalancerSourceRanges externalName
  externalTrafficPolicy healthCheckNodePort publishNotReadyAddresses
  sessionAffinityConfig{clientIP{timeoutSeconds}} ipFamilies ipFamilyPolicy allocateLoadBalancerNodePorts
  loadBalancerClass internalTrafficPolicy trafficDistribution}}
/Event{% involvedObject:ObjectReference reason message source{component host} firstTimestamp lastTimestamp
  count type eventTime series{count lastObservedTime} action related:ObjectReference
  reportingComponent reportingInstance}
events.k8s.io/Event{% eventTime series{count lastObservedTime} reportingController reportingInstance action
  reason regarding:ObjectReference related:ObjectReference note type deprecatedSource{component host}
  deprecatedFirstTimestamp deprecatedLastTimestamp deprecatedCount}
/PersistentVolumeClaim{% spec:PersistentVolumeClaimSpec status}
/Pod{% spec:PodSpec status}
/PodTemplate{% template:PodTemplateSpec}
coordination.k8s.io/Lease{% spec{holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions
  strategy preferredHolder}}
apps/Deployment{% status spec{replicas selector:LabelSelector template:PodTemplateSpec
  strategy{type rollingUpdate{maxUnavailable maxSurge}} minReadySeconds revisionHistoryLimit paused
  progressDeadlineSeconds}}
apps/StatefulSet{% status spec{replicas selector:LabelSelector template:PodTemplateSpec
  volumeClaimTemplates{% spec:PersistentVolumeClaimSpec status} serviceName podManagementPolicy
  updateStrategy{type rollingUpdate{partition maxUnavailable}} revisionHistoryLimit minReadySeconds
  persistentVolumeClaimRetentionPolicy{whenDeleted whenScaled} ordinals{start}}}
apps/DaemonSet{% status spec{selector:LabelSelector template:PodTemplateSpec
  updateStrategy{type rollingUpdate{maxUnavailable maxSurge}} minReadySeconds revisionHistoryLimit}}
apps/ReplicaSet{% status spec{replicas minReadySeconds selector:LabelSelector template:PodTemplateSpec}}
batch/Job{% status spec:JobSpec}
batch/CronJob{% status spec{schedule timeZone startingDeadlineSeconds concurrencyPolicy suspend
  jobTemplate{metadata:ObjectMeta spec:JobSpec} successfulJobsHistoryLimit failedJobsHistoryLimit}}
networking.k8s.io/Ingress{% status spec{ingressClassName defaultBackend:IngressBackend tls{hosts secretName}
  rules{host http{paths{path pathType backend:IngressBackend}}}}}
networking.k8s.io/NetworkPolicy{% spec{podSelector:LabelSelector policyTypes
  ingress{ports{protocol port endPort} from:NetworkPolicyPeer}
  egress{ports{protocol port endPort} to:NetworkPolicyPeer}}}
rbac.authorization.k8s.io/Role{% rules:PolicyRule}
rbac.authorization.k8s.io/ClusterRole{% rules:PolicyRule aggregationRule{clusterRoleSelectors:LabelSelector}}
rbac.authorization.k8s.io/RoleBinding:Binding
rbac.authorization.k8s.io/ClusterRoleBinding:Binding
apiextensions.k8s.io/CustomResourceDefinition{% status spec{group scope preserveUnknownFields
  names{plural singular shortNames kind listKind categories}
  versions{name served storage deprecated deprecationWarning schema{openAPIV3Schema}
    subresources{status scale{specReplicasPath statusReplicasPath labelSelectorPath}}
    additionalPrinterColumns{name type format description priority jsonPath} selectableFields{jsonPath}}
  conversion{strategy webhook{conversionReviewVersions
    clientConfig{url caBundle service{namespace name path port}}}}}}
)";

// Parses table_text. Types are referred to by name before they are defined; names are resolved
// once everything is read (by type and field index: field vectors still grow while parsing).
class parser {
public:
    std::deque<field_type> types;
    std::map<std::string, field_type*, std::less<>> named;

    parser()
    {
        std::vector<std::pair<std::string, std::string>> aliases;
        std::vector<std::pair<field_type*, std::string>> extensions;
        while (peek() != '\0') {
            std::string name = ident();
            std::string base;
            if (peek() == ':') { // Kind:Type shares a named type; Name:Base{...} extends one
                ++at_;
                base = ident();
                if (peek() != '{') {
                    aliases.emplace_back(name, base);
                    continue;
                }
            }
            field_type* t = body();
            t->name = name;
            named.emplace(name, t);
            if (!base.empty()) extensions.emplace_back(t, base);
        }
        for (auto& r : refs_)
            r.type->fields[r.index].type = lookup(r.name);
        for (auto& [t, base] : extensions) {
            const auto& inherited = lookup(base)->fields;
            t->fields.insert(t->fields.begin(), inherited.begin(), inherited.end());
        }
        for (auto& [name, target] : aliases)
            named.emplace(name, lookup(target));
    }

private:
    struct ref {
        field_type* type;
        std::size_t index;
        std::string name;
    };
    std::size_t at_ = 0;
    std::vector<ref> refs_;

    field_type* lookup(const std::string& name)
    {
        auto it = named.find(name);
        if (it == named.end()) throw std::logic_error("schema field table: unknown type " + name);
        return it->second;
    }
    char peek()
    {
        while (at_ < table_text.size() && std::isspace(static_cast<unsigned char>(table_text[at_])))
            ++at_;
        return at_ < table_text.size() ? table_text[at_] : '\0';
    }
    std::string ident()
    {
        peek();
        std::size_t start = at_;
        auto word = [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '%';
        };
        while (at_ < table_text.size() && word(table_text[at_]))
            ++at_;
        if (at_ == start)
            throw std::logic_error("schema field table: name expected at " + std::to_string(at_));
        return std::string(table_text.substr(start, at_ - start));
    }
    // "{ fields }": a new anonymous type.
    field_type* body()
    {
        field_type* t = &types.emplace_back();
        if (peek() != '{')
            throw std::logic_error("schema field table: '{' expected at " + std::to_string(at_));
        ++at_;
        while (peek() != '}') {
            std::string f = ident();
            if (f == "%") {
                t->fields.push_back({"apiVersion"});
                t->fields.push_back({"kind"});
                t->fields.push_back({"metadata"});
                refs_.push_back({t, t->fields.size() - 1, "ObjectMeta"});
                continue;
            }
            t->fields.push_back({f});
            std::size_t index = t->fields.size() - 1;
            if (peek() == ':') {
                ++at_;
                refs_.push_back({t, index, ident()});
            } else if (peek() == '{') {
                field_type* inner = body();
                t->fields[index].type = inner;
            }
        }
        ++at_;
        return t;
    }
};

const parser& the_table()
{
    static const parser p;
    return p;
}

} // namespace

const field_ref* field_type::find(std::string_view field) const
{
    for (const auto& f : fields)
        if (f.name == field) return &f;
    return nullptr;
}

const field_type* named_type(std::string_view name)
{
    const auto& n = the_table().named;
    auto it = n.find(name);
    return it == n.end() ? nullptr : it->second;
}

const field_type* fields_for(std::string_view api_version, std::string_view kind)
{
    auto slash = api_version.find('/');
    std::string key(slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash));
    key += '/';
    key += kind;
    return named_type(key);
}

} // namespace weir::schema
