// Field specs and transformer configurations: kustomize's way of saying where a transformer acts.
#include "internal.hpp"

#include <weir/schema/schema.hpp>

namespace weir::kustomize::detail {

std::string resource::name() const
{
    const value* n = obj.find_path({"metadata", "name"});
    return n && n->is_string() ? n->as_string() : std::string{};
}

std::string resource::ns() const
{
    const value* n = obj.find_path({"metadata", "namespace"});
    return n && n->is_string() ? n->as_string() : std::string{};
}

void resource::set_name(std::string n)
{
    obj["metadata"]["name"] = std::move(n);
}
void resource::set_ns(std::string n)
{
    obj["metadata"]["namespace"] = std::move(n);
}

void resource::remember()
{
    auto n = name();
    if (names.empty() || names.back() != n) names.push_back(n);
    auto s = ns();
    if (namespaces.empty() || namespaces.back() != s) namespaces.push_back(s);
}

error build_error(std::string message)
{
    return terminal_error(std::move(message), "BuildFailed");
}

bool field_spec::matches(const value& obj) const
{
    if (!kind.empty() && obj.get_string("kind") != kind) return false;
    std::string_view av = obj.get_string("apiVersion");
    if (!group.empty() && schema::group_of(av) != group) return false;
    if (!version.empty()) {
        auto slash = av.find('/');
        std::string_view v = slash == std::string_view::npos ? av : av.substr(slash + 1);
        if (v != version) return false;
    }
    return true;
}

std::vector<std::string> split_path(std::string_view path);

const std::vector<std::string>& field_spec::segments() const
{
    if (!split_) {
        segments_ = split_path(path);
        split_ = true;
    }
    return segments_;
}

std::vector<std::string> split_path(std::string_view path)
{
    std::vector<std::string> out;
    std::string cur;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '/') {
            cur += '/';
            ++i;
        } else if (path[i] == '/') {
            out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += path[i];
        }
    }
    if (!cur.empty() || !out.empty()) out.push_back(std::move(cur));
    return out;
}

namespace {

void visit(value& cur, const std::vector<std::string>& path, std::size_t i, bool create,
           const std::function<void(value&)>& fn)
{
    if (i == path.size()) {
        fn(cur);
        return;
    }
    if (cur.is_array()) {
        for (auto& e : cur.as_array())
            visit(e, path, i, create, fn);
        return;
    }
    if (!cur.is_object()) return;
    // Views into the segment, no copies: this runs for every field spec on every object.
    std::string_view seg = path[i];
    std::string_view sel_key, sel_val;
    bool all = false;
    if (auto b = seg.find('['); b != std::string_view::npos && seg.back() == ']') {
        std::string_view inner = seg.substr(b + 1, seg.size() - b - 2);
        seg = seg.substr(0, b);
        if (inner.empty()) {
            all = true;
        } else if (auto eq = inner.find('='); eq != std::string_view::npos) {
            sel_key = inner.substr(0, eq);
            sel_val = inner.substr(eq + 1);
        }
    }
    value* next = cur.find(seg);
    if (!next) {
        if (!create || all || !sel_key.empty()) return;
        if (i + 1 == path.size()) {
            value fresh;
            fn(fresh);
            if (!fresh.is_null()) cur.as_object().push_back(std::string(seg), std::move(fresh));
            return;
        }
        cur.as_object().push_back(std::string(seg), object{});
        next = cur.find(seg);
    }
    if (next->is_null() && create && i + 1 < path.size()) *next = object{};
    if (!sel_key.empty()) {
        if (!next->is_array()) return;
        for (auto& e : next->as_array())
            if (e.is_object() && e.get_string(sel_key) == sel_val) visit(e, path, i + 1, create, fn);
        return;
    }
    visit(*next, path, i + 1, create, fn);
}

field_spec spec(const char* group, const char* version, const char* kind, const char* path, bool create)
{
    return field_spec{group, version, kind, path, create};
}

void append_unique(std::vector<field_spec>& into, const std::vector<field_spec>& more)
{
    for (const auto& f : more) {
        bool dup = false;
        for (const auto& g : into)
            if (g.group == f.group && g.version == f.version && g.kind == f.kind && g.path == f.path)
                dup = true;
        if (!dup) into.push_back(f);
    }
}

} // namespace

