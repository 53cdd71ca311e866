// Chart loading: the file list of a directory or an archive becomes a chart, as Helm's
// loader.LoadFiles sorts files into Chart.yaml, values, templates, subcharts and the rest.
#include "helm_internal.hpp"

#include <weir/core/yaml.hpp>
#include <weir/helm/chart.hpp>

#include <algorithm>
#include <map>

namespace weir::helm {
namespace {

std::vector<std::string> string_list(const weir::value* v)
{
    std::vector<std::string> out;
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->as_array())
        if (e.is_string()) out.push_back(e.as_string());
    return out;
}

std::string str_of(const weir::value& v, std::string_view key)
{
    const weir::value* f = v.find(key);
    if (!f) return {};
    if (f->is_string()) return f->as_string();
    if (f->is_int()) return std::to_string(f->as_int());
    if (f->is_double()) return detail::go_float_string(f->as_double());
    return {};
}

std::vector<dependency> read_dependencies(const weir::value* deps)
{
    std::vector<dependency> out;
    if (!deps || !deps->is_array()) return out;
    for (const auto& d : deps->as_array()) {
        if (!d.is_object()) continue;
        dependency dep;
        dep.name = str_of(d, "name");
        dep.version = str_of(d, "version");
        dep.repository = str_of(d, "repository");
        dep.condition = str_of(d, "condition");
        dep.alias = str_of(d, "alias");
        dep.tags = string_list(d.find("tags"));
        if (const auto* iv = d.find("import-values"); iv && iv->is_array()) dep.import_values = iv->as_array();
        out.push_back(std::move(dep));
    }
    return out;
}

status read_metadata(chart_metadata& m, const weir::value& y)
{
    if (!y.is_object()) return terminal_error("Chart.yaml is not a mapping");
    m.api_version = str_of(y, "apiVersion");
    if (m.api_version.empty()) m.api_version = "v1";
    m.name = str_of(y, "name");
    m.version = str_of(y, "version");
    m.app_version = str_of(y, "appVersion");
    m.description = str_of(y, "description");
    m.type = str_of(y, "type");
    m.kube_version = str_of(y, "kubeVersion");
    m.home = str_of(y, "home");
    m.icon = str_of(y, "icon");
    m.condition = str_of(y, "condition");
    m.tags = str_of(y, "tags");
    if (const auto* d = y.find("deprecated"); d && d->is_bool()) m.deprecated = d->as_bool();
    m.sources = string_list(y.find("sources"));
    m.keywords = string_list(y.find("keywords"));
    if (const auto* mt = y.find("maintainers"); mt && mt->is_array()) m.maintainers = mt->as_array();
    if (const auto* a = y.find("annotations"); a && a->is_object()) m.annotations = a->as_object();
    if (y.find("dependencies")) m.dependencies = read_dependencies(y.find("dependencies"));
    return ok();
}

status validate(const chart_metadata& m, std::string_view origin)
{
    auto bad = [&](std::string what) {
        return terminal_error(fmt_origin(origin) + "validation: " + what);
    };
    if (m.name.empty()) return bad("chart.metadata.name is required");
    if (m.name.find('/') != std::string::npos || m.name.find('\\') != std::string::npos)
        return bad("chart.metadata.name \"" + m.name + "\" is invalid");
    if (m.version.empty()) return bad("chart.metadata.version is required");
    if (m.api_version != "v1" && m.api_version != "v2")
        return bad("chart.metadata.apiVersion \"" + m.api_version + "\" is invalid");
    if (!m.type.empty() && m.type != "application" && m.type != "library")
        return bad("chart.metadata.type must be application or library");
    for (const auto& d : m.dependencies)
        if (d.name.empty()) return bad("dependencies must have a name");
    return ok();
}

} // namespace

std::string fmt_origin(std::string_view origin)
{
    return origin.empty() ? std::string() : std::string(origin) + ": ";
}

std::vector<const chart_file*> chart::crd_files() const
{
    std::vector<const chart_file*> out;
    for (const auto& f : files) {
        if (f.name.rfind("crds/", 0) != 0) continue;
        auto ext = f.name.substr(f.name.rfind('.') == std::string::npos ? f.name.size() : f.name.rfind('.'));
        if (ext == ".yaml" || ext == ".yml" || ext == ".json") out.push_back(&f);
    }
    return out;
}

