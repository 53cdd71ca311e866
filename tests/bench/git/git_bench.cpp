// Side by side on the same generated repositories, served by one `git daemon` on loopback, on tmpfs:
//   first clone + artifact : weir mirror sync + tar.gz from the object store  vs  git clone + tar czf
//   no-op refetch          : weir sync with the last revision                  vs  git fetch
//   one-commit update      : weir sync + tar.gz from the object store          vs  git fetch + git archive
// Usage: git_bench [FILES:COMMITS ...]   (default 200:50 20000:2000). Prints the median of 3 runs.
#include "support/git_server.hpp"

#include <weir/artifact/ignore.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/git/mirror.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using weir::test::run;
using clock_type = std::chrono::steady_clock;

namespace {

std::string yaml(int i, int rev)
{
    std::ostringstream o;
    o << "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-" << i << "\n  namespace: ns-" << i % 17
      << "\nspec:\n  replicas: " << (i + rev) % 5 + 1 << "\n  template:\n    spec:\n      containers:\n"
      << "      - name: app\n        image: registry.example.org/team/app-" << i << ":1." << rev << ".0\n"
      << "        resources:\n          limits:\n            memory: " << 64 + i % 512 << "Mi\n";
    return o.str();
}

void emit_file(std::string& s, const std::string& path, const std::string& content)
{
    s += "M 100644 inline " + path + "\ndata " + std::to_string(content.size()) + "\n" + content + "\n";
}

void emit_commit(std::string& s, int n, bool first)
{
    std::string msg = "commit " + std::to_string(n);
    s += "commit refs/heads/main\ncommitter bench <bench@example.org> " + std::to_string(1700000000 + n) +
         " +0000\ndata " + std::to_string(msg.size()) + "\n" + msg + "\n";
    if (first) s += "from refs/heads/main^0\n";
}

// Appends `commits` commits to `bare` with git fast-import; the first writes all `files` files.
void generate(const fs::path& bare, int files, int commits, int start, bool exists)
{
    std::string s;
    for (int c = 0; c < commits; ++c) {
        int n = start + c;
        emit_commit(s, n, exists && c == 0);
        if (n == 0) {
            for (int i = 0; i < files; ++i)
                emit_file(s, "apps/d" + std::to_string(i / 100) + "/app-" + std::to_string(i) + ".yaml", yaml(i, 0));
        } else {
            for (int k = 0; k < 3; ++k) {
                int i = (n * 7919 + k * 104729) % files;
                emit_file(s, "apps/d" + std::to_string(i / 100) + "/app-" + std::to_string(i) + ".yaml", yaml(i, n));
            }
        }
    }
    auto stream = bare.parent_path() / "stream.fi";
    FILE* f = std::fopen(stream.c_str(), "wb");
    std::fwrite(s.data(), 1, s.size(), f);
    std::fclose(f);
    run({"sh", "-c", "git --git-dir '" + bare.string() + "' fast-import --quiet < '" + stream.string() + "'"});
    fs::remove(stream);
}

double median_ms(const std::function<void()>& setup, const std::function<void()>& body)
{
    std::vector<double> t;
    for (int i = 0; i < 3; ++i) {
        setup();
        auto t0 = clock_type::now();
        body();
        t.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[1];
}

void row(const std::string& what, double weir_ms, double git_ms)
{
    std::printf("  %-26s weir %9.1f ms   git %9.1f ms   ratio %5.2f\n", what.c_str(), weir_ms, git_ms, weir_ms / git_ms);
}

template <class T>
T must(weir::result<T> r)
{
    if (!r) {
        std::fprintf(stderr, "bench: %s\n", r.err().message.c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

void bench(const fs::path& base, int files, int commits)
{
    auto bare = base / "repo.git";
    fs::remove_all(bare);
    run({"git", "init", "-q", "--bare", "-b", "main", bare.string()});
    generate(bare, files, commits, 0, false);
    run({"git", "--git-dir", bare.string(), "repack", "-adq"});
    weir::test::git_daemon daemon(base);
    auto url = daemon.url("repo");
    weir::artifact::ignore_matcher ignore;
    ignore.add_defaults();
    auto work = base / "work";
    std::printf("%d files, %d commits (%s)\n", files, commits, url.c_str());

    weir::git::sync_result last;
    auto weir_first = median_ms([&] { fs::remove_all(work); fs::create_directories(work); }, [&] {
        weir::git::mirror_cache cache(work / "mirrors");
        last = must(cache.sync(url, {.branch = "main"}, {}));
        must(cache.archive(url, last.commit, work / "a.tar.gz", {.defaults = &ignore}));
    });
    auto git_first = median_ms([&] { fs::remove_all(work); fs::create_directories(work); }, [&] {
        run({"git", "clone", "-q", url, (work / "clone").string()});
        run({"tar", "czf", (work / "a.tar.gz").string(), "--exclude=.git", "-C", (work / "clone").string(), "."});
    });
    row("first clone + artifact", weir_first, git_first);

    // Warm state for both sides.
    fs::remove_all(work);
    fs::create_directories(work);
    weir::git::mirror_cache cache(work / "mirrors");
    last = must(cache.sync(url, {.branch = "main"}, {}));
    run({"git", "clone", "-q", "--bare", url, (work / "clone.git").string()});
    auto weir_noop = median_ms([] {}, [&] {
        auto s = must(cache.sync(url, {.branch = "main"}, {}, last.revision));
        if (!s.unchanged) std::fprintf(stderr, "bench: no-op sync was not a no-op\n");
    });
    auto git_noop = median_ms([] {}, [&] {
        run({"git", "--git-dir", (work / "clone.git").string(), "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*"});
    });
    row("no-op refetch", weir_noop, git_noop);

    int next = commits;
    std::vector<double> w, g, ws;
    for (int i = 0; i < 3; ++i) {
        generate(bare, files, 1, next++, true);
        fs::remove_all(work / "co");
        fs::remove(work / "a.tar.gz");
        auto t0 = clock_type::now();
        last = must(cache.sync(url, {.branch = "main"}, {}, last.revision));
        auto ts = clock_type::now();
        must(cache.archive(url, last.commit, work / "a.tar.gz", {.defaults = &ignore}));
        auto t1 = clock_type::now();
        auto tc = t1; // reused below for the comparison path
        if (i == 0) { // the checkout + build_tarball path, for comparison (not in the timing)
            must(cache.checkout(url, last.commit, work / "co"));
            tc = clock_type::now();
            must(weir::artifact::build_tarball(work / "co", work / "b.tar.gz", {.ignore = &ignore}));
            std::printf("  %-26s checkout %.1f ms + build_tarball %.1f ms\n", "  (via checkout, once)",
                        std::chrono::duration<double, std::milli>(tc - t1).count(),
                        std::chrono::duration<double, std::milli>(clock_type::now() - tc).count());
            tc = t1;
        }
        ws.push_back(std::chrono::duration<double, std::milli>(ts - t0).count());
        run({"git", "--git-dir", (work / "clone.git").string(), "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*"});
        run({"git", "--git-dir", (work / "clone.git").string(), "archive", "--format=tar.gz", "-o",
             (work / "g.tar.gz").string(), "main"});
        auto t2 = clock_type::now();
        w.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        g.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::sort(w.begin(), w.end());
    std::sort(g.begin(), g.end());
    row("one-commit update", w[1], g[1]);
    std::sort(ws.begin(), ws.end());
    std::printf("  %-26s sync %.1f ms, archive from the object store the rest\n", "  (weir breakdown)", ws[1]);
    fs::remove_all(work);
}

} // namespace

int main(int argc, char** argv)
{
    ::setenv("TMPDIR", "/dev/shm", 1); // the disk here is noisy; file-heavy runs go to tmpfs
    std::vector<std::pair<int, int>> sizes;
    for (int i = 1; i < argc; ++i) {
        int f = 0, c = 0;
        if (std::sscanf(argv[i], "%d:%d", &f, &c) == 2) sizes.emplace_back(f, c);
    }
    if (sizes.empty()) sizes = {{200, 50}, {20000, 2000}};
    auto base = fs::path("/dev/shm") / ("weir-git-bench-" + std::to_string(::getpid()));
    fs::create_directories(base);
    for (auto [f, c] : sizes) bench(base, f, c);
    fs::remove_all(base);
}
