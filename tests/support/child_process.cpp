#include "child_process.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace weir::test {

child_process::child_process(std::filesystem::path binary, std::vector<std::string> args,
                             std::map<std::string, std::string> env)
    : binary_(std::move(binary)), args_(std::move(args)), env_(std::move(env))
{
    log_ = std::filesystem::temp_directory_path() /
           fmt::format("weir-{}-{}.log", binary_.filename().string(), std::random_device{}());
}

child_process::~child_process()
{
    stop();
    std::error_code ec;
    std::filesystem::remove(log_, ec);
}

status child_process::start()
{
    if (!std::filesystem::exists(binary_)) return terminal_error("no such binary: " + binary_.string());
    pid_t pid = ::fork();
    if (pid < 0) return transient_error("fork failed");
    if (pid == 0) {
        int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        for (const auto& [k, v] : env_) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        std::string bin = binary_.string();
        argv.push_back(bin.data());
        for (auto& a : args_) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(bin.c_str(), argv.data());
        ::_exit(127);
    }
    pid_ = pid;
    return ok();
}

bool child_process::running()
{
    if (pid_ <= 0) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

void child_process::stop(std::chrono::milliseconds grace)
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
}

void child_process::kill()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
}

std::string child_process::log() const
{
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

unsigned short free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

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