std::vector<field_spec> parse_specs(const value* list)
{
    std::vector<field_spec> out;
    if (!list || !list->is_array()) return out;
    for (const auto& e : list->as_array()) {
        if (!e.is_object()) continue;
        field_spec f;
        f.group = e.get_string("group");
        f.version = e.get_string("version");
        f.kind = e.get_string("kind");
        f.path = e.get_string("path");
        const value* c = e.find("create");
        f.create = c && c->is_bool() && c->as_bool();
        out.push_back(std::move(f));
    }
    return out;
}

void visit_path(value& obj, const std::vector<std::string>& path, bool create,
                const std::function<void(value&)>& fn)
{
    visit(obj, path, 0, create, fn);
}

void config::merge(const config& o)
{
    append_unique(name_prefix, o.name_prefix);
    append_unique(name_suffix, o.name_suffix);
    append_unique(namespace_, o.namespace_);
    append_unique(common_labels, o.common_labels);
    append_unique(template_labels, o.template_labels);
    append_unique(common_annotations, o.common_annotations);
    append_unique(images, o.images);
    append_unique(replicas, o.replicas);
    append_unique(var_reference, o.var_reference);
    for (const auto& r : o.name_reference) {
        name_ref_spec* found = nullptr;
        for (auto& mine : name_reference)
            if (mine.kind == r.kind && mine.group == r.group && mine.version == r.version) found = &mine;
        if (found)
            append_unique(found->fields, r.fields);
        else
            name_reference.push_back(r);
    }
}

result<config> parse_config(const value& doc, const std::string& file)
{
    if (!doc.is_object()) return build_error("transformer configuration " + file + " must be a map");
    config c;
    for (const auto& [k, v] : doc.as_object()) {
        if (k == "namePrefix")
            c.name_prefix = parse_specs(&v);
        else if (k == "nameSuffix")
            c.name_suffix = parse_specs(&v);
        else if (k == "namespace")
            c.namespace_ = parse_specs(&v);
        else if (k == "commonLabels")
            c.common_labels = parse_specs(&v);
        else if (k == "templateLabels")
            c.template_labels = parse_specs(&v);
        else if (k == "commonAnnotations")
            c.common_annotations = parse_specs(&v);
        else if (k == "images")
            c.images = parse_specs(&v);
        else if (k == "replicas")
            c.replicas = parse_specs(&v);
        else if (k == "varReference")
            c.var_reference = parse_specs(&v);
        else if (k == "nameReference") {
            if (!v.is_array()) continue;
            for (const auto& e : v.as_array()) {
                if (!e.is_object()) continue;
                name_ref_spec r;
                r.kind = e.get_string("kind");
                r.group = e.get_string("group");
                r.fields = parse_specs(e.find("fieldSpecs"));
                c.name_reference.push_back(std::move(r));
            }
        } else {
            return build_error("transformer configuration " + file + ": unknown field \"" + k + "\"");
        }
    }
    return c;
}

