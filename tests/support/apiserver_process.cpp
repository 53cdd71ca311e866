#include "apiserver_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;

namespace weir::test {

apiserver_process::apiserver_process(fs::path binary, std::vector<std::string> extra_args)
    : binary_(std::move(binary)), extra_args_(std::move(extra_args))
{
    // $WEIR_APISERVER_BIN overrides the binary, e.g. to run sanitized tests against a plain server.
    if (const char* env = std::getenv("WEIR_APISERVER_BIN"); env && *env) binary_ = env;
    std::string tmpl = (fs::temp_directory_path() / "weir-apiserver-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    fs::create_directories(data_dir());
}

apiserver_process::~apiserver_process()
{
    stop();
    std::error_code ec;
    if (!std::getenv("WEIR_KEEP_TEST_DIRS")) fs::remove_all(dir_, ec);
}

std::string apiserver_process::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

status apiserver_process::start(std::chrono::seconds timeout)
{
    if (pid_ > 0) return ok();
    std::error_code ec;
    fs::remove(kubeconfig_path(), ec);
    std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> args{binary_.string(), "--data-dir", data_dir().string(), "--listen", listen,
                                  "--write-kubeconfig", kubeconfig_path().string()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // Remember where this run's output starts, to find its "listening on" line.
    auto offset = fs::exists(log_path()) ? fs::file_size(log_path()) : 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3); // no inherited sockets (see process::child)
    int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        return transient_error("cannot start " + binary_.string() + ": " + std::strerror(rc));
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return transient_error("weir-apiserver exited during start-up; see " + log_path().string());
        }
        std::ifstream in(log_path());
        in.seekg(static_cast<std::streamoff>(offset));
        std::string line;
        while (std::getline(in, line)) {
            auto at = line.find("listening on https://127.0.0.1:");
            if (at == std::string::npos) continue;
            port_ = static_cast<unsigned short>(std::stoi(line.substr(at + 31)));
            if (fs::exists(kubeconfig_path())) return ok();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    return transient_error("weir-apiserver did not listen within the timeout; see " + log_path().string());
}

void apiserver_process::wait_exit(std::chrono::milliseconds grace)
{
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

void apiserver_process::stop()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    wait_exit(std::chrono::seconds(5));
}

void apiserver_process::kill()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
}

result<kube::config> apiserver_process::config() const
{
    return kube::load_kubeconfig({kubeconfig_path().string()});
}

} // namespace weir::test