result<chart> load_chart_files(std::vector<chart_file> files, std::string_view origin)
{
    chart c;
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    const yaml_parse_options yopts{.schema = yaml_schema::kubernetes_1_1};
    bool have_meta = false;
    for (const auto& f : files) {
        if (f.name != "Chart.yaml") continue;
        auto y = parse_yaml(f.data, yopts);
        if (!y) return terminal_error(fmt_origin(origin) + "cannot load Chart.yaml: " + y.err().message);
        if (y->is_null()) *y = weir::object{};
        if (!read_metadata(c.metadata, *y))
            return terminal_error(fmt_origin(origin) + "cannot load Chart.yaml: not a mapping");
        have_meta = true;
    }
    if (!have_meta) return terminal_error(fmt_origin(origin) + "Chart.yaml file is missing");
    const bool v1 = c.metadata.api_version == "v1";
    std::map<std::string, std::vector<chart_file>> subcharts;
    for (auto& f : files) {
        if (f.name == "Chart.yaml") continue;
        if (f.name == "Chart.lock" || f.name == "requirements.lock") {
            auto y = parse_yaml(f.data, yopts);
            if (!y) return terminal_error(fmt_origin(origin) + "cannot load " + f.name + ": " + y.err().message);
            c.lock = std::move(*y);
            if (f.name == "requirements.lock" && v1) c.files.push_back(std::move(f));
        } else if (f.name == "values.yaml") {
            auto y = parse_values_yaml(f.data);
            if (!y) return terminal_error(fmt_origin(origin) + "cannot load values.yaml: " + y.err().message);
            c.values = std::move(*y);
            c.values_raw = std::move(f.data);
        } else if (f.name == "values.schema.json") {
            c.schema = std::move(f.data);
        } else if (f.name == "requirements.yaml") {
            auto y = parse_yaml(f.data, yopts);
            if (!y) return terminal_error(fmt_origin(origin) + "cannot load requirements.yaml: " + y.err().message);
            if (y->is_object() && y->find("dependencies"))
                c.metadata.dependencies = read_dependencies(y->find("dependencies"));
            if (v1) c.files.push_back(std::move(f));
        } else if (f.name.rfind("templates/", 0) == 0) {
            c.templates.push_back(std::move(f));
        } else if (f.name.rfind("charts/", 0) == 0) {
            if (f.name.size() > 5 && f.name.ends_with(".prov")) {
                c.files.push_back(std::move(f));
                continue;
            }
            std::string rest = f.name.substr(7);
            std::string cname = rest.substr(0, rest.find('/'));
            subcharts[cname].push_back({rest, std::move(f.data)});
        } else {
            c.files.push_back(std::move(f));
        }
    }
    WEIR_TRY(validate(c.metadata, origin));
    for (auto& [n, sub] : subcharts) {
        if (n.empty() || n[0] == '_' || n[0] == '.') continue;
        std::string sub_origin = std::string(origin) + "/charts/" + n;
        result<chart> sc = terminal_error("");
        if (n.ends_with(".tgz")) {
            if (sub.size() != 1 || sub[0].name != n)
                return terminal_error(fmt_origin(origin) + "error unpacking subchart tar: expected " + n);
            sc = load_chart_archive(sub[0].data, sub_origin);
        } else {
            std::vector<chart_file> inner;
            for (auto& f : sub) {
                auto slash = f.name.find('/');
                if (slash == std::string::npos) continue;
                inner.push_back({f.name.substr(slash + 1), std::move(f.data)});
            }
            sc = load_chart_files(std::move(inner), sub_origin);
        }
        if (!sc) return terminal_error("error unpacking subchart " + n + " in " + c.metadata.name + ": " +
                                       sc.err().message);
        c.dependencies.push_back(std::move(*sc));
    }
    return c;
}

result<chart> load_chart(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        WEIR_TRY_ASSIGN(auto files, read_chart_dir(path));
        return load_chart_files(std::move(files), path.string());
    }
    WEIR_TRY_ASSIGN(std::string bytes, read_file(path));
    return load_chart_archive(bytes, path.string());
}

} // namespace weir::helm
