#include "sys.hpp"

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace weir::artifact {

bool write_all(int fd, const void* data, std::size_t size)
{
    auto p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

void fsync_dir(const std::filesystem::path& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::filesystem::path unique_sibling(const std::filesystem::path& base, std::string_view tag)
{
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 rng(std::random_device{}() ^
                                     static_cast<unsigned long>(::getpid()) ^
                                     static_cast<unsigned long>(
                                         std::chrono::steady_clock::now().time_since_epoch().count()));
    auto n = rng() ^ counter.fetch_add(1);
    char buf[17];
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) buf[i] = hex[(n >> (i * 4)) & 15];
    buf[16] = 0;
    auto name = base.filename().string() + "." + std::string(tag) + "-" + buf;
    return base.parent_path() / name;
}

} // namespace weir::artifact
