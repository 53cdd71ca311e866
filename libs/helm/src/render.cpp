// render_chart: Helm's engine.Render and action.renderResources. Every template of the chart and
// its subcharts is parsed into one set (deepest paths first, so the top chart's defines win),
// executed with its chart's scope, then split into documents and sorted in install order.
#include "render_internal.hpp"

#include <weir/core/semver.hpp>
#include <weir/core/yaml.hpp>
#include <weir/helm/values.hpp>

#include <algorithm>
#include <mutex>
#include <regex>

namespace weir::helm {
namespace gt = weir::gotemplate;
namespace {

struct renderable {
    const chart_file* file;
    std::string path;      // chart full path + "/" + file name
    std::string base_path; // chart full path + "/templates"
    std::shared_ptr<gt::go_value> scope;
};

gt::go_value s(std::string v) { return gt::go_value::of_string(std::move(v)); }

gt::go_value string_list(const std::vector<std::string>& l)
{
    gt::go_list out;
    for (const auto& e : l) out.push_back(s(e));
    return gt::go_value::of_list(std::move(out), gt::go_type::list_string);
}

gt::go_value chart_object(const chart& c, bool is_root)
{
    const auto& m = c.metadata;
    gt::go_map o;
    o["Name"] = s(m.name);
    o["Home"] = s(m.home);
    o["Sources"] = string_list(m.sources);
    o["Version"] = s(m.version);
    o["Description"] = s(m.description);
    o["Keywords"] = string_list(m.keywords);
    gt::go_list maint;
    for (const auto& x : m.maintainers) {
        gt::go_map mm;
        mm["Name"] = s(std::string(x.get_string("name")));
        mm["Email"] = s(std::string(x.get_string("email")));
        mm["URL"] = s(std::string(x.get_string("url")));
        maint.push_back(gt::go_value::of_map(std::move(mm)));
    }
    o["Maintainers"] = gt::go_value::of_list(std::move(maint));
    o["Icon"] = s(m.icon);
    o["APIVersion"] = s(m.api_version);
    o["Condition"] = s(m.condition);
    o["Tags"] = s(m.tags);
    o["AppVersion"] = s(m.app_version);
    o["Deprecated"] = gt::go_value::of_bool(m.deprecated);
    gt::go_map ann;
    for (const auto& [k, v] : m.annotations) ann[k] = s(v.is_string() ? v.as_string() : std::string());
    o["Annotations"] = gt::go_value::of_map(std::move(ann), gt::go_type::map_string);
    o["KubeVersion"] = s(m.kube_version);
    gt::go_list deps;
    for (const auto& d : m.dependencies) {
        gt::go_map dm;
        dm["Name"] = s(d.name);
        dm["Version"] = s(d.version);
        dm["Repository"] = s(d.repository);
        dm["Condition"] = s(d.condition);
        dm["Tags"] = string_list(d.tags);
        dm["Enabled"] = gt::go_value::of_bool(d.enabled);
        dm["ImportValues"] = gt::go_value::from(weir::value(d.import_values));
        dm["Alias"] = s(d.alias);
        deps.push_back(gt::go_value::of_map(std::move(dm)));
    }
    o["Dependencies"] = gt::go_value::of_list(std::move(deps));
    o["Type"] = s(m.type);
    o["IsRoot"] = gt::go_value::of_bool(is_root);
    return gt::go_value::of_map(std::move(o));
}

std::vector<std::string> default_api_versions()
{
    static const char* const known[] = {
        "v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
        "apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
        "batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
        "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "networking.k8s.io/v1", "node.k8s.io/v1",
        "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1",
        "v1/ConfigMap", "v1/Secret", "v1/Service", "v1/Pod", "v1/Namespace", "v1/ServiceAccount",
        "v1/PersistentVolumeClaim", "apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/DaemonSet",
        "batch/v1/Job", "batch/v1/CronJob", "networking.k8s.io/v1/Ingress", "networking.k8s.io/v1/IngressClass",
        "networking.k8s.io/v1/NetworkPolicy", "policy/v1/PodDisruptionBudget", "autoscaling/v2/HorizontalPodAutoscaler",
        "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding",
        "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
        "apiextensions.k8s.io/v1/CustomResourceDefinition"};
    return {std::begin(known), std::end(known)};
}

gt::go_value capabilities_object(const capabilities& caps)
{
    gt::go_map kv;
    std::string v = caps.kube_version;
    if (!v.empty() && v[0] != 'v') v = "v" + v;
    std::string major, minor;
    if (auto sv = semver::parse(v.substr(1))) {
        major = std::to_string(sv->major);
        minor = std::to_string(sv->minor);
    }
    kv["Version"] = s(v);
    kv["Major"] = s(major);
    kv["Minor"] = s(minor);
    kv["GitVersion"] = s(v);
    gt::go_map hv;
    hv["Version"] = s(caps.helm_version);
    hv["GitCommit"] = s("");
    hv["GitTreeState"] = s("");
    hv["GoVersion"] = s("go1.22");
    std::vector<std::string> apis = default_api_versions();
    apis.insert(apis.end(), caps.api_versions.begin(), caps.api_versions.end());
    gt::go_map c;
    // KubeVersion.String() is the version ("v1.32.0"), so {{ .Capabilities.KubeVersion }} prints it.
    auto kv_methods = std::make_shared<gt::method_set>();
    kv_methods->display = v;
    c["KubeVersion"] = gt::go_value::with_methods(gt::go_value::of_map(std::move(kv)), std::move(kv_methods));
    c["APIVersions"] = api_versions_object(apis);
    c["HelmVersion"] = gt::go_value::of_map(std::move(hv));
    return gt::go_value::of_map(std::move(c));
}

bool template_valid(const chart& c, const std::string& name)
{
    if (!c.metadata.is_library()) return true;
    auto base = name.substr(name.rfind('/') + 1);
    return !base.empty() && base[0] == '_';
}

// Helm's recAllTpls: the scope each template of chart `c` renders with.
gt::go_value collect(const chart& c, const std::string& full_path, const gt::go_value& parent_scope,
                     const gt::go_value& values, bool is_root, const gt::go_value& release,
                     const gt::go_value& caps, std::vector<renderable>& out)
{
    auto next = std::make_shared<gt::go_value>();
    gt::go_map m;
    m["Chart"] = chart_object(c, is_root);
    m["Files"] = files_object(std::make_shared<std::vector<chart_file>>(c.files));
    m["Release"] = release;
    m["Capabilities"] = caps;
    if (is_root) {
        m["Values"] = values;
    } else {
        const gt::go_value* pv = parent_scope.map_find("Values");
        const gt::go_value* mine = pv && pv->is_map() ? pv->map_find(c.metadata.name) : nullptr;
        m["Values"] = mine && mine->is_map() ? *mine : gt::go_value::of_map({});
    }
    gt::go_map subcharts;
    *next = gt::go_value::of_map(std::move(m));
    for (const auto& d : c.dependencies)
        subcharts[d.metadata.name] = collect(d, full_path + "/charts/" + d.metadata.name, *next, values, false,
                                             release, caps, out);
    next->mutable_map()["Subcharts"] = gt::go_value::of_map(std::move(subcharts));
    for (const auto& t : c.templates) {
        if (!template_valid(c, t.name)) continue;
        out.push_back({&t, full_path + "/" + t.name, full_path + "/templates", next});
    }
    return *next;
}

std::string base_name(const std::string& p) { return p.substr(p.rfind('/') + 1); }

// "template: NAME:LINE:COL: executing ... at <...>: error calling X: MSG" -> Helm's
// "execution error at (NAME:LINE:COL): MSG".
std::string helm_exec_error(const std::string& file, const std::string& msg)
{
    if (msg.rfind("template: ", 0) != 0) return "execution error in (" + file + "): " + msg;
    std::string rest = msg.substr(10);
    auto colon = rest.find(": ");
    if (colon == std::string::npos) return "execution error in (" + file + "): " + msg;
    std::string location = rest.substr(0, colon);
    std::string detail = rest.substr(colon + 2);
    auto ws = detail.find(warn_start);
    auto we = detail.rfind(warn_end);
    if (ws != std::string::npos && we != std::string::npos && we > ws)
        return "execution error at (" + location + "): " + detail.substr(ws + warn_start.size(), we - ws - warn_start.size());
    if (detail.rfind("executing ", 0) == 0) {
        auto at = detail.find(">: ");
        if (at != std::string::npos) detail = detail.substr(at + 3);
        static const std::regex calling("^error calling [A-Za-z0-9_]+: ");
        std::smatch mm;
        while (std::regex_search(detail, mm, calling)) detail = mm.suffix();
    }
    return "execution error at (" + location + "): " + detail;
}

std::string helm_parse_error(const std::string& file, const std::string& msg)
{
    std::vector<std::string> tokens;
    std::size_t st = 0;
    for (;;) {
        auto p = msg.find(": ", st);
        tokens.push_back(msg.substr(st, p == std::string::npos ? std::string::npos : p - st));
        if (p == std::string::npos) break;
        st = p + 2;
    }
    if (tokens.size() == 1) return "parse error in (" + file + "): " + msg;
    return "parse error at (" + tokens[1] + "): " + tokens.back();
}

std::string trim(std::string_view v)
{
    auto b = v.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = v.find_last_not_of(" \t\r\n");
    return std::string(v.substr(b, e - b + 1));
}

// releaseutil.SplitManifests: documents separated by (?:^|\s*\n)---\s*
std::vector<std::string> split_manifests(std::string_view text)
{
    std::string big = trim(text);
    std::vector<std::string> docs;
    std::size_t start = 0, i = 0;
    auto emit = [&](std::size_t end) {
        std::string d = trim(std::string_view(big).substr(start, end - start));
        if (!d.empty()) docs.push_back(std::move(d));
    };
    while (i < big.size()) {
        bool at_sep = big.compare(i, 3, "---") == 0 && (i == 0 || big[i - 1] == '\n');
        if (at_sep) {
            std::size_t cut = i;
            while (cut > start && (big[cut - 1] == ' ' || big[cut - 1] == '\t' || big[cut - 1] == '\n' ||
                                   big[cut - 1] == '\r'))
                --cut;
            emit(cut);
            i += 3;
            while (i < big.size() && std::isspace(static_cast<unsigned char>(big[i]))) ++i;
            start = i;
            continue;
        }
        ++i;
    }
    if (start < big.size()) emit(big.size());
    return docs;
}

std::vector<std::string> split_trim(const std::string& v)
{
    std::vector<std::string> out;
    std::size_t st = 0;
    for (;;) {
        auto c = v.find(',', st);
        out.push_back(trim(v.substr(st, c == std::string::npos ? std::string::npos : c - st)));
        if (c == std::string::npos) break;
        st = c + 1;
    }
    return out;
}

bool known_event(std::string& e)
{
    static const char* const events[] = {"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
                                         "post-upgrade", "pre-rollback", "post-rollback", "test"};
    if (e == "test-success") e = "test";
    return std::find(std::begin(events), std::end(events), e) != std::end(events);
}

status sort_file(const std::string& path, const std::string& content, rendered_chart& out)
{
    for (auto& doc : split_manifests(content)) {
        auto head = parse_yaml(doc, {.schema = yaml_schema::kubernetes_1_1});
        if (!head) return terminal_error("YAML parse error on " + path + ": " + head.err().message, "RenderFailed");
        manifest m{path, doc, {}, {}, {}, {}};
        const weir::value* annotations = nullptr;
        if (head->is_object()) {
            m.api_version = std::string(head->get_string("apiVersion"));
            m.kind = std::string(head->get_string("kind"));
            if (const auto* md = head->find("metadata"); md && md->is_object()) {
                m.name = std::string(md->get_string("name"));
                m.namespace_ = std::string(md->get_string("namespace"));
                annotations = md->find("annotations");
            }
        }
        const weir::value* hook_ann = annotations && annotations->is_object() ? annotations->find("helm.sh/hook") : nullptr;
        if (!hook_ann || !hook_ann->is_string()) {
            out.manifests.push_back(std::move(m));
            continue;
        }
        hook h{m.name, m.kind, path, doc, {}, 0, {}};
        bool unknown = false;
        for (auto e : split_trim(hook_ann->as_string())) {
            std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
            if (!known_event(e)) {
                unknown = true;
                break;
            }
            h.events.push_back(e);
        }
        if (unknown) continue;
        if (const auto* w = annotations->find("helm.sh/hook-weight"); w && w->is_string()) {
            try {
                h.weight = std::stoi(w->as_string());
            } catch (...) {
                h.weight = 0;
            }
        }
        if (const auto* d = annotations->find("helm.sh/hook-delete-policy"); d && d->is_string())
            for (auto& p : split_trim(d->as_string()))
                if (!p.empty()) h.delete_policies.push_back(p);
        out.hooks.push_back(std::move(h));
    }
    return ok();
}

bool less_by_kind(const std::string& a, const std::string& b)
{
    int oa = install_order(a), ob = install_order(b);
    bool aok = oa >= 0, bok = ob >= 0;
    if (!aok && !bok) return a != b && a < b;
    if (!aok) return false;
    if (!bok) return true;
    return oa < ob;
}

void collect_crds(const chart& c, const std::string& full_path, std::vector<manifest>& out)
{
    for (const chart_file* f : c.crd_files()) out.push_back({full_path + "/" + f->name, f->data, {}, "CustomResourceDefinition", {}, {}});
    for (const auto& d : c.dependencies) collect_crds(d, full_path + "/charts/" + d.metadata.name, out);
}

// Parsing is most of a render's time (kube-prometheus-stack: 1.8 MB of templates), and a
// controller renders the same chart version again and again, so parsed sets are kept in a small
// cache keyed by the templates' paths and text. Sets are immutable while they execute; the
// functions hold no per-render state.
result<std::shared_ptr<const gt::template_set>> parsed_set(const std::vector<renderable>& tpls, const gt::options& gopts)
{
    // Two independently seeded 64-bit hashes (libstdc++'s murmur) of every path and text.
    std::size_t h1 = 0x243f6a8885a308d3ull, h2 = 0x13198a2e03707344ull;
    auto mix = [&](std::string_view s) {
        h1 = std::_Hash_bytes(s.data(), s.size(), h1);
        h2 = std::_Hash_bytes(s.data(), s.size(), h2 ^ s.size());
    };
    for (const auto& t : tpls) {
        mix(t.path);
        mix(t.file->data);
    }
    std::string key = std::to_string(h1) + ":" + std::to_string(h2) + ":" + std::to_string(tpls.size()) + ":" +
                      std::to_string(int(gopts.missing)) + ":" + std::to_string(gopts.max_output);
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const gt::template_set>> cache;
    {
        std::lock_guard<std::mutex> lock(mu);
        if (auto it = cache.find(key); it != cache.end()) return it->second;
    }
    static const gt::function_table funcs = [] {
        gt::function_table f = gt::function_table::with_sprig();
        add_helm_functions(f);
        return f;
    }();
    auto set = std::make_shared<gt::template_set>(funcs, gopts);
    for (const auto& t : tpls) {
        auto st = set->parse(t.path, t.file->data);
        if (!st) return terminal_error(helm_parse_error(t.path, st.err().message), "RenderFailed");
    }
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= 32) cache.clear(); // bounded: a controller's working set of chart versions
    cache.emplace(key, set);
    return std::shared_ptr<const gt::template_set>(set);
}

} // namespace

