// weir-apiserver: a Kubernetes-API-compatible server for one machine (see docs/apiserver.md).
#include <weir/apiserver/server.hpp>
#include <weir/core/log.hpp>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void usage()
{
    std::fputs("usage: weir-apiserver --data-dir DIR [--listen HOST:PORT] [--write-kubeconfig FILE]\n"
               "                      [--authorization always-allow|rbac] [--log-level LEVEL]\n",
               stderr);
}

} // namespace

int main(int argc, char** argv)
{
    weir::apiserver::server_options opt;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (auto eq = a.find('='); eq != std::string::npos) return a.substr(eq + 1);
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        auto is = [&](const char* flag) { return a == flag || a.starts_with(std::string(flag) + "="); };
        if (is("--data-dir")) opt.data_dir = next();
        else if (is("--listen")) opt.listen = next();
        else if (is("--write-kubeconfig")) opt.kubeconfig = next();
        else if (is("--authorization")) {
            std::string mode = next();
            if (mode != "rbac" && mode != "always-allow") {
                std::fprintf(stderr, "weir-apiserver: --authorization must be always-allow or rbac, not %s\n", mode.c_str());
                return 2;
            }
            opt.rbac = mode == "rbac";
        } else if (is("--log-level")) {
            weir::log_level level;
            if (!weir::parse_log_level(next(), level)) {
                usage();
                return 2;
            }
            weir::configure_logging(level, weir::log_encoding::json);
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else {
            std::fprintf(stderr, "weir-apiserver: unknown flag %s\n", a.c_str());
            usage();
            return 2;
        }
    }
    if (opt.data_dir.empty()) {
        std::fputs("weir-apiserver: --data-dir is required\n", stderr);
        usage();
        return 2;
    }
    auto srv = weir::apiserver::server::create(opt);
    if (!srv) {
        std::fprintf(stderr, "weir-apiserver: %s\n", srv.err().message.c_str());
        return 1;
    }
    std::printf("listening on %s\n", (*srv)->url().c_str());
    std::fflush(stdout);
    (*srv)->run();
    return 0;
}
