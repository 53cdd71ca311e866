// Defaults of built-in kinds, the values the real server's defaulting functions and REST
// strategies fill in, so that what clients read back (and what server-side apply dry-runs and
// drift detection compare) matches a real cluster. Applied to every written object before its
// managedFields are computed: an Update manager owns the defaults it caused, an applier does not.
// Facts from the Kubernetes API reference and defaulting code (v1.32).
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <openssl/rand.h>

#include <set>

namespace weir::apiserver {

namespace {

// Sets obj[key] = v when obj is an object without that key (or with null there).
void dflt(value& obj, std::string_view key, value v)
{
    if (!obj.is_object()) return;
    const value* cur = obj.find(key);
    if (!cur || cur->is_null()) obj[key] = std::move(v);
}

// obj[key] when it is an object (made so when absent and `create`), else nullptr.
value* child(value& obj, std::string_view key, bool create = false)
{
    if (!obj.is_object()) return nullptr;
    value* v = obj.find(key);
    if (!v || v->is_null()) {
        if (!create) return nullptr;
        obj[key] = object{};
        v = obj.find(key);
    }
    return v->is_object() ? v : nullptr;
}

template <class F> void each(value& obj, std::string_view key, F f)
{
    value* list = obj.is_object() ? obj.find(key) : nullptr;
    if (!list || !list->is_array()) return;
    for (auto& e : list->as_array())
        if (e.is_object()) f(e);
}

// Always for :latest or no tag (a digest counts as pinned), else IfNotPresent.
std::string pull_policy(std::string_view image)
{
    if (image.find('@') != std::string_view::npos) return "IfNotPresent";
    auto slash = image.rfind('/');
    auto colon = image.rfind(':');
    bool tagged = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
    if (!tagged || image.substr(colon + 1) == "latest") return "Always";
    return "IfNotPresent";
}

void handler_defaults(value& h)
{
    if (value* g = child(h, "httpGet")) {
        dflt(*g, "path", "/");
        dflt(*g, "scheme", "HTTP");
    }
}

void probe_defaults(value& p)
{
    dflt(p, "timeoutSeconds", 1);
    dflt(p, "periodSeconds", 10);
    dflt(p, "successThreshold", 1);
    dflt(p, "failureThreshold", 3);
    handler_defaults(p);
}

void container_defaults(value& c, bool host_network)
{
    dflt(c, "terminationMessagePath", "/dev/termination-log");
    dflt(c, "terminationMessagePolicy", "File");
    dflt(c, "imagePullPolicy", pull_policy(c.get_string("image")));
    dflt(c, "resources", object{});
    each(c, "ports", [&](value& p) {
        dflt(p, "protocol", "TCP");
        if (host_network)
            if (const value* cp = p.find("containerPort")) dflt(p, "hostPort", *cp);
    });
    each(c, "env", [](value& e) {
        if (value* from = child(e, "valueFrom"))
            if (value* f = child(*from, "fieldRef")) dflt(*f, "apiVersion", "v1");
    });
    for (const char* k : {"livenessProbe", "readinessProbe", "startupProbe"})
        if (value* p = child(c, k)) probe_defaults(*p);
    if (value* l = child(c, "lifecycle"))
        for (const char* k : {"postStart", "preStop"})
            if (value* h = child(*l, k)) handler_defaults(*h);
}

void volume_defaults(value& v)
{
    for (const char* k : {"secret", "configMap", "downwardAPI", "projected"})
        if (value* s = child(v, k)) dflt(*s, "defaultMode", 420);
    if (value* h = child(v, "hostPath")) dflt(*h, "type", "");
    if (value* p = child(v, "projected"))
        each(*p, "sources", [](value& s) {
            if (value* t = child(s, "serviceAccountToken")) dflt(*t, "expirationSeconds", 3600);
        });
    if (value* e = child(v, "ephemeral"))
        if (value* t = child(*e, "volumeClaimTemplate"))
            if (value* s = child(*t, "spec")) dflt(*s, "volumeMode", "Filesystem");
}

void pod_spec_defaults(value& spec)
{
    dflt(spec, "dnsPolicy", "ClusterFirst");
    dflt(spec, "restartPolicy", "Always");
    dflt(spec, "terminationGracePeriodSeconds", 30);
    dflt(spec, "securityContext", object{});
    dflt(spec, "schedulerName", "default-scheduler");
    // The deprecated serviceAccount mirrors serviceAccountName (a conversion of the real server).
    if (auto sa = spec.get_string("serviceAccountName"); !sa.empty())
        dflt(spec, "serviceAccount", std::string(sa));
    const value* hn = spec.find("hostNetwork");
    bool host_network = hn && hn->is_bool() && hn->as_bool();
    for (const char* k : {"containers", "initContainers"})
        each(spec, k, [&](value& c) { container_defaults(c, host_network); });
    each(spec, "volumes", volume_defaults);
}

void template_defaults(value& spec)
{
    if (value* t = child(spec, "template"))
        if (value* s = child(*t, "spec")) pod_spec_defaults(*s);
}

void deployment_defaults(value& spec)
{
    dflt(spec, "replicas", 1);
    value* st = child(spec, "strategy", true);
    dflt(*st, "type", "RollingUpdate");
    if (st->get_string("type") == "RollingUpdate") {
        value* ru = child(*st, "rollingUpdate", true);
        dflt(*ru, "maxUnavailable", "25%");
        dflt(*ru, "maxSurge", "25%");
    }
    dflt(spec, "revisionHistoryLimit", 10);
    dflt(spec, "progressDeadlineSeconds", 600);
    template_defaults(spec);
}

void statefulset_defaults(value& spec)
{
    dflt(spec, "replicas", 1);
    dflt(spec, "podManagementPolicy", "OrderedReady");
    value* us = child(spec, "updateStrategy", true);
    dflt(*us, "type", "RollingUpdate");
    if (us->get_string("type") == "RollingUpdate") dflt(*child(*us, "rollingUpdate", true), "partition", 0);
    dflt(spec, "revisionHistoryLimit", 10);
    value* retention = child(spec, "persistentVolumeClaimRetentionPolicy", true);
    dflt(*retention, "whenDeleted", "Retain");
    dflt(*retention, "whenScaled", "Retain");
    each(spec, "volumeClaimTemplates", [](value& pvc) {
        dflt(pvc, "apiVersion", "v1");
        dflt(pvc, "kind", "PersistentVolumeClaim");
        if (value* s = child(pvc, "spec")) dflt(*s, "volumeMode", "Filesystem");
        dflt(*child(pvc, "status", true), "phase", "Pending");
    });
    template_defaults(spec);
}

void daemonset_defaults(value& spec)
{
    value* us = child(spec, "updateStrategy", true);
    dflt(*us, "type", "RollingUpdate");
    if (us->get_string("type") == "RollingUpdate") {
        value* ru = child(*us, "rollingUpdate", true);
        dflt(*ru, "maxUnavailable", 1);
        dflt(*ru, "maxSurge", 0);
    }
    dflt(spec, "revisionHistoryLimit", 10);
    template_defaults(spec);
}

void job_spec_defaults(value& spec)
{
    if (!spec.find("completions") && !spec.find("parallelism")) dflt(spec, "completions", 1);
    dflt(spec, "parallelism", 1);
    dflt(spec, "backoffLimit", 6);
    dflt(spec, "completionMode", "NonIndexed");
    dflt(spec, "suspend", false);
    dflt(spec, "podReplacementPolicy", spec.find("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
    template_defaults(spec);
}

// A new Job selects its pods by its uid, as the Job strategy generates it (unless manualSelector).
void job_selector(value& obj)
{
    value* spec = child(obj, "spec");
    if (!spec) return;
    const value* manual = spec->find("manualSelector");
    if (manual && manual->is_bool() && manual->as_bool()) return;
    std::string uid(obj["metadata"].get_string("uid")), name(obj["metadata"].get_string("name"));
    value* labels = child(*child(*child(*spec, "template", true), "metadata", true), "labels", true);
    for (const char* k : {"batch.kubernetes.io/controller-uid", "controller-uid"})
        (*labels)[k] = uid;
    for (const char* k : {"batch.kubernetes.io/job-name", "job-name"})
        (*labels)[k] = name;
    // A Job without labels takes its template's, the generated ones included (as the docs' Job shows).
    value template_labels = *labels;
    if (!spec->find("selector"))
        (*spec)["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] = uid;
    value& md = obj["metadata"];
    if (!child(md, "labels") || md["labels"].as_object().empty()) md["labels"] = std::move(template_labels);
}

void cronjob_defaults(value& spec)
{
    dflt(spec, "concurrencyPolicy", "Allow");
    dflt(spec, "suspend", false);
    dflt(spec, "successfulJobsHistoryLimit", 3);
    dflt(spec, "failedJobsHistoryLimit", 1);
    if (value* jt = child(spec, "jobTemplate"))
        if (value* js = child(*jt, "spec")) template_defaults(*js);
}

void network_policy_defaults(value& spec)
{
    auto rule_ports = [](value& r) { each(r, "ports", [](value& p) { dflt(p, "protocol", "TCP"); }); };
    each(spec, "ingress", rule_ports);
    each(spec, "egress", rule_ports);
    if (!spec.find("policyTypes")) {
        value types = array{"Ingress"};
        const value* egress = spec.find("egress");
        if (egress && egress->is_array() && !egress->as_array().empty()) types.as_array().push_back("Egress");
        spec["policyTypes"] = std::move(types);
    }
}

std::uint32_t random_u32()
{
    std::uint32_t x = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&x), sizeof x);
    return x;
}

} // namespace

// Service: the defaults plus what the registry allocates (a cluster IP from 10.96.0.0/12, node
// ports from 30000-32767). An update that leaves them out keeps the allocated values.
void api::impl::service_defaults(call& c, const value* old, value& obj)
{
    value* spec = child(obj, "spec", true);
    dflt(*spec, "type", "ClusterIP");
    std::string type(spec->get_string("type"));
    dflt(*spec, "sessionAffinity", "None");
    if (spec->get_string("sessionAffinity") == "ClientIP")
        dflt(*child(*child(*spec, "sessionAffinityConfig", true), "clientIP", true), "timeoutSeconds", 10800);
    const value* old_spec = old ? old->find("spec") : nullptr;
    std::set<std::int64_t> used_ports;
    std::set<std::string> used_ips;
    bool scanned = false;
    auto scan = [&] {
        if (scanned) return;
        scanned = true;
        st->scan("/services/", "", [&](const std::string&, const stored_object& so) {
            auto v = parse_json(*so.json);
            if (!v) return true;
            if (auto ip = v->find_path({"spec", "clusterIP"}); ip && ip->is_string())
                used_ips.insert(ip->as_string());
            if (auto ps = v->find_path({"spec", "ports"}); ps && ps->is_array())
                for (const auto& p : ps->as_array())
                    if (const value* np = p.find("nodePort"); np && np->is_int())
                        used_ports.insert(np->as_int());
            return true;
        });
    };
    bool node_ports = type == "NodePort" || type == "LoadBalancer";
    each(*spec, "ports", [&](value& p) {
        dflt(p, "protocol", "TCP");
        const value* tp = p.find("targetPort");
        if ((!tp || (tp->is_int() && tp->as_int() == 0)) && p.find("port")) p["targetPort"] = *p.find("port");
        if (!node_ports || p.find("nodePort")) return;
        if (old_spec)
            if (const value* ops = old_spec->find("ports"); ops && ops->is_array())
                for (const auto& op : ops->as_array())
                    if (op.find("port") && p.find("port") && *op.find("port") == *p.find("port") &&
                        op.find("nodePort")) {
                        p["nodePort"] = *op.find("nodePort");
                        return;
                    }
        scan();
        std::int64_t port = 0;
        do
            port = 30000 + random_u32() % 2768;
        while (used_ports.contains(port));
        used_ports.insert(port);
        p["nodePort"] = port;
    });
    if (node_ports) dflt(*spec, "externalTrafficPolicy", "Cluster");
    if (type == "LoadBalancer") dflt(*spec, "allocateLoadBalancerNodePorts", true);
    if (type != "ExternalName") {
        dflt(*spec, "internalTrafficPolicy", "Cluster");
        if (old_spec && !spec->find("clusterIP"))
            for (const char* k : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"})
                if (const value* v = old_spec->find(k)) dflt(*spec, k, *v);
        if (!spec->find("clusterIP") || spec->get_string("clusterIP").empty()) {
            scan();
            std::string ip;
            do {
                std::uint32_t host =
                    2 + random_u32() % ((1u << 20) - 3); // 10.96.0.0/12, not .0, .1 or broadcast
                std::uint32_t a = (10u << 24) | (96u << 16) | host;
                ip = fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
            } while (used_ips.contains(ip));
            (*spec)["clusterIP"] = ip;
        }
        dflt(*spec, "clusterIPs", array{std::string(spec->get_string("clusterIP"))});
        dflt(*spec, "ipFamilies", array{"IPv4"});
        dflt(*spec, "ipFamilyPolicy", "SingleStack");
    }
    if (c.t.sub.empty() || c.t.sub == "status") dflt(*child(obj, "status", true), "loadBalancer", object{});
}

void api::impl::apply_defaults(call& c, const value* old, value& obj)
{
    if (c.t.res->custom || !obj.is_object()) return;
    const std::string& g = c.t.res->group;
    const std::string& r = c.t.res->resource;
    if (g.empty()) {
        if (r == "services") return service_defaults(c, old, obj);
        if (r == "secrets") return dflt(obj, "type", "Opaque");
        if (r == "pods") {
            if (value* s = child(obj, "spec")) {
                pod_spec_defaults(*s);
                dflt(*s, "enableServiceLinks", true);
            }
            // Nothing schedules it: a new pod stays Pending.
            if (!old) dflt(*child(obj, "status", true), "phase", "Pending");
        }
        if (r == "podtemplates" || r == "replicationcontrollers")
            if (value* s = child(obj, "spec")) template_defaults(*s);
        if (r == "persistentvolumeclaims") {
            if (value* s = child(obj, "spec")) dflt(*s, "volumeMode", "Filesystem");
            dflt(*child(obj, "status", true), "phase", "Pending");
        }
        return;
    }
    if (g == "rbac.authorization.k8s.io" && (r == "rolebindings" || r == "clusterrolebindings")) {
        each(obj, "subjects", [](value& s) {
            // ServiceAccount subjects default to the core group, "", which is not written.
            std::string_view k = s.get_string("kind");
            if (k == "User" || k == "Group") dflt(s, "apiGroup", "rbac.authorization.k8s.io");
        });
        return;
    }
    if (g == "apiextensions.k8s.io") {
        if (value* s = child(obj, "spec")) dflt(*child(*s, "conversion", true), "strategy", "None");
        return;
    }
    // Go writes an empty status struct as {} (omitempty does not drop structs).
    if (g == "apps" || g == "batch") dflt(obj, "status", object{});
    if (g == "networking.k8s.io" && r == "ingresses")
        dflt(*child(obj, "status", true), "loadBalancer", object{});
    value* spec = child(obj, "spec");
    if (!spec) return;
    if (g == "apps" && r == "deployments")
        deployment_defaults(*spec);
    else if (g == "apps" && r == "statefulsets")
        statefulset_defaults(*spec);
    else if (g == "apps" && r == "daemonsets")
        daemonset_defaults(*spec);
    else if (g == "apps" && r == "replicasets") {
        dflt(*spec, "replicas", 1);
        template_defaults(*spec);
    } else if (g == "batch" && r == "jobs") {
        if (!old) job_selector(obj);
        job_spec_defaults(*child(obj, "spec"));
    } else if (g == "batch" && r == "cronjobs")
        cronjob_defaults(*spec);
    else if (g == "networking.k8s.io" && r == "networkpolicies")
        network_policy_defaults(*spec);
}

} // namespace weir::apiserver
