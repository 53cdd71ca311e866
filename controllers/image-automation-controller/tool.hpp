// Running the command-line tools the controller leans on (gpg, ssh-keygen, git) in private scratch
// directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace weir::image {

// A fresh private directory under `parent` (created), removed with its contents on destruction;
// path() is empty when it could not be made. The name is short: gpg-agent's socket lives there.
class scratch_dir {
public:
    explicit scratch_dir(const std::filesystem::path& parent);
    ~scratch_dir();
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Writes `text` to `p` readable by the owner only.
void write_private(const std::filesystem::path& p, const std::string& text);
std::string slurp(const std::filesystem::path& p);

// Runs argv (looked up in PATH) with stdin from /dev/null and stdout+stderr appended to `log`;
// `env` entries ("NAME=value") are added to (or override) the environment. The exit status, or -1
// when it could not start or was killed.
int run_tool(const std::vector<std::string>& argv, const std::filesystem::path& log,
             const std::vector<std::string>& env = {});

} // namespace weir::image