int install_order(std::string_view kind)
{
    static const char* const order[] = {
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
        "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
        "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
        "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"};
    for (std::size_t i = 0; i < std::size(order); ++i)
        if (kind == order[i]) return static_cast<int>(i);
    return -1;
}

result<rendered_chart> render_chart(const chart& input, const weir::value& user_values, const render_options& opts)
{
    chart c = input;
    const std::string& root = c.metadata.name;
    if (!c.metadata.kube_version.empty()) {
        auto range = semver_range::parse(c.metadata.kube_version);
        std::string kv = opts.release.caps.kube_version;
        auto v = semver::parse(kv.size() && kv[0] == 'v' ? kv.substr(1) : kv);
        if (range && v && !range->matches(*v))
            return terminal_error("chart requires kubeVersion: " + c.metadata.kube_version +
                                  " which is incompatible with Kubernetes " + kv, "RenderFailed");
    }
    if (c.metadata.is_library())
        return terminal_error("validation: chart.metadata.type " + root + " is library: library charts are not installable",
                              "RenderFailed");
    weir::value user = user_values.is_null() ? weir::value(weir::object{}) : user_values;
    WEIR_TRY(process_dependencies(c, user));
    WEIR_TRY_ASSIGN(weir::value vals, coalesce_values(c, user));
    if (!opts.skip_schema_validation) WEIR_TRY(validate_values(c, vals));

    rendered_chart out;
    out.config = user;
    gt::go_map rel;
    rel["Name"] = s(opts.release.name);
    rel["Namespace"] = s(opts.release.namespace_);
    rel["Revision"] = gt::go_value::of_int(opts.release.revision);
    rel["IsUpgrade"] = gt::go_value::of_bool(opts.release.is_upgrade);
    rel["IsInstall"] = gt::go_value::of_bool(opts.release.is_install);
    rel["Service"] = s("Helm");
    gt::go_value release = gt::go_value::of_map(std::move(rel));
    gt::go_value caps = capabilities_object(opts.release.caps);
    gt::go_value values = gt::go_value::from(vals);
    out.values = std::move(vals);

    std::vector<renderable> tpls;
    collect(c, root, gt::go_value::of_map({}), values, true, release, caps, tpls);
    // Helm parses deeper paths first and, at equal depth, in reverse order, so that the top
    // chart's and the first file's {{define}}s win.
    std::sort(tpls.begin(), tpls.end(), [](const renderable& a, const renderable& b) {
        auto ca = std::count(a.path.begin(), a.path.end(), '/'), cb = std::count(b.path.begin(), b.path.end(), '/');
        if (ca != cb) return ca > cb;
        return a.path > b.path;
    });
    const gt::options gopts{.missing = opts.strict ? gt::missing_key::error : gt::missing_key::zero,
                            .max_depth = 1000,
                            .max_output = opts.max_output};
    WEIR_TRY_ASSIGN(std::shared_ptr<const gt::template_set> set, parsed_set(tpls, gopts));
    struct cluster_scope {
        explicit cluster_scope(cluster_lookup* c) { current_cluster = c; }
        ~cluster_scope() { current_cluster = nullptr; }
    } scope_guard(opts.cluster);
    std::map<std::string, std::string> files;
    for (const auto& t : tpls) {
        if (base_name(t.path).rfind('_', 0) == 0) continue;
        gt::go_value data = *t.scope;
        gt::go_map scope = data.as_map(); // a shallow copy: .Template differs per file
        gt::go_map tm;
        tm["Name"] = s(t.path);
        tm["BasePath"] = s(t.base_path);
        scope["Template"] = gt::go_value::of_map(std::move(tm));
        auto r = set->execute(t.path, gt::go_value::of_map(std::move(scope)));
        if (!r) return terminal_error(helm_exec_error(t.path, r.err().message), "RenderFailed");
        std::string text = std::move(*r);
        for (std::size_t p = 0; (p = text.find("<no value>", p)) != std::string::npos;) text.erase(p, 10);
        files[t.path] = std::move(text);
    }
    out.templates = files;
    for (auto it = files.begin(); it != files.end();) {
        if (it->first.ends_with("NOTES.txt")) {
            if (it->first == root + "/templates/NOTES.txt") out.notes = it->second;
            it = files.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [path, content] : files) {
        if (base_name(path).rfind('_', 0) == 0 || trim(content).empty()) continue;
        WEIR_TRY(sort_file(path, content, out));
    }
    std::stable_sort(out.manifests.begin(), out.manifests.end(),
                     [](const manifest& a, const manifest& b) { return less_by_kind(a.kind, b.kind); });
    std::stable_sort(out.hooks.begin(), out.hooks.end(),
                     [](const hook& a, const hook& b) { return less_by_kind(a.kind, b.kind); });
    collect_crds(c, root, out.crds);
    return out;
}

std::string release_manifest(const rendered_chart& r, bool include_crds)
{
    std::string b;
    if (include_crds)
        for (const auto& m : r.crds) b += "---\n# Source: " + m.path + "\n" + m.content + "\n";
    for (const auto& m : r.manifests) b += "---\n# Source: " + m.path + "\n" + m.content + "\n";
    return b;
}

} // namespace weir::helm
