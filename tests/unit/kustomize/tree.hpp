// Test helpers: a throw-away directory tree, and kubectl kustomize as the reference.
#pragma once

#include <weir/core/yaml.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <unistd.h>

namespace weir::test {

class temp_tree {
public:
    temp_tree(std::initializer_list<std::pair<const std::string, std::string>> files)
        : temp_tree(std::map<std::string, std::string>(files))
    {
    }
    explicit temp_tree(const std::map<std::string, std::string>& files)
    {
        char tmpl[] = "/tmp/weir-kustomize-XXXXXX";
        root_ = mkdtemp(tmpl);
        for (const auto& [path, text] : files) write(path, text);
    }
    ~temp_tree()
    {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    temp_tree(const temp_tree&) = delete;
    temp_tree& operator=(const temp_tree&) = delete;

    void write(const std::string& path, const std::string& text) const
    {
        auto p = root_ / path;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    std::filesystem::path path(const std::string& rel = "") const { return rel.empty() ? root_ : root_ / rel; }

private:
    std::filesystem::path root_;
};

struct kubectl_result {
    int status = -1;
    std::string out;
};

inline bool have_kubectl() { return std::system("kubectl version --client >/dev/null 2>&1") == 0; }

inline kubectl_result kubectl_kustomize(const std::filesystem::path& dir)
{
    kubectl_result r;
    std::string cmd = "kubectl kustomize '" + dir.string() + "' 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[65536];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    r.status = pclose(p);
    return r;
}

} // namespace weir::test
