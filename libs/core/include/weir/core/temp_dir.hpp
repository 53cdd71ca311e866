// A directory that is removed with everything in it when this object goes away: scratch space for a
// checkout, an extracted artifact or a build.
//
//   temp_dir work(storage_root / ".tmp", "checkout");   // <parent>/checkout-<pid>-<n>
//   WEIR_TRY(checkout(work.path()));
#pragma once

#include <filesystem>
#include <string_view>

namespace weir {

class temp_dir {
public:
    // Creates a fresh directory under `parent` (created too) named after `tag`.
    temp_dir(const std::filesystem::path& parent, std::string_view tag);
    // Takes over an existing or future path (not created here).
    explicit temp_dir(std::filesystem::path path) : path_(std::move(path)) {}
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace weir
