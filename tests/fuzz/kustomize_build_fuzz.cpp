// The kustomize engine on generated trees: the input is a small file tree,
//   <kustomization.yaml text>
//   --- base/kustomization.yaml
//   <text>
//   --- base/cm.yaml
//   ...
// (text before the first "--- <path>" line is the top kustomization.yaml). The tree is written
// to a scratch directory and built; every build must succeed or fail cleanly, never crash, hang
// or read outside the tree.
#include "fuzz_tmpdir.hpp"

#include <weir/core/yaml.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <cstdlib>
#include <fstream>
#include <string_view>

namespace fs = std::filesystem;

namespace {

// Only plain relative names: the fuzzer builds the tree, it does not get to write outside it.
bool safe_name(std::string_view p)
{
    if (p.empty() || p.size() > 64 || p.front() == '/' || p.back() == '/') return false;
    int depth = 0;
    for (char c : p) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-' || c == '/';
        if (!ok) return false;
        depth += c == '/';
    }
    return depth <= 4 && p.find("..") == std::string_view::npos && p.find("//") == std::string_view::npos;
}

void write_tree(const fs::path& root, std::string_view in)
{
    std::string name = "kustomization.yaml";
    int files = 0;
    while (files < 16) {
        auto next = in.find("\n--- ");
        std::string_view text = in.substr(0, next);
        if (safe_name(name)) {
            fs::path p = root / name;
            std::error_code ec;
            fs::create_directories(p.parent_path(), ec);
            if (!ec && !fs::is_directory(p)) std::ofstream(p, std::ios::binary) << text;
            ++files;
        }
        if (next == std::string_view::npos) break;
        in.remove_prefix(next + 5);
        auto nl = in.find('\n');
        name = std::string(in.substr(0, nl));
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    if (size > 64 * 1024) return 0;
    const fs::path& dir = weir::fuzz::scratch_dir("kustomize-fuzz");
    fs::path root = dir / "tree";
    fs::remove_all(root);
    fs::create_directories(root);
    write_tree(root, std::string_view(reinterpret_cast<const char*>(data), size));
    auto objects = weir::kustomize::build(root);
    if (!objects) return 0;
    for (const auto& o : *objects) {
        if (!o.is_object()) std::abort(); // a build yields resources, nothing else
        (void)weir::to_yaml(o);
    }
    return 0;
}
