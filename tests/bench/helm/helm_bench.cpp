// Renders the podinfo chart N times (load once; process values, render, split and sort each
// time) and prints the mean time per render and the peak RSS.
//   build-helm/bench/helm_bench [N] [chart-dir] [--set expression]
#include <weir/helm/render.hpp>
#include <weir/helm/values.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 200;
    std::string dir = argc > 2 ? argv[2] : WEIR_SOURCE_DIR "/tests/unit/helm/testdata/podinfo/podinfo";
    auto load_start = std::chrono::steady_clock::now();
    auto chart = weir::helm::load_chart(dir);
    if (!chart) {
        std::fprintf(stderr, "%s\n", chart.err().message.c_str());
        return 1;
    }
    auto load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count();
    weir::value user = weir::object{};
    if (argc > 3 && !weir::helm::parse_set(argv[3], user)) return 1;
    weir::helm::render_options opts;
    opts.release.name = "web";
    std::size_t bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        auto out = weir::helm::render_chart(*chart, user, opts);
        if (!out) {
            std::fprintf(stderr, "%s\n", out.err().message.c_str());
            return 1;
        }
        bytes += weir::helm::release_manifest(*out).size();
    }
    double total = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("chart %s: load %.2f ms; %d renders, %.3f ms per render, %zu bytes each; peak RSS %.1f MiB\n",
                dir.c_str(), load_ms, n, total / n, bytes / static_cast<std::size_t>(n), ru.ru_maxrss / 1024.0);
    return 0;
}
