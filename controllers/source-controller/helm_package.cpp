#include "helm_package.hpp"

#include "helm_index.hpp"

#include <weir/artifact/fetcher.hpp>
#include <weir/artifact/ignore.hpp>
#include <weir/core/yaml.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace weir::source {
namespace fs = std::filesystem;

namespace {

result<std::string> read_text(const fs::path& p, std::string_view display)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return terminal_error(fmt::format("cannot read '{}'", display), "ChartPackageError");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

status write_text(const fs::path& p, const std::string& text)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return transient_error(fmt::format("cannot write '{}'", p.string()), "ChartPackageError");
    return ok();
}

// Adds `dir`'s entries under `prefix`, sorted, a directory before its contents (tarball_writer's order).
status add_tree(artifact::tarball_writer& w, const fs::path& dir, const std::string& prefix,
                const std::string& rel, const artifact::ignore_matcher& ignore)
{
    std::vector<fs::directory_entry> entries;
    for (const auto& e : fs::directory_iterator(dir))
        entries.push_back(e);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.path().filename().string() < b.path().filename().string();
    });
    for (const auto& e : entries) {
        std::string name = e.path().filename().string();
        std::string path = rel.empty() ? name : rel + "/" + name;
        bool is_dir = e.is_directory();
        if (ignore.match(path, is_dir)) continue;
        if (is_dir) {
            WEIR_TRY(w.add_directory(prefix + path));
            WEIR_TRY(add_tree(w, e.path(), prefix, path, ignore));
        } else if (e.is_regular_file()) {
            WEIR_TRY_ASSIGN(auto text, read_text(e.path(), path));
            bool exec = (fs::status(e.path()).permissions() & fs::perms::owner_exec) != fs::perms::none;
            WEIR_TRY(w.add_file(prefix + path, text.data(), text.size(), exec));
        }
    }
    return ok();
}

} // namespace

result<chart_metadata> read_chart_metadata(const fs::path& dir, std::string_view display_path)
{
    std::string where = fmt::format("{}/Chart.yaml", display_path);
    if (!fs::exists(dir / "Chart.yaml"))
        return terminal_error(fmt::format("'{}' is not a chart: no Chart.yaml", display_path),
                              "ChartPackageError");
    WEIR_TRY_ASSIGN(auto text, read_text(dir / "Chart.yaml", where));
    auto doc = parse_yaml(text);
    if (!doc) return terminal_error(fmt::format("{}: {}", where, doc.err().message), "ChartPackageError");
    chart_metadata m;
    m.name = std::string(doc->get_string("name"));
    m.version = std::string(doc->get_string("version"));
    if (const value* v = doc->find("version"); v && v->is_number() && m.version.empty()) {
        // An unquoted "1.0" reads as a number; Helm takes the text.
        m.version = v->is_int() ? std::to_string(v->as_int()) : fmt::format("{}", v->as_double());
    }
    if (m.name.empty()) return terminal_error(where + ": name is required", "ChartPackageError");
    if (m.version.empty()) return terminal_error(where + ": version is required", "ChartPackageError");
    return m;
}

void merge_values(value& base, const value& over)
{
    if (!base.is_object() || !over.is_object()) {
        base = over;
        return;
    }
    for (const auto& [k, v] : over.as_object()) {
        value* mine = base.find(k);
        if (mine && mine->is_object() && v.is_object())
            merge_values(*mine, v);
        else
            base.as_object().set(k, v);
    }
}

result<std::optional<value>> merge_values_files(const fs::path& base, const std::vector<std::string>& files,
                                                bool ignore_missing, std::vector<std::string>* used)
{
    if (files.empty()) return std::optional<value>{};
    value merged = object{};
    for (const auto& f : files) {
        fs::path rel = fs::path(f).lexically_normal();
        if (rel.is_absolute() || (!rel.empty() && *rel.begin() == ".."))
            return terminal_error(fmt::format("values file '{}' is outside the source", f), "InvalidPath");
        fs::path p = base / rel;
        if (!fs::is_regular_file(p)) {
            if (ignore_missing) continue;
            return terminal_error(fmt::format("no values file found at path '{}'", f), "ChartPackageError");
        }
        WEIR_TRY_ASSIGN(auto text, read_text(p, f));
        auto doc = parse_yaml(text);
        if (!doc)
            return terminal_error(fmt::format("values file '{}': {}", f, doc.err().message),
                                  "ChartPackageError");
        if (!doc->is_null() && !doc->is_object())
            return terminal_error(fmt::format("values file '{}' must hold a map", f), "ChartPackageError");
        if (doc->is_object()) merge_values(merged, *doc);
        if (used) used->push_back(f);
    }
    return std::optional<value>{std::move(merged)};
}

status write_chart(const fs::path& dir, const std::string& version, const std::optional<value>& values)
{
    WEIR_TRY_ASSIGN(auto text, read_text(dir / "Chart.yaml", "Chart.yaml"));
    auto doc = parse_yaml(text);
    if (!doc || !doc->is_object()) return terminal_error("Chart.yaml is not a map", "ChartPackageError");
    if (doc->get_string("version") != version) {
        (*doc)["version"] = version;
        WEIR_TRY(write_text(dir / "Chart.yaml", to_yaml(*doc)));
    }
    if (values) WEIR_TRY(write_text(dir / "values.yaml", to_yaml(*values)));
    return ok();
}

