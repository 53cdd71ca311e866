#include <weir/artifact/ignore.hpp>

#include <fnmatch.h>
#include <fstream>
#include <sstream>

namespace weir::artifact {
namespace {

std::vector<std::string_view> split_path(std::string_view s)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find('/', start);
        if (end == std::string_view::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool component_match(const std::string& pat, std::string_view name)
{
    std::string n(name);
    return ::fnmatch(pat.c_str(), n.c_str(), 0) == 0;
}

// Matches pattern parts against path parts; '**' spans zero or more components. `prefix_ok`
// accepts a pattern that matches a leading part of the path (a parent directory).
bool match_parts(const std::vector<std::string>& pat, std::size_t pi,
                 const std::vector<std::string_view>& path, std::size_t xi, bool& prefix)
{
    if (pi == pat.size()) {
        prefix = xi < path.size();
        return true;
    }
    if (pat[pi] == "**") {
        if (pi + 1 == pat.size()) { // "x/**": everything inside x, not x itself
            prefix = false;
            return xi < path.size();
        }
        for (std::size_t k = xi; k <= path.size(); ++k)
            if (match_parts(pat, pi + 1, path, k, prefix)) return true;
        return false;
    }
    if (xi == path.size()) return false;
    if (!component_match(pat[pi], path[xi])) return false;
    return match_parts(pat, pi + 1, path, xi + 1, prefix);
}

std::string_view trim_trailing_spaces(std::string_view s)
{
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        if (s.size() >= 2 && s[s.size() - 2] == '\\') break; // "\ " keeps the space
        s.remove_suffix(1);
    }
    return s;
}

} // namespace

void ignore_matcher::add(std::string_view line, const std::vector<std::string>& domain)
{
    line = trim_trailing_spaces(line);
    if (line.empty() || line.front() == '#') return;
    pattern p;
    p.domain = domain;
    if (line.front() == '!') {
        p.negate = true;
        line.remove_prefix(1);
    } else if (line.size() >= 2 && line[0] == '\\' && (line[1] == '!' || line[1] == '#')) {
        line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
        p.dir_only = true;
        line.remove_suffix(1);
    }
    if (line.find('/') != std::string_view::npos) p.anchored = true;
    for (auto part : split_path(line))
        p.parts.emplace_back(part);
    if (p.parts.empty()) return;
    // "**/x" is the same as an unanchored "x" only when x is a single component; keep it anchored
    // with a leading "**" which match_parts handles.
    patterns_.push_back(std::move(p));
}

void ignore_matcher::add_lines(std::string_view text, const std::vector<std::string>& domain)
{
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        add(text.substr(start, end - start), domain);
        start = end + 1;
    }
}

static void add_csv(ignore_matcher& m, std::string_view csv)
{
    std::size_t start = 0;
    while (start < csv.size()) {
        auto end = csv.find(',', start);
        if (end == std::string_view::npos) end = csv.size();
        m.add(csv.substr(start, end - start));
        start = end + 1;
    }
}

void ignore_matcher::add_vcs_defaults()
{
    add_csv(*this, default_exclude_vcs);
}

void ignore_matcher::add_defaults()
{
    add_csv(*this, default_exclude_vcs);
    add_csv(*this, default_exclude_ext);
    add_csv(*this, default_exclude_ci);
    add_csv(*this, default_exclude_extra);
}

void ignore_matcher::add_sourceignore_files(const std::filesystem::path& root)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    auto read_one = [&](const fs::path& dir, const std::vector<std::string>& domain) {
        std::ifstream in(dir / source_ignore_file, std::ios::binary);
        if (!in) return;
        std::stringstream ss;
        ss << in.rdbuf();
        add_lines(ss.str(), domain);
    };
    read_one(root, {});
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
        if (it->path().filename() == ".git") {
            it.disable_recursion_pending();
            continue;
        }
        std::vector<std::string> domain;
        for (auto& part : fs::relative(it->path(), root, ec))
            domain.push_back(part.string());
        read_one(it->path(), domain);
    }
}

int ignore_matcher::decide(const std::vector<std::string_view>& parts, bool is_dir) const
{
    for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
        const pattern& p = *it;
        if (parts.size() < p.domain.size()) continue;
        bool in_domain = true;
        for (std::size_t i = 0; i < p.domain.size() && in_domain; ++i)
            in_domain = parts[i] == p.domain[i];
        if (!in_domain) continue;
        bool hit = false;
        if (p.anchored) {
            bool prefix = false;
            hit =
                match_parts(p.parts, 0, parts, p.domain.size(), prefix) && (prefix || is_dir || !p.dir_only);
        } else {
            // Unanchored single component: the last component, or a parent (then it is a dir).
            for (std::size_t i = p.domain.size(); i < parts.size() && !hit; ++i) {
                bool last = i + 1 == parts.size();
                if (last && p.dir_only && !is_dir) continue;
                hit = component_match(p.parts[0], parts[i]);
            }
        }
        if (hit) return p.negate ? 0 : 1;
    }
    return -1;
}

bool ignore_matcher::match(std::string_view path, bool is_dir) const
{
    return decide(split_path(path), is_dir) == 1;
}

int ignore_matcher::verdict(std::string_view path, bool is_dir) const
{
    return decide(split_path(path), is_dir);
}

bool ignore_matcher::match_path(std::string_view path, bool is_dir) const
{
    auto parts = split_path(path);
    std::vector<std::string_view> prefix;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        prefix.push_back(parts[i]);
        if (decide(prefix, true) == 1) return true;
    }
    return decide(parts, is_dir) == 1;
}

ignore_matcher ignore_matcher::for_source(const std::filesystem::path& tree,
                                          const std::optional<std::string>& spec_ignore)
{
    ignore_matcher user;
    user.add_sourceignore_files(tree);
    if (spec_ignore) user.add_lines(*spec_ignore);
    ignore_matcher rules;
    if (user.empty()) {
        rules.add_defaults();
        return rules;
    }
    rules.add_vcs_defaults();
    rules.add_sourceignore_files(tree);
    if (spec_ignore) rules.add_lines(*spec_ignore);
    return rules;
}

} // namespace weir::artifact
