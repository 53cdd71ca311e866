// Image automation at scale, the two hot paths:
//   image_bench scan    a docker-registry repository with 10,000 tags: list (paginated), filter
//                       exclusions, store in the tag database, then evaluate 100 policies
//   image_bench update  1,000 manifests with setter markers in a Git work tree: rewrite and commit
// Stage times are printed by the binary; peak memory comes from /usr/bin/time -v (run.sh).
#include "integration/image/registry.hpp"

#include "../../../controllers/image-automation-controller/tag_store.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/git/push.hpp>
#include <weir/oci/client.hpp>
#include <weir/oci/tag_policy.hpp>
#include <weir/setters/setters.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

using namespace weir;
namespace fs = std::filesystem;
using clk = std::chrono::steady_clock;

namespace {

double ms_since(clk::time_point t) { return std::chrono::duration<double, std::milli>(clk::now() - t).count(); }

// docker-registry keeps a tag as a directory holding a link to the manifest: cloning that
// directory makes a tag without 10,000 uploads.
void make_tags(const fs::path& data, const std::string& repo, const std::vector<std::string>& tags)
{
    fs::path dir = data / "docker/registry/v2/repositories" / repo / "_manifests/tags";
    fs::path model = dir / "seed";
    for (const auto& t : tags) fs::copy(model, dir / t, fs::copy_options::recursive);
}

std::vector<std::string> tag_names(int n)
{
    std::vector<std::string> tags;
    for (int i = 0; i < n; ++i) {
        if (i % 5 == 4) tags.push_back(fmt::format("main-{:07x}-{}", i * 7919, 1700000000 + i));
        else tags.push_back(fmt::format("{}.{}.{}", i / 1000, (i / 10) % 100, i % 10));
    }
    tags.push_back("latest");
    tags.push_back("sha256-deadbeef.sig");
    return tags;
}

std::vector<oci::tag_policy> policies(int n)
{
    std::vector<oci::tag_policy> out;
    for (int i = 0; i < n; ++i) {
        switch (i % 4) {
        case 0: out.push_back({.kind = oci::tag_order::semver, .semver_range = fmt::format("^{}.0", i % 8)}); break;
        case 1: out.push_back({.kind = oci::tag_order::semver, .semver_range = fmt::format(">={}.10.0 <{}.50.0", i % 8, i % 8)}); break;
        case 2:
            out.push_back({.kind = oci::tag_order::numerical,
                           .filter_pattern = "^main-[a-f0-9]+-(?P<ts>[0-9]+)",
                           .filter_extract = "$ts"});
            break;
        default: out.push_back({.kind = oci::tag_order::alphabetical, .filter_pattern = "^main-"}); break;
        }
    }
    return out;
}

int scan(int n_tags, int n_policies)
{
    test::registry reg;
    reg.push_image("bench/app", "seed");
    make_tags(reg.data_dir(), "bench/app", tag_names(n_tags));

    temp_dir dir(fs::temp_directory_path(), "image-bench");
    auto store = image::tag_store::open(dir.path());
    if (!store) return std::cerr << store.err().message << "\n", 1;
    auto t0 = clk::now();
    auto opts = reg.client_options();
    opts.page_size = 1000;
    oci::registry_client c(reg.host(), opts);
    auto tags = c.list_tags("bench/app");
    if (!tags) return std::cerr << tags.err().message << "\n", 1;
    double list_ms = ms_since(t0);
    auto t1 = clk::now();
    auto ex = oci::tag_exclusions::compile({"^.*\\.sig$"});
    auto kept = ex->filter(std::move(*tags));
    std::sort(kept.begin(), kept.end());
    auto latest = oci::latest_tags(kept);
    std::size_t count = kept.size();
    if (auto s = (*store)->put("default/app", std::move(kept)); !s) return std::cerr << s.err().message << "\n", 1;
    double store_ms = ms_since(t1);

    auto t2 = clk::now();
    auto list = (*store)->get("default/app");
    std::size_t resolved = 0;
    for (auto& p : policies(n_policies)) {
        auto sel = oci::tag_selector::compile(p);
        auto r = sel->select(*list);
        if (r && *r) ++resolved;
    }
    double eval_ms = ms_since(t2);
    fmt::print("scan: {} tags listed in {:.1f} ms (pages of 1000), filtered+stored in {:.1f} ms; "
               "{} policies evaluated in {:.1f} ms ({:.2f} ms each), {} resolved; latest sample {}\n",
               count, list_ms, store_ms, n_policies, eval_ms, eval_ms / n_policies, resolved, latest.front());
    return 0;
}

int update(int n_files)
{
    temp_dir dir(fs::temp_directory_path(), "image-bench-update");
    fs::path bare = dir.path() / "fleet.git", work = dir.path() / "work";
    test::run({"git", "init", "-q", "--bare", "-b", "main", bare.string()});
    test::run({"git", "init", "-q", "-b", "main", work.string()});
    for (int i = 0; i < n_files; ++i) {
        fs::create_directories(work / "apps" / fmt::format("team{}", i % 20));
        std::ofstream(work / "apps" / fmt::format("team{}", i % 20) / fmt::format("app{}.yaml", i))
            << fmt::format("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{0}\n  namespace: team{1}\n"
                           "spec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n"
                           "        image: ghcr.io/org/app{2}:1.0.0 # {{\"$imagepolicy\": \"flux-system:app{2}\"}}\n"
                           "        ports: [{{containerPort: 8080}}]\n",
                           i, i % 20, i % 100);
    }
    test::run({"git", "-C", work.string(), "add", "-A"});
    test::run({"git", "-C", work.string(), "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "init"});
    test::run({"git", "-C", work.string(), "push", "-q", bare.string(), "main"});

    setters::policy_map pm;
    for (int i = 0; i < 100; ++i) pm[fmt::format("flux-system:app{}", i)] = {fmt::format("ghcr.io/org/app{}", i), "1.1.0", ""};
    auto t0 = clk::now();
    fs::path clone = dir.path() / "clone";
    if (auto s = git::clone_worktree("file://" + bare.string(), "main", clone, {}); !s)
        return std::cerr << s.err().message << "\n", 1;
    double clone_ms = ms_since(t0);
    auto t1 = clk::now();
    auto u = setters::update_tree(clone, "apps", pm);
    if (!u) return std::cerr << u.err().message << "\n", 1;
    double update_ms = ms_since(t1);
    auto t2 = clk::now();
    auto sha = git::commit_all(clone, {"bench", "bench@weir.test", "update images"});
    if (!sha) return std::cerr << sha.err().message << "\n", 1;
    double commit_ms = ms_since(t2);
    auto t3 = clk::now();
    if (auto s = git::push(clone, "main", {}); !s) return std::cerr << s.err().message << "\n", 1;
    double push_ms = ms_since(t3);
    fmt::print("update: {} files, {} changes: clone {:.1f} ms, setters {:.1f} ms, commit {:.1f} ms, push {:.1f} ms\n",
               u->files_changed.size(), u->changes.size(), clone_ms, update_ms, commit_ms, push_ms);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string mode = argc > 1 ? argv[1] : "scan";
    if (mode == "scan") return scan(argc > 2 ? std::atoi(argv[2]) : 10000, argc > 3 ? std::atoi(argv[3]) : 100);
    if (mode == "update") return update(argc > 2 ? std::atoi(argv[2]) : 1000);
    std::cerr << "usage: image_bench scan [tags] [policies] | update [files]\n";
    return 2;
}
