// Renders a chart (podinfo by default) N times (load once; process values, render, split and
// sort each time) and prints the first render's time (which parses the templates) and the mean
// of the others (parsed templates come from the cache, as in a controller), and the peak RSS.
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
    double first_ms = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        if (i == 1) {
            first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            start = std::chrono::steady_clock::now();
        }
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
    std::printf("chart %s: load %.2f ms; first render %.3f ms; %d more, %.3f ms per render; %zu bytes each; "
                "peak RSS %.1f MiB\n",
                dir.c_str(), load_ms, first_ms, n - 1, n > 1 ? total / (n - 1) : 0.0, bytes / static_cast<std::size_t>(n),
                ru.ru_maxrss / 1024.0);
    return 0;
}
