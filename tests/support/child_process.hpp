// A real binary run by a test: started with arguments and extra environment, output to a log file,
// stopped by PID (SIGTERM, then SIGKILL) in the destructor at the latest.
//
//   test::child_process ctl(bin_dir / "source-controller", {"--kubeconfig", kc}, {{"RUNTIME_NAMESPACE", "default"}});
//   REQUIRE(ctl.start());
//   ... ctl.log() holds what it printed, for failure messages.
#pragma once

#include <weir/core/result.hpp>
#include <weir/process/child.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weir::test {

class child_process {
public:
    child_process(std::filesystem::path binary, std::vector<std::string> args,
                  std::map<std::string, std::string> env = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    status start() { return child_.start(); }
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) { child_.stop(grace); }
    void kill() { child_.kill(); }
    bool running() { return child_.running(); }
    pid_t pid() const { return child_.pid(); }
    std::string log() const;
    const std::filesystem::path& log_path() const { return child_.options().log; }

private:
    process::child child_;
};

// A TCP port that was free a moment ago (bind to :0, read, close), for flags that need the port
// before the process starts.
unsigned short free_port();

// Runs a shell command, returns its exit code; output goes to `out` when given.
int run_command(const std::string& command, std::string* out = nullptr);

} // namespace weir::test
