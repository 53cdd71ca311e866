// weir dev up | down: the whole GitOps loop on one machine, no cluster needed.
#include "command.hpp"
#include "dev_env.hpp"

#include <weir/core/duration.hpp>

#include <csignal>
#include <iostream>

namespace {

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) { interrupted = 1; }

const char* usage = "usage: weir dev up [--dir DIR] [--repo PATH] [--path PATH] [--exit-when-ready] [--timeout DURATION]\n"
                    "       weir dev down [--dir DIR]";

int dev(const weir::cli::args& a)
{
    using namespace weir;
    if (a.empty() || (a[0] != "up" && a[0] != "down")) return cli::fail(usage);
    cli::dev_options opts;
    bool exit_when_ready = false;
    for (std::size_t i = 1; i < a.size(); ++i) {
        auto need = [&]() -> const std::string* { return i + 1 < a.size() ? &a[++i] : nullptr; };
        if (a[i] == "--exit-when-ready") exit_when_ready = true;
        else if (a[i] == "--dir" || a[i] == "--repo" || a[i] == "--path" || a[i] == "--timeout") {
            const std::string flag = a[i];
            const std::string* v = need();
            if (!v) return cli::fail(flag + " needs a value");
            if (flag == "--dir") opts.dir = *v;
            else if (flag == "--repo") opts.repo = *v;
            else if (flag == "--path") opts.path = *v;
            else {
                auto d = parse_duration(*v);
                if (!d) return cli::fail("--timeout: " + d.err().message);
                opts.timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
            }
        } else
            return cli::fail("unknown flag " + a[i] + "\n" + usage);
    }
    if (a[0] == "down") {
        auto s = cli::dev_env::down_from_pid_file(opts.dir);
        return s ? 0 : cli::fail(s.err().message);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    cli::dev_env env(opts);
    if (auto s = env.up(); !s) return cli::fail(s.err().message);
    std::cout << "weir is running: kubectl --kubeconfig " << (opts.dir / "kubeconfig").string()
              << " get all -A   (Ctrl-C stops it)" << std::endl;
    auto s = env.watch(exit_when_ready, [] { return interrupted == 0; });
    env.down();
    if (!s) return cli::fail(s.err().message);
    if (exit_when_ready) std::cout << "everything is Ready" << std::endl;
    return 0;
}

weir::cli::command_registration reg{{
    .name = "dev",
    .summary = "run weir on this machine: API server, controllers and a fleet repository (dev up | dev down)",
    .run = dev,
}};

} // namespace
