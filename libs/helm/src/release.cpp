// Helm 3 release records: JSON with pkg/release's field names, gzip, base64, and the Secret.
#include "helm_internal.hpp"
#include "render_internal.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/helm/release.hpp>

#include <chrono>
#include <ctime>

namespace weir::helm {
namespace {

void put(weir::object& o, std::string_view k, const std::string& v)
{
    if (!v.empty()) o.set(k, v);
}

weir::array strings(const std::vector<std::string>& l)
{
    weir::array a;
    for (const auto& s : l) a.push_back(s);
    return a;
}

std::vector<std::string> read_strings(const weir::value* v)
{
    std::vector<std::string> out;
    if (v && v->is_array())
        for (const auto& e : v->as_array())
            if (e.is_string()) out.push_back(e.as_string());
    return out;
}

std::string get(const weir::value& v, std::string_view k) { return std::string(v.get_string(k)); }

weir::value files_json(const std::vector<chart_file>& files)
{
    weir::array a;
    for (const auto& f : files) a.push_back(weir::object{{"name", f.name}, {"data", base64_encode(f.data)}});
    return a;
}

result<std::vector<chart_file>> files_from(const weir::value* v)
{
    std::vector<chart_file> out;
    if (!v || !v->is_array()) return out;
    for (const auto& f : v->as_array()) {
        WEIR_TRY_ASSIGN(std::string data, base64_decode(f.get_string("data")));
        out.push_back({get(f, "name"), std::move(data)});
    }
    return out;
}

weir::value metadata_json(const chart_metadata& m)
{
    weir::object o;
    put(o, "name", m.name);
    put(o, "home", m.home);
    if (!m.sources.empty()) o.set("sources", strings(m.sources));
    put(o, "version", m.version);
    put(o, "description", m.description);
    if (!m.keywords.empty()) o.set("keywords", strings(m.keywords));
    if (!m.maintainers.empty()) o.set("maintainers", m.maintainers);
    put(o, "icon", m.icon);
    put(o, "apiVersion", m.api_version);
    put(o, "condition", m.condition);
    put(o, "tags", m.tags);
    put(o, "appVersion", m.app_version);
    if (m.deprecated) o.set("deprecated", true);
    if (!m.annotations.empty()) o.set("annotations", m.annotations);
    put(o, "kubeVersion", m.kube_version);
    if (!m.dependencies.empty()) {
        weir::array deps;
        for (const auto& d : m.dependencies) {
            weir::object x{{"name", d.name}};
            put(x, "version", d.version);
            x.set("repository", d.repository);
            put(x, "condition", d.condition);
            if (!d.tags.empty()) x.set("tags", strings(d.tags));
            if (d.enabled) x.set("enabled", true);
            if (!d.import_values.empty()) x.set("import-values", d.import_values);
            put(x, "alias", d.alias);
            deps.push_back(std::move(x));
        }
        o.set("dependencies", std::move(deps));
    }
    put(o, "type", m.type);
    return o;
}


} // namespace

std::string go_time_now()
{
    auto now = std::chrono::system_clock::now();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string frac = std::to_string(ns % 1000000000);
    frac = std::string(9 - frac.size(), '0') + frac;
    while (!frac.empty() && frac.back() == '0') frac.pop_back(); // Go's RFC3339Nano trims zeros
    return std::string(buf) + (frac.empty() ? "" : "." + frac) + "Z";
}

weir::value chart_to_json(const chart& c)
{
    weir::object o;
    o.set("metadata", metadata_json(c.metadata));
    o.set("lock", c.lock);
    o.set("templates", files_json(c.templates));
    o.set("values", json_integers(c.values));
    o.set("schema", c.schema.empty() ? weir::value(nullptr) : weir::value(base64_encode(c.schema)));
    o.set("files", files_json(c.files));
    return o;
}

result<chart> chart_from_json(const weir::value& j)
{
    std::vector<chart_file> files;
    const weir::value* md = j.find("metadata");
    if (!md || !md->is_object()) return terminal_error("release chart has no metadata");
    std::string yaml = to_json(*md); // JSON is YAML: the loader reads it as Chart.yaml
    files.push_back({"Chart.yaml", yaml});
    WEIR_TRY_ASSIGN(auto tpls, files_from(j.find("templates")));
    WEIR_TRY_ASSIGN(auto other, files_from(j.find("files")));
    for (auto& f : tpls) files.push_back(std::move(f));
    for (auto& f : other) files.push_back(std::move(f));
    WEIR_TRY_ASSIGN(chart c, load_chart_files(std::move(files), "release chart"));
    if (const auto* v = j.find("values"); v && v->is_object()) c.values = values_as_go_floats(*v);
    if (const auto* s = j.find("schema"); s && s->is_string()) {
        WEIR_TRY_ASSIGN(c.schema, base64_decode(s->as_string()));
    }
    if (const auto* l = j.find("lock")) c.lock = *l;
    return c;
}

release make_release(const chart& c, const rendered_chart& r, const release_options& opts, std::string_view status,
                     std::string_view description, std::string now)
{
    if (now.empty()) now = go_time_now();
    release rel;
    rel.name = opts.name;
    rel.namespace_ = opts.namespace_;
    rel.version = opts.revision;
    rel.info = {now, now, "", std::string(description), std::string(status), r.notes};
    rel.chart = chart_to_json(c);
    rel.config = r.config.is_object() ? r.config : weir::value(weir::object{});
    rel.manifest = release_manifest(r, false);
    for (const auto& h : r.hooks) rel.hooks.push_back(to_release_hook(h));
    return rel;
}

release_hook to_release_hook(const hook& h)
{
    return release_hook{h.name, h.kind, h.path, h.manifest, h.events, {}, h.weight, h.delete_policies};
}

weir::value release_to_json(const release& r)
{
    weir::object o;
    put(o, "name", r.name);
    weir::object info;
    put(info, "first_deployed", r.info.first_deployed);
    put(info, "last_deployed", r.info.last_deployed);
    put(info, "deleted", r.info.deleted);
    put(info, "description", r.info.description);
    put(info, "status", r.info.status);
    put(info, "notes", r.info.notes);
    o.set("info", std::move(info));
    if (!r.chart.is_null()) o.set("chart", r.chart);
    if (r.config.is_object() && !r.config.as_object().empty()) o.set("config", json_integers(r.config));
    put(o, "manifest", r.manifest);
    if (!r.hooks.empty()) {
        weir::array hooks;
        for (const auto& h : r.hooks) {
            weir::object x;
            put(x, "name", h.name);
            put(x, "kind", h.kind);
            put(x, "path", h.path);
            put(x, "manifest", h.manifest);
            if (!h.events.empty()) x.set("events", strings(h.events));
            weir::object last;
            put(last, "started_at", h.last_run.started_at);
            put(last, "completed_at", h.last_run.completed_at);
            last.set("phase", h.last_run.phase);
            x.set("last_run", std::move(last));
            if (h.weight != 0) x.set("weight", h.weight);
            if (!h.delete_policies.empty()) x.set("delete_policies", strings(h.delete_policies));
            hooks.push_back(std::move(x));
        }
        o.set("hooks", std::move(hooks));
    }
    if (r.version != 0) o.set("version", r.version);
    put(o, "namespace", r.namespace_);
    put(o, "apply_method", r.apply_method);
    return o;
}

result<release> release_from_json(const weir::value& j)
{
    if (!j.is_object()) return terminal_error("release record is not a JSON object");
    release r;
    r.name = get(j, "name");
    r.namespace_ = get(j, "namespace");
    if (const auto* v = j.find("version"); v && v->is_number()) r.version = int(v->is_int() ? v->as_int() : v->as_double());
    if (const auto* i = j.find("info"); i && i->is_object()) {
        r.info = {get(*i, "first_deployed"), get(*i, "last_deployed"), get(*i, "deleted"),
                  get(*i, "description"), get(*i, "status"), get(*i, "notes")};
    }
    if (const auto* c = j.find("chart")) r.chart = *c;
    if (const auto* c = j.find("config"); c && c->is_object()) r.config = values_as_go_floats(*c);
    r.manifest = get(j, "manifest");
    r.apply_method = get(j, "apply_method");
    if (const auto* hs = j.find("hooks"); hs && hs->is_array())
        for (const auto& h : hs->as_array()) {
            release_hook x{get(h, "name"), get(h, "kind"), get(h, "path"), get(h, "manifest"),
                           read_strings(h.find("events")), {}, 0, read_strings(h.find("delete_policies"))};
            if (const auto* w = h.find("weight"); w && w->is_number()) x.weight = int(w->is_int() ? w->as_int() : w->as_double());
            if (const auto* l = h.find("last_run"); l && l->is_object())
                x.last_run = {get(*l, "started_at"), get(*l, "completed_at"), get(*l, "phase")};
            r.hooks.push_back(std::move(x));
        }
    return r;
}

result<std::string> encode_release(const release& r)
{
    WEIR_TRY_ASSIGN(std::string gz, gzip_bytes(to_json(release_to_json(r))));
    return base64_encode(gz);
}

result<release> decode_release(std::string_view encoded)
{
    WEIR_TRY_ASSIGN(std::string raw, base64_decode(encoded));
    if (raw.size() >= 3 && static_cast<unsigned char>(raw[0]) == 0x1f && static_cast<unsigned char>(raw[1]) == 0x8b &&
        raw[2] == 8) {
        WEIR_TRY_ASSIGN(raw, gunzip_bytes(raw));
    }
    auto j = parse_json(raw);
    if (!j) return terminal_error("release record is not valid JSON: " + j.err().message);
    return release_from_json(*j);
}

std::string release_secret_name(std::string_view name, int version)
{
    return "sh.helm.release.v1." + std::string(name) + ".v" + std::to_string(version);
}

result<weir::value> release_secret(const release& r, std::int64_t unix_seconds)
{
    WEIR_TRY_ASSIGN(std::string enc, encode_release(r));
    weir::object labels{{"name", r.name},
                        {"owner", "helm"},
                        {"status", r.info.status},
                        {"version", std::to_string(r.version)}};
    if (unix_seconds) labels.set("createdAt", std::to_string(unix_seconds));
    return weir::value(weir::object{
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata", weir::object{{"name", release_secret_name(r.name, r.version)},
                                  {"namespace", r.namespace_},
                                  {"labels", std::move(labels)}}},
        {"type", "helm.sh/release.v1"},
        {"data", weir::object{{"release", base64_encode(enc)}}},
    });
}

result<release> release_from_secret(const weir::value& secret)
{
    const weir::value* data = secret.find_path({"data", "release"});
    if (!data || !data->is_string()) {
        if (const auto* sd = secret.find_path({"stringData", "release"}); sd && sd->is_string())
            return decode_release(sd->as_string());
        return terminal_error("secret " + std::string(secret.find_path({"metadata", "name"}) ? secret.find_path({"metadata", "name"})->get_string("") : "") +
                              " has no release data");
    }
    WEIR_TRY_ASSIGN(std::string inner, base64_decode(data->as_string()));
    return decode_release(inner);
}

} // namespace weir::helm