namespace {

config make_default_config()
{
    config c;
    c.name_prefix = {spec("", "", "", "metadata/name", false)};
    c.name_suffix = c.name_prefix;
    // A Namespace object takes the namespace's name.
    c.namespace_ = {spec("", "", "", "metadata/namespace", true),
                    spec("", "v1", "Namespace", "metadata/name", true)};
    auto& l = c.common_labels;
    l.push_back(spec("", "", "", "metadata/labels", true));
    l.push_back(spec("", "v1", "Service", "spec/selector", true));
    l.push_back(spec("", "v1", "ReplicationController", "spec/selector", true));
    l.push_back(spec("", "v1", "ReplicationController", "spec/template/metadata/labels", true));
    for (const char* k : {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"}) {
        const char* g = std::string_view(k) == "StatefulSet" ? "apps" : "";
        l.push_back(spec(g, "", k, "spec/selector/matchLabels", true));
        l.push_back(spec(g, "", k, "spec/template/metadata/labels", true));
        if (std::string_view(k) == "Deployment" || std::string_view(k) == "StatefulSet") {
            for (const char* a : {"podAffinity", "podAntiAffinity"}) {
                std::string base = std::string("spec/template/spec/affinity/") + a;
                l.push_back(field_spec{"apps", "", k,
                                       base + "/preferredDuringSchedulingIgnoredDuringExecution/"
                                              "podAffinityTerm/labelSelector/matchLabels",
                                       false});
                l.push_back(field_spec{
                    "apps", "", k,
                    base + "/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
                    false});
            }
            l.push_back(spec("apps", "", k,
                             "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
                             false));
        }
    }
    l.push_back(spec("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true));
    l.push_back(spec("batch", "", "Job", "spec/selector/matchLabels", false));
    l.push_back(spec("batch", "", "Job", "spec/template/metadata/labels", true));
    l.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false));
    l.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true));
    l.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true));
    l.push_back(spec("policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", false));
    l.push_back(spec("networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", false));
    l.push_back(
        spec("networking.k8s.io", "", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false));
    l.push_back(
        spec("networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false));

    auto& t = c.template_labels;
    t.push_back(spec("", "v1", "ReplicationController", "spec/template/metadata/labels", true));
    for (const char* k : {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"})
        t.push_back(spec("", "", k, "spec/template/metadata/labels", true));
    t.push_back(spec("batch", "", "Job", "spec/template/metadata/labels", true));
    t.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true));
    t.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true));

    auto& a = c.common_annotations;
    a.push_back(spec("", "", "", "metadata/annotations", true));
    a.push_back(spec("", "v1", "ReplicationController", "spec/template/metadata/annotations", true));
    for (const char* k : {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"})
        a.push_back(spec("", "", k, "spec/template/metadata/annotations", true));
    a.push_back(spec("batch", "", "Job", "spec/template/metadata/annotations", true));
    a.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true));
    a.push_back(spec("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true));

    for (const char* p :
         {"spec/containers[]/image", "spec/initContainers[]/image", "spec/template/spec/containers[]/image",
          "spec/template/spec/initContainers[]/image"})
        c.images.push_back(spec("", "", "", p, true));
    for (const char* k : {"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"})
        c.replicas.push_back(spec("", "", k, "spec/replicas", true));

    // vars: container command, args and env values of the workload kinds, Ingress hosts, and
    // annotations of any object.
    auto container_vars = [&](const char* kind, const std::string& prefix) {
        for (const char* list : {"containers", "initContainers"})
            for (const char* f : {"command", "args", "env/value"})
                c.var_reference.push_back(field_spec{"", "", kind, prefix + list + "/" + f, false});
    };
    container_vars("Pod", "spec/");
    for (const char* k :
         {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"})
        container_vars(k, "spec/template/spec/");
    container_vars("CronJob", "spec/jobTemplate/spec/template/spec/");
    for (const char* p : {"spec/rules/host", "spec/tls/hosts", "spec/tls/secretName"})
        c.var_reference.push_back(spec("", "", "Ingress", p, false));
    c.var_reference.push_back(spec("", "", "", "metadata/annotations", false));

    for (const auto& r : schema::name_references()) {
        name_ref_spec* found = nullptr;
        for (auto& mine : c.name_reference)
            if (mine.kind == r.kind) found = &mine;
        if (!found) {
            c.name_reference.push_back(name_ref_spec{r.group, r.kind, {}});
            found = &c.name_reference.back();
        }
        found->fields.push_back(field_spec{r.referrer_group, "", r.referrer_kind, r.path, false});
    }
    return c;
}

} // namespace

// Built once: every kustomization of a build starts from a copy.
config default_config()
{
    static const config defaults = make_default_config();
    return defaults;
}

} // namespace weir::kustomize::detail

namespace weir::kustomize::detail {

bool cluster_scoped(std::string_view api_version, std::string_view kind)
{
    // kustomize v5.5 knows built-in kinds from the Kubernetes 1.21 openapi document: kinds (and
    // versions) added later are unknown to it and therefore namespaced.
    static constexpr std::string_view newer[] = {"ValidatingAdmissionPolicy",
                                                 "ValidatingAdmissionPolicyBinding",
                                                 "MutatingAdmissionPolicy",
                                                 "MutatingAdmissionPolicyBinding",
                                                 "ClusterTrustBundle",
                                                 "IPAddress",
                                                 "ServiceCIDR",
                                                 "VolumeAttributesClass",
                                                 "DeviceClass",
                                                 "ResourceSlice",
                                                 "SelfSubjectReview"};
    for (auto k : newer)
        if (k == kind) return false;
    if (kind == "FlowSchema" || kind == "PriorityLevelConfiguration")
        return api_version.ends_with("/v1beta1") || api_version.ends_with("/v1alpha1");
    return schema::cluster_scoped(schema::group_of(api_version), kind);
}

} // namespace weir::kustomize::detail
