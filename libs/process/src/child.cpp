#include <weir/process/child.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace weir::process {

child::child(child_options options) : options_(std::move(options)) {}

child::~child() { stop(); }

child::child(child&& other) noexcept : options_(std::move(other.options_)), pid_(other.pid_) { other.pid_ = -1; }

status child::start()
{
    if (::access(options_.binary.c_str(), X_OK) != 0)
        return terminal_error(fmt::format("cannot run {}: {}", options_.binary.string(), std::strerror(errno)));
    // Everything exec needs is prepared before fork: the child may only call async-signal-safe functions.
    std::string bin = options_.binary.string();
    std::vector<std::string> args = options_.args;
    std::vector<char*> argv{bin.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = options_.log.empty() ? std::string("/dev/null") : options_.log.string();
    pid_t pid = ::fork();
    if (pid < 0) return transient_error(fmt::format("fork failed: {}", std::strerror(errno)));
    if (pid == 0) {
        if (options_.new_session) ::setsid();
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        // Only stdio crosses exec: an inherited listening socket would keep a port "open" after
        // its owner closed it, and connections would hang in its backlog instead of being refused.
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::close_range(3, ~0U, 0);
        for (const auto& [k, v] : options_.env) ::setenv(k.c_str(), v.c_str(), 1);
        ::execv(bin.c_str(), argv.data());
        ::_exit(127);
    }
    pid_ = pid;
    return ok();
}

bool child::running()
{
    if (pid_ <= 0) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

void child::stop(std::chrono::milliseconds grace)
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

void child::kill()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
}

bool pid_alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

void stop_pid(pid_t pid, std::chrono::milliseconds grace)
{
    if (!pid_alive(pid)) return;
    ::kill(pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!pid_alive(pid)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
}

unsigned short free_tcp_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    unsigned short port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

} // namespace weir::process
