// Bytes in and out: chart directories (with .helmignore), .tgz archives, gzip.
#include "helm_internal.hpp"
#include "render_internal.hpp"

#include <weir/core/yaml.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdio>
#include <fnmatch.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <zlib.h>

namespace weir::helm {
namespace fs = std::filesystem;

namespace detail {
std::string go_float_string(double d)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    return buf;
}
} // namespace detail

result<weir::value> parse_values_yaml(std::string_view text)
{
    WEIR_TRY_ASSIGN(auto docs, parse_yaml_stream(text, {.schema = yaml_schema::kubernetes_1_1}));
    weir::value out = weir::object{};
    for (auto& d : docs) {
        if (d.is_null()) continue;
        if (!d.is_object())
            return terminal_error("values must be a mapping, not " + std::string(d.type_name()));
        for (auto& [k, v] : d.as_object())
            out.as_object().set(k, std::move(v));
    }
    // sigs.k8s.io/yaml reads through JSON: every number in Helm's values is a float64 (which is
    // why Helm prints 1000000 as 1e+06).
    return values_as_go_floats(std::move(out));
}

result<std::string> read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return terminal_error("cannot read " + p.string() + ": no such file or not readable");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

// Helm drops a UTF-8 byte order mark from every file it loads.
void strip_bom(std::string& data)
{
    if (data.size() >= 3 && data.compare(0, 3, "\xEF\xBB\xBF") == 0) data.erase(0, 3);
}

struct ignore_rule {
    std::string pattern;
    bool negate = false;
    bool dir_only = false;
};

std::vector<ignore_rule> parse_helmignore(std::string_view text)
{
    std::vector<ignore_rule> rules;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        ignore_rule r;
        if (line[0] == '!') {
            r.negate = true;
            line.erase(0, 1);
        }
        if (line.size() > 1 && line.back() == '/') {
            r.dir_only = true;
            line.pop_back();
        }
        if (!line.empty() && line[0] == '/') line.erase(0, 1);
        r.pattern = line;
        rules.push_back(r);
    }
    // Helm's default: dotfiles inside templates/ are never templates.
    rules.push_back({"templates/.?*", false, false});
    return rules;
}

bool ignored(const std::vector<ignore_rule>& rules, const std::string& rel, bool is_dir)
{
    std::string base = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
    bool out = false;
    for (const auto& r : rules) {
        if (r.dir_only && !is_dir) continue;
        const std::string& subject = r.pattern.find('/') != std::string::npos ? rel : base;
        bool m = fnmatch(r.pattern.c_str(), subject.c_str(), FNM_PATHNAME) == 0;
        if (m) out = !r.negate;
    }
    return out;
}

} // namespace

result<std::vector<chart_file>> read_chart_dir(const fs::path& dir)
{
    std::vector<ignore_rule> rules;
    if (fs::exists(dir / ".helmignore")) {
        WEIR_TRY_ASSIGN(std::string t, read_file(dir / ".helmignore"));
        strip_bom(t);
        rules = parse_helmignore(t);
    } else {
        rules = parse_helmignore("");
    }
    std::vector<chart_file> files;
    std::error_code ec;
    // Symlinks are followed inside the chart only: a chart from a Git checkout could otherwise
    // read any file of the controller's (its service account token, say) into the release.
    const fs::path root = fs::weakly_canonical(dir, ec);
    auto inside_root = [&root](const fs::path& p) {
        std::error_code cec;
        fs::path real = fs::canonical(p, cec);
        auto [r, q] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
        return !cec && r == root.end();
    };
    auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
    if (ec) return terminal_error("cannot read chart directory " + dir.string() + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) return terminal_error("cannot read chart directory " + dir.string() + ": " + ec.message());
        std::string rel = fs::relative(it->path(), dir).generic_string();
        bool is_dir = it->is_directory();
        if (ignored(rules, rel, is_dir)) {
            if (is_dir) it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink() && !inside_root(it->path()))
            return terminal_error("chart file '" + rel + "' in " + dir.string() +
                                  " is a symlink that leaves the chart: make it a plain file");
        if (is_dir || !it->is_regular_file()) continue;
        WEIR_TRY_ASSIGN(std::string data, read_file(it->path()));
        strip_bom(data);
        files.push_back({rel, std::move(data)});
    }
    return files;
}

