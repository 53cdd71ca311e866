// A fresh temporary directory for one security test, removed with everything in it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace weir::test::security {

struct temp_dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("weir-security-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    temp_dir() { std::filesystem::create_directories(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

} // namespace weir::test::security