result<artifact::build_result> package_chart(const fs::path& dir, const std::string& name,
                                             const fs::path& out)
{
    artifact::ignore_matcher ignore;
    if (fs::exists(dir / ".helmignore")) {
        WEIR_TRY_ASSIGN(auto text, read_text(dir / ".helmignore", ".helmignore"));
        ignore.add_lines(text);
    }
    WEIR_TRY_ASSIGN(auto writer, artifact::tarball_writer::create(out, {.fsync = true}));
    WEIR_TRY(writer->add_directory(name));
    WEIR_TRY(add_tree(*writer, dir, name + "/", "", ignore));
    return writer->finish();
}

namespace {

bool vendored(const fs::path& charts, const std::string& name)
{
    if (fs::is_directory(charts / name)) return true;
    if (!fs::is_directory(charts)) return false;
    for (const auto& e : fs::directory_iterator(charts)) {
        std::string f = e.path().filename().string();
        if (f.starts_with(name + "-") && f.ends_with(".tgz")) return true;
    }
    return false;
}

status fetch_remote_dependency(const std::string& name, const std::string& version,
                               const std::string& repository, const fs::path& charts, const fs::path& scratch)
{
    std::string base = repository;
    while (base.ends_with("/"))
        base.pop_back();
    fs::path index_file = scratch / ("index-" + name + ".yaml");
    auto got = artifact::download(base + "/index.yaml", "", index_file,
                                  {.max_download_bytes = 50ull << 20, .max_redirects = 10});
    if (!got)
        return got.err().wrap(
            fmt::format("chart dependency '{}': cannot read the index of '{}'", name, repository));
    WEIR_TRY_ASSIGN(auto text, read_text(index_file, "index.yaml"));
    WEIR_TRY_ASSIGN(auto index, helm_index::parse(text));
    auto entry = index.select(name, version);
    if (!entry) return entry.err().wrap(fmt::format("chart dependency '{}' from '{}'", name, repository));
    std::string url = resolve_chart_url(base + "/", entry->urls.front());
    std::string digest = entry->digest.empty() ? "" : "sha256:" + entry->digest;
    fs::create_directories(charts);
    auto chart = artifact::download(url, digest, charts / fmt::format("{}-{}.tgz", name, entry->version),
                                    {.max_download_bytes = 10ull << 20, .max_redirects = 10});
    if (!chart) return chart.err().wrap(fmt::format("chart dependency '{}'", name));
    return ok();
}

} // namespace

status vendor_dependencies(const fs::path& chart_dir, const fs::path& source_root, const fs::path& scratch)
{
    value deps;
    for (const char* file : {"Chart.yaml", "requirements.yaml"}) {
        if (!fs::exists(chart_dir / file)) continue;
        WEIR_TRY_ASSIGN(auto text, read_text(chart_dir / file, file));
        auto doc = parse_yaml(text);
        if (doc && doc->find("dependencies") && doc->find("dependencies")->is_array())
            deps = *doc->find("dependencies");
    }
    if (!deps.is_array()) return ok();
    fs::path charts = chart_dir / "charts";
    fs::path root = fs::weakly_canonical(source_root);
    for (const auto& d : deps.as_array()) {
        std::string name(d.get_string("name")), version(d.get_string("version")),
            repo(d.get_string("repository"));
        if (name.empty() || vendored(charts, name)) continue;
        if (repo.starts_with("file://")) {
            fs::path from = fs::weakly_canonical(chart_dir / repo.substr(7));
            auto rel = from.lexically_relative(root);
            if (rel.empty() || *rel.begin() == "..")
                return terminal_error(
                    fmt::format("chart dependency '{}': '{}' is outside the source", name, repo),
                    "ChartPackageError");
            if (!fs::exists(from / "Chart.yaml"))
                return terminal_error(fmt::format("chart dependency '{}': no chart at '{}'", name, repo),
                                      "ChartPackageError");
            fs::create_directories(charts);
            std::error_code ec;
            fs::copy(from, charts / name, fs::copy_options::recursive, ec);
            if (ec)
                return transient_error(fmt::format("chart dependency '{}': {}", name, ec.message()),
                                       "ChartPackageError");
        } else if (repo.starts_with("http://") || repo.starts_with("https://")) {
            WEIR_TRY(fetch_remote_dependency(name, version.empty() ? "*" : version, repo, charts, scratch));
        } else {
            return terminal_error(
                fmt::format("chart dependency '{}': repository '{}' cannot be resolved here; vendor the "
                            "chart into charts/ (helm dependency build) or use an http(s) repository",
                            name, repo),
                "ChartPackageError");
        }
    }
    return ok();
}

result<fs::path> chart_root_of(const fs::path& extracted)
{
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(extracted))
        if (e.is_directory()) dirs.push_back(e.path());
    for (const auto& d : dirs)
        if (fs::exists(d / "Chart.yaml")) return d;
    return terminal_error("the chart archive has no <name>/Chart.yaml", "ChartPullError");
}

} // namespace weir::source
