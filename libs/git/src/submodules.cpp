#include "submodules.hpp"

#include <map>
#include <sstream>

namespace weir::git::detail {

std::string resolve_submodule_url(const std::string& parent, const std::string& url)
{
    if (!url.starts_with("./") && !url.starts_with("../")) return url;
    std::string base = parent;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string_view rest = url;
    // As git does: the superproject URL is the "directory" the relative path starts from.
    while (true) {
        if (rest.starts_with("./")) {
            rest.remove_prefix(2);
        } else if (rest.starts_with("../")) {
            rest.remove_prefix(3);
            auto slash = base.rfind('/');
            if (slash != std::string::npos && slash > base.find("://") + 2) base.resize(slash);
        } else {
            break;
        }
    }
    return base + "/" + std::string(rest);
}

namespace {

std::string trim(std::string s)
{
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// name -> {key -> value} from .gitmodules ([submodule "name"] sections only).
std::map<std::string, std::map<std::string, std::string>> parse_gitmodules(const std::string& text)
{
    std::map<std::string, std::map<std::string, std::string>> out;
    std::istringstream in(text);
    std::string current;
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            auto q1 = line.find('"'), q2 = line.rfind('"');
            current = line.starts_with("[submodule") && q1 != q2 ? line.substr(q1 + 1, q2 - q1 - 1) : "";
            continue;
        }
        auto eq = line.find('=');
        if (current.empty() || eq == std::string::npos) continue;
        out[current][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return out;
}

void collect_gitlinks(git_repository* repo, git_tree* tree, const std::string& prefix,
                      std::vector<std::pair<std::string, std::string>>& out)
{
    for (size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        std::string path = prefix + git_tree_entry_name(e);
        if (git_tree_entry_filemode(e) == GIT_FILEMODE_COMMIT) {
            out.emplace_back(path, oid_hex(*git_tree_entry_id(e)));
        } else if (git_tree_entry_filemode(e) == GIT_FILEMODE_TREE) {
            git_tree* sub = nullptr;
            if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) == 0) {
                tree_ptr holder(sub);
                collect_gitlinks(repo, sub, path + "/", out);
            }
        }
    }
}

} // namespace

result<std::vector<submodule>> list_submodules(git_repository* repo, git_tree* tree, const std::string& parent_url)
{
    std::vector<std::pair<std::string, std::string>> links;
    collect_gitlinks(repo, tree, "", links);
    if (links.empty()) return std::vector<submodule>{};
    std::string text;
    if (const git_tree_entry* e = git_tree_entry_byname(tree, ".gitmodules")) {
        git_blob* raw = nullptr;
        if (git_blob_lookup(&raw, repo, git_tree_entry_id(e)) == 0) {
            blob_ptr b(raw);
            text.assign(static_cast<const char*>(git_blob_rawcontent(b.get())), static_cast<std::size_t>(git_blob_rawsize(b.get())));
        }
    }
    std::map<std::string, std::string> url_by_path;
    for (auto& [name, kv] : parse_gitmodules(text))
        if (kv.count("path") && kv.count("url")) url_by_path[kv["path"]] = kv["url"];
    std::vector<submodule> out;
    for (auto& [path, commit] : links) {
        auto it = url_by_path.find(path);
        if (it == url_by_path.end())
            return terminal_error("submodule at '" + path + "' has no url in .gitmodules", "InvalidSubmodule");
        out.push_back({path, resolve_submodule_url(parent_url, it->second), commit});
    }
    return out;
}

} // namespace weir::git::detail