namespace {

std::string clean_path(const std::string& p)
{
    // path.Clean for a relative or absolute slash path.
    bool abs = !p.empty() && p[0] == '/';
    std::vector<std::string> parts;
    std::size_t st = 0;
    while (st <= p.size()) {
        auto sl = p.find('/', st);
        std::string part = p.substr(st, sl == std::string::npos ? std::string::npos : sl - st);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (!abs)
                parts.push_back("..");
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        if (sl == std::string::npos) break;
        st = sl + 1;
    }
    std::string out = abs ? "/" : "";
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

} // namespace

// Helm's LoadArchiveFiles: the first path element is the chart directory; absolute paths,
// parent references and content outside that directory are refused with Helm's messages.
result<std::vector<chart_file>> read_tgz(std::string_view bytes, std::string_view origin)
{
    constexpr la_int64_t max_chart = 100ll << 20, max_file = 5ll << 20; // Helm's limits
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        return terminal_error(fmt_origin(origin) +
                              "not a gzipped tar archive: " + archive_error_string(a.get()));
    auto bad = [&](std::string msg) { return terminal_error(fmt_origin(origin) + msg); };
    std::vector<chart_file> files;
    la_int64_t remaining = max_chart;
    archive_entry* e = nullptr;
    for (;;) {
        int rc = archive_read_next_header(a.get(), &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
            return bad(std::string("bad chart archive: ") + archive_error_string(a.get()));
        if (archive_entry_filetype(e) == AE_IFDIR) continue;
        std::string raw = archive_entry_pathname(e);
        char delim = raw.find('\\') != std::string::npos ? '\\' : '/';
        auto first = raw.find(delim);
        std::string head = raw.substr(0, first);
        std::string n = first == std::string::npos ? std::string() : raw.substr(first + 1);
        std::replace(n.begin(), n.end(), delim, '/');
        if (!n.empty() && n[0] == '/') return bad("chart illegally contains absolute paths");
        n = clean_path(n);
        if (n == ".")
            return bad("chart illegally contains content outside the base directory: \"" + raw + "\"");
        if (n.rfind("..", 0) == 0) return bad("chart illegally references parent directory");
        if (n.size() >= 2 && std::isalpha(static_cast<unsigned char>(n[0])) && n[1] == ':')
            return bad("chart contains illegally named files");
        if (head == "Chart.yaml") return bad("chart yaml not in base directory");
        la_int64_t size = archive_entry_size(e);
        if (size > remaining) return bad("decompressed chart is larger than the maximum size 104857600");
        if (size > max_file)
            return bad("decompressed chart file \"" + raw +
                       "\" is larger than the maximum file size 5242880");
        std::string data(static_cast<std::size_t>(size), '\0');
        if (size > 0 && archive_read_data(a.get(), data.data(), data.size()) != size)
            return bad(std::string("bad chart archive: ") + archive_error_string(a.get()));
        remaining -= size;
        strip_bom(data);
        files.push_back({std::move(n), std::move(data)});
    }
    if (files.empty()) return bad("no files in chart archive");
    return files;
}

result<chart> load_chart_archive(std::string_view tgz_bytes, std::string_view origin)
{
    WEIR_TRY_ASSIGN(auto files, read_tgz(tgz_bytes, origin));
    return load_chart_files(std::move(files), origin);
}

result<std::string> gzip_bytes(std::string_view in)
{
    z_stream zs{};
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return terminal_error("gzip: cannot initialise zlib");
    std::string out(deflateBound(&zs, in.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return terminal_error("gzip: compression failed");
    out.resize(zs.total_out);
    return out;
}

result<std::string> gunzip_bytes(std::string_view in, std::size_t max_out)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) return terminal_error("gunzip: cannot initialise zlib");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char buf[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return terminal_error("gunzip: corrupt data");
        }
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > max_out) {
            inflateEnd(&zs);
            return terminal_error("gunzip: data expands past the limit");
        }
        if (rc != Z_STREAM_END && zs.avail_in == 0 && zs.avail_out != 0) {
            inflateEnd(&zs);
            return terminal_error("gunzip: truncated data");
        }
    }
    inflateEnd(&zs);
    return out;
}

const weir::value* value_at(const weir::value& v, std::string_view dotted)
{
    const weir::value* cur = &v;
    while (cur) {
        auto dot = dotted.find('.');
        std::string_view part = dotted.substr(0, dot);
        if (!cur->is_object()) return nullptr;
        cur = cur->find(part);
        if (dot == std::string_view::npos) break;
        dotted.remove_prefix(dot + 1);
    }
    return cur;
}

} // namespace weir::helm
