// Runs a real weir-apiserver for integration tests:
//
//   weir::test::apiserver_process api(WEIR_APISERVER_BIN);
//   REQUIRE(api.start());                 // data dir and kubeconfig in a fresh temp dir
//   auto cfg = api.config();              // kube::config from the kubeconfig it wrote
//   api.restart();                        // same data dir, same port
//   api.stop();                           // SIGTERM by PID (SIGKILL after 5 s); also the destructor
//
// The server listens on 127.0.0.1 with a port chosen by the kernel on first start; restarts reuse
// it so that clients keep their URL. Its stdout and stderr go to <dir>/apiserver.log.
// $WEIR_APISERVER_BIN, when set, replaces the binary given to the constructor.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/config.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace weir::test {

class apiserver_process {
public:
    explicit apiserver_process(std::filesystem::path binary, std::vector<std::string> extra_args = {});
    ~apiserver_process();
    apiserver_process(const apiserver_process&) = delete;
    apiserver_process& operator=(const apiserver_process&) = delete;

    // Starts the server and waits until it listens (and has written its kubeconfig).
    status start(std::chrono::seconds timeout = std::chrono::seconds(20));
    // SIGTERM, then SIGKILL if it has not exited within 5 s.
    void stop();
    // SIGKILL: a crash.
    void kill();
    status restart() { stop(); return start(); }
    bool running() const { return pid_ > 0; }

    pid_t pid() const { return pid_; }
    unsigned short port() const { return port_; }
    std::string url() const;
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path data_dir() const { return dir_ / "data"; }
    std::filesystem::path kubeconfig_path() const { return dir_ / "kubeconfig"; }
    std::filesystem::path log_path() const { return dir_ / "apiserver.log"; }
    result<kube::config> config() const;

private:
    void wait_exit(std::chrono::milliseconds grace);
    std::filesystem::path binary_;
    std::vector<std::string> extra_args_;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
};

} // namespace weir::test
