// Small POSIX helpers shared by the artifact sources (private).
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace weir::artifact {

// "<what>'<path>': <strerror(errno)>", read errno before anything else clobbers it.
inline std::string fmt_errno(std::string_view what, const std::filesystem::path& p)
{
    int e = errno;
    return std::string(what) + "'" + p.string() + "': " + std::strerror(e);
}

// Writes all bytes or returns false (errno set).
bool write_all(int fd, const void* data, std::size_t size);
// fsync of a directory so that a rename inside it is durable.
void fsync_dir(const std::filesystem::path& dir);
// A unique name next to `base`: "<base>.<tag>-<random>".
std::filesystem::path unique_sibling(const std::filesystem::path& base, std::string_view tag);

} // namespace weir::artifact
