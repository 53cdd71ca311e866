// Safe extraction of hostile tar.gz (and plain tar) archives: whatever the bytes, extraction fails
// cleanly or writes only inside the target, never leaves a symlink pointing out of it, never
// leaves a partial tree behind a failure, and respects its entry and byte limits.
#include "fuzz_tmpdir.hpp"

#include <weir/artifact/tarball.hpp>

#include <cstdlib>
#include <fstream>

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& p)
{
    auto rel = p.lexically_normal().lexically_relative(root);
    return !rel.empty() && *rel.begin() != "..";
}

// Every entry under `target` stays inside it, symlinks included.
void check_tree(const fs::path& target)
{
    for (auto it = fs::recursive_directory_iterator(target); it != fs::recursive_directory_iterator(); ++it) {
        const auto& p = it->path();
        if (it->is_symlink()) {
            auto to = fs::read_symlink(p);
            if (to.is_absolute() || !inside(target, p.parent_path() / to)) std::abort();
            std::error_code ec; // resolved through every link on the way, where it resolves
            auto real = fs::weakly_canonical(p, ec);
            if (!ec && !inside(fs::canonical(target), real)) std::abort();
        } else if (!it->is_regular_file() && !it->is_directory()) {
            std::abort(); // devices, fifos, sockets must never be created
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    const fs::path& dir = weir::fuzz::scratch_dir("tarball-fuzz");
    fs::path archive = dir / "in.tar.gz", parent = dir / "work", target = parent / "out";
    fs::remove_all(parent);
    fs::create_directories(target);
    std::ofstream(target / "previous") << "kept unless the whole archive is good";
    {
        std::ofstream out(archive, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    weir::artifact::extract_options limits{.max_bytes = 1 << 20, .max_entries = 256};
    auto res = weir::artifact::extract_tarball(archive, target, limits);
    // Nothing but the target may be left in its parent (no temporary sibling, no escaped file).
    for (const auto& e : fs::directory_iterator(parent))
        if (e.path() != target) std::abort();
    if (!res) {
        if (!fs::exists(target / "previous")) std::abort(); // a failure leaves the old tree
        return 0;
    }
    if (res->files > limits.max_entries || res->bytes > limits.max_bytes) std::abort();
    check_tree(target);
    return 0;
}
