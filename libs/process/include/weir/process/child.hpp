// Child processes that weir starts and must stop: the controllers under `weir dev up`, real peers
// in tests. Output goes to a log file; stop() sends SIGTERM, waits, then SIGKILL.
//
//   process::child c({.binary = "/usr/bin/weir-apiserver", .args = {"--data-dir", dir}, .log = "api.log"});
//   WEIR_TRY(c.start());
//   ...
//   c.stop();                      // also done by the destructor unless detach() was called
#pragma once

#include <weir/core/result.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weir::process {

struct child_options {
    std::filesystem::path binary;
    std::vector<std::string> args;
    std::map<std::string, std::string> env; // added to the inherited environment
    std::filesystem::path log;              // stdout and stderr; /dev/null when empty
    bool new_session = false;               // setsid(): not stopped by the terminal's Ctrl-C
};

class child {
public:
    explicit child(child_options options);
    ~child();
    child(child&&) noexcept;
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    status start();
    // SIGTERM, then SIGKILL after `grace`.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    void kill();
    bool running();
    // Leaves the process running when this object goes away.
    void detach() { pid_ = -1; }
    pid_t pid() const { return pid_; }
    const child_options& options() const { return options_; }

private:
    child_options options_;
    pid_t pid_ = -1;
};

// Stops a process this program did not start (a pid file's), SIGTERM then SIGKILL.
void stop_pid(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(5));
bool pid_alive(pid_t pid);

// A loopback TCP port that was free a moment ago, for flags that need the port before the process
// that binds it starts (a small race accepted for local development and tests).
unsigned short free_tcp_port();

} // namespace weir::process
