#include <weir/setters/setters.hpp>

#include "scan.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>

namespace weir::setters {
namespace fs = std::filesystem;
using detail::scalar_site;
using detail::scalar_style;

std::string image_ref::str() const
{
    std::string s = name + ":" + tag;
    if (!digest.empty()) s += "@" + digest;
    return s;
}

bool object_id::operator<(const object_id& o) const
{
    return std::tie(kind, namespace_, name, api_version) < std::tie(o.kind, o.namespace_, o.name, o.api_version);
}

namespace {

constexpr std::string_view token = "\"$imagepolicy\"";

// The marker's value when the rest of the line after the scalar is only flow indicators and a
// `# {"$imagepolicy": "..."}` comment.
std::optional<std::string> marker_after(std::string_view text, std::size_t pos)
{
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == ',' || text[pos] == ']' ||
                                 text[pos] == '}'))
        ++pos;
    if (pos >= text.size() || text[pos] != '#') return std::nullopt;
    auto eol = text.find('\n', pos);
    std::string_view comment = text.substr(pos + 1, eol == std::string_view::npos ? text.npos : eol - pos - 1);
    if (comment.find(token) == std::string_view::npos) return std::nullopt;
    while (!comment.empty() && (comment.back() == '\r' || comment.back() == ' ')) comment.remove_suffix(1);
    auto doc = parse_json(comment);
    if (!doc || !doc->is_object()) return std::nullopt;
    const value* v = doc->find("$imagepolicy");
    if (!v || !v->is_string()) return std::nullopt;
    return v->as_string();
}

// The value a marker asks for, or nullopt when the policy or the field is unknown.
std::optional<std::string> setter_value(std::string_view marker, const policy_map& policies)
{
    auto first = marker.find(':');
    if (first == std::string_view::npos) return std::nullopt;
    auto second = marker.find(':', first + 1);
    std::string_view key = marker.substr(0, second);
    std::string_view field = second == std::string_view::npos ? "" : marker.substr(second + 1);
    auto it = policies.find(key);
    if (it == policies.end()) return std::nullopt;
    const image_ref& ref = it->second;
    if (field.empty()) return ref.str();
    if (field == "name") return ref.name;
    if (field == "tag") return ref.tag;
    if (field == "digest" && !ref.digest.empty()) return ref.digest;
    return std::nullopt;
}

std::string double_quoted(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The new scalar in the style the author used; a plain scalar that would read back differently
// (or break the line) is double-quoted.
std::string render(std::string_view v, scalar_style style)
{
    if (style == scalar_style::single_quoted) {
        std::string out = "'";
        for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
    }
    if (style == scalar_style::double_quoted) return double_quoted(v);
    bool flow_unsafe = v.find_first_of(",[]{}") != std::string_view::npos;
    if (!v.empty() && yaml_plain_safe(v) && !flow_unsafe) return std::string(v);
    return double_quoted(v);
}

bool yaml_file(const fs::path& p)
{
    auto ext = p.extension().string();
    return ext == ".yaml" || ext == ".yml" || p.filename() == "Kustomization";
}

} // namespace

file_update update_text(std::string_view text, const policy_map& policies)
{
    file_update out;
    out.text = std::string(text);
    if (text.find(token) == std::string_view::npos) return out;
    auto scanned = detail::scan_values(text);
    if (!scanned) {
        out.skipped = scanned.err().message;
        return out;
    }
    struct edit {
        std::size_t begin, end;
        std::string replacement;
    };
    std::vector<edit> edits;
    for (const scalar_site& s : scanned->values) {
        if (!s.single_line || s.style == scalar_style::other) continue;
        auto marker = marker_after(text, s.end);
        if (!marker) continue;
        auto wanted = setter_value(*marker, policies);
        if (!wanted || *wanted == s.value) continue;
        edits.push_back({s.begin, s.end, render(*wanted, s.style)});
        change c;
        if (s.document < scanned->documents.size()) c.object = scanned->documents[s.document];
        c.old_value = s.value;
        c.new_value = *wanted;
        c.setter = *marker;
        out.changes.push_back(std::move(c));
    }
    for (auto it = edits.rbegin(); it != edits.rend(); ++it)
        out.text.replace(it->begin, it->end - it->begin, it->replacement);
    return out;
}

result<tree_update> update_tree(const fs::path& root, std::string_view sub_path, const policy_map& policies)
{
    fs::path rel = fs::path(sub_path).lexically_normal();
    if (rel.is_absolute() || (!rel.empty() && *rel.begin() == ".."))
        return terminal_error("update path '" + std::string(sub_path) + "' must stay inside the repository", "InvalidPath");
    fs::path start = root / rel;
    std::error_code ec;
    if (!fs::is_directory(start, ec))
        return terminal_error("update path '" + std::string(sub_path) + "' is not a directory in the repository",
                              "InvalidPath");
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_directory() && it->path().filename() == ".git") {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && !it->is_symlink() && yaml_file(it->path())) files.push_back(it->path());
    }
    if (ec) return transient_error("cannot walk '" + start.string() + "': " + ec.message(), "UpdateFailed");
    std::sort(files.begin(), files.end());
    tree_update out;
    for (const fs::path& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        std::string text = buf.str();
        if (text.find(token) == std::string::npos) continue;
        ++out.files_scanned;
        std::string name = f.lexically_relative(root).generic_string();
        auto u = update_text(text, policies);
        if (!u.skipped.empty()) out.skipped.push_back(name + ": " + u.skipped);
        if (u.changes.empty()) continue;
        std::ofstream o(f, std::ios::binary | std::ios::trunc);
        o << u.text;
        o.close();
        if (!o) return transient_error("cannot write '" + name + "'", "UpdateFailed");
        out.files_changed.push_back(name);
        for (auto& c : u.changes) {
            c.file = name;
            out.changes.push_back(std::move(c));
        }
    }
    return out;
}

} // namespace weir::setters
