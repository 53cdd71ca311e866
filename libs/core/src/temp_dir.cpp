#include <weir/core/temp_dir.hpp>

#include <fmt/format.h>

#include <atomic>

#include <unistd.h>

namespace weir {

temp_dir::temp_dir(const std::filesystem::path& parent, std::string_view tag)
{
    static std::atomic<unsigned> counter{0};
    path_ = parent / fmt::format("{}-{}-{}", tag, ::getpid(), counter++);
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace weir
