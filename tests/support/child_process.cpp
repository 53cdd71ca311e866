#include "child_process.hpp"

#include <fmt/format.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace weir::test {

namespace {
std::filesystem::path temp_log(const std::filesystem::path& binary)
{
    return std::filesystem::temp_directory_path() /
           fmt::format("weir-{}-{}.log", binary.filename().string(), std::random_device{}());
}
} // namespace

child_process::child_process(std::filesystem::path binary, std::vector<std::string> args,
                             std::map<std::string, std::string> env)
    : child_({.binary = binary, .args = std::move(args), .env = std::move(env), .log = temp_log(binary)})
{
}

child_process::~child_process()
{
    child_.stop();
    std::error_code ec;
    std::filesystem::remove(log_path(), ec);
}

std::string child_process::log() const
{
    std::ifstream in(log_path());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

unsigned short free_port() { return process::free_tcp_port(); }

int run_command(const std::string& command, std::string* out)
{
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    std::string text;
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
    int rc = ::pclose(p);
    if (out) *out = std::move(text);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace weir::test
