// A scratch directory per fuzz process (removed at exit), for targets whose code under test reads
// or writes files: the kustomize engine, tarball extraction, the API server's store.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace weir::fuzz {

inline const std::filesystem::path& scratch_dir(const char* name)
{
    static const std::filesystem::path dir = [name] {
        auto d = std::filesystem::temp_directory_path() /
                 (std::string("weir-") + name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(d);
        std::filesystem::create_directories(d);
        static const std::filesystem::path for_exit = d;
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(for_exit, ec);
        });
        return d;
    }();
    return dir;
}

} // namespace weir::fuzz
