// A weir-apiserver started for one test (fresh data directory, free port) and kubectl driven
// against it. Every process started here is stopped by its PID.
#pragma once

#include "support/paths.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace weir::test {

inline std::string slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Starts argv with stdout and stderr to `out`; returns the PID.
inline pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    return pid;
}

inline void stop(pid_t pid, int sig = SIGTERM)
{
    if (pid <= 0) return;
    kill(pid, sig);
    int st = 0;
    waitpid(pid, &st, 0);
}

struct run_result {
    int code = -1;
    std::string out;
};

class apiserver_fixture {
public:
    explicit apiserver_fixture(std::vector<std::string> extra = {})
    {
        char tmpl[] = "/tmp/weir-apiserver-test-XXXXXX";
        dir_ = mkdtemp(tmpl);
        extra_ = std::move(extra);
        start();
    }
    ~apiserver_fixture()
    {
        stop(pid_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    void start()
    {
        std::vector<std::string> argv{(binary_dir() / "bin" / "weir-apiserver").string(), "--data-dir",
                                      (dir_ / "data").string(), "--listen", "127.0.0.1:0", "--write-kubeconfig",
                                      kubeconfig().string()};
        argv.insert(argv.end(), extra_.begin(), extra_.end());
        // A restart must not mistake the previous run's "listening on" line for its own.
        std::error_code ec;
        std::filesystem::remove(dir_ / "server.log", ec);
        pid_ = spawn(argv, dir_ / "server.log");
        for (int i = 0; i < 500; ++i) {
            std::string log = slurp(dir_ / "server.log");
            if (auto at = log.find("listening on https://127.0.0.1:"); at != std::string::npos && log.find('\n', at) != std::string::npos) {
                url_ = log.substr(at + 13, log.find('\n', at) - at - 13);
                return;
            }
            int st = 0;
            if (waitpid(pid_, &st, WNOHANG) == pid_) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        FAIL("weir-apiserver did not start: " << slurp(dir_ / "server.log"));
    }
    // kill -9 and start again on the same data directory.
    void crash_and_restart()
    {
        stop(pid_, SIGKILL);
        start();
    }

    std::filesystem::path kubeconfig() const { return dir_ / "kubeconfig"; }
    std::filesystem::path dir() const { return dir_; }
    const std::string& url() const { return url_; }
    pid_t pid() const { return pid_; }

    std::vector<std::string> kubectl_argv(const std::vector<std::string>& args) const
    {
        std::vector<std::string> argv{"/usr/bin/kubectl", "--kubeconfig", kubeconfig().string(), "--cache-dir",
                                      (dir_ / "cache").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    // Runs kubectl to completion; stdout and stderr together.
    run_result kubectl(const std::vector<std::string>& args) const
    {
        auto out = dir_ / ("kubectl-" + std::to_string(counter_++) + ".out");
        pid_t pid = spawn(kubectl_argv(args), out);
        int st = 0;
        waitpid(pid, &st, 0);
        return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(out)};
    }

    // Runs kubectl with a manifest written to a file first.
    run_result kubectl_file(std::vector<std::string> args, const std::string& manifest) const
    {
        auto file = dir_ / ("manifest-" + std::to_string(counter_++) + ".yaml");
        std::ofstream(file) << manifest;
        for (auto& a : args)
            if (a == "FILE") a = file.string();
        return kubectl(args);
    }

private:
    std::filesystem::path dir_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
    std::string url_;
    mutable int counter_ = 0;
};

// Waits (bounded) until a file contains text; the result is checked by the caller.
inline bool wait_for_text(const std::filesystem::path& file, const std::string& text, int tries = 500)
{
    for (int i = 0; i < tries; ++i) {
        if (slurp(file).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

} // namespace weir::test
