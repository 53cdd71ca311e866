// `..` and symlink escapes in the loaders that the existing unit tests do not cover: spec.include
// copying into a checkout that holds the tenant's symlinks, and Helm charts loaded from a directory.
#include "temp_dir.hpp"
#include "tree_assembly.hpp"

#include <weir/artifact/storage.hpp>
#include <weir/helm/chart.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace weir;
namespace fs = std::filesystem;
using weir::test::security::temp_dir;

namespace {

void write(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE(
    "spec.include refuses a toPath through a symlink of the checkout and leaves what it points to alone",
    "[security][escape]")
{
    temp_dir d;
    // The included repository's artifact, stored as the source-controller stores it.
    write(d.path / "included/manifests/cm.yaml", "kind: ConfigMap\n");
    artifact::storage storage(d.path / "storage", "localhost");
    auto stored = storage.archive({"gitrepository", "default", "shared"}, "a.tar.gz", d.path / "included");
    REQUIRE(stored);
    api::artifact art;
    art.path = stored->path;
    // The tenant's checkout: `evil` is a committed symlink to a directory outside the tree.
    write(d.path / "outside/target/keep.txt", "not yours");
    write(d.path / "tree/README", "x");
    fs::create_directory_symlink(d.path / "outside", d.path / "tree/evil");

    for (std::string to : {"evil/target", "evil/new", "./evil/target"}) {
        INFO(to);
        auto s = source::copy_includes(storage, {{"shared", "manifests", to}}, {art}, d.path / "tree",
                                       d.path / "scratch");
        REQUIRE_FALSE(s);
        CHECK(s.err().reason == "InvalidPath");
        CHECK(s.err().message.find("symlink") != std::string::npos);
        CHECK(read(d.path / "outside/target/keep.txt") == "not yours");
        CHECK_FALSE(fs::exists(d.path / "outside/new"));
    }
    for (std::string to : {"../outside/target", "/tmp/x"}) {
        INFO(to);
        auto s = source::copy_includes(storage, {{"shared", "manifests", to}}, {art}, d.path / "tree",
                                       d.path / "scratch");
        REQUIRE_FALSE(s);
        CHECK(s.err().reason == "InvalidPath");
    }
    // A plain directory still works.
    REQUIRE(source::copy_includes(storage, {{"shared", "manifests", "deploy/shared"}}, {art}, d.path / "tree",
                                  d.path / "scratch"));
    CHECK(fs::exists(d.path / "tree/deploy/shared/cm.yaml"));
}

TEST_CASE("spec.sparseCheckout refuses directories outside the repository", "[security][escape]")
{
    temp_dir d;
    write(d.path / "tree/apps/a.yaml", "x");
    for (std::string dir : {"../outside", "/etc", "apps/../../x"}) {
        INFO(dir);
        auto s = source::apply_sparse_checkout(d.path / "tree", {dir});
        REQUIRE_FALSE(s);
        CHECK(s.err().reason == "InvalidPath");
    }
}

TEST_CASE("a Helm chart directory with a symlink out of the chart does not read the file it points to",
          "[security][escape]")
{
    temp_dir d;
    write(d.path / "secret.txt", "host-secret-5c2e");
    write(d.path / "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    write(d.path / "chart/templates/cm.yaml", "kind: ConfigMap\n");
    fs::create_symlink(d.path / "secret.txt", d.path / "chart/templates/leak.yaml");
    fs::create_symlink(d.path / "secret.txt", d.path / "chart/files.txt");
    auto c = helm::load_chart(d.path / "chart");
    if (!c) {
        CHECK(c.err().message.find("symlink") != std::string::npos); // refused: fine too
        return;
    }
    for (const auto& t : c->templates)
        CHECK(t.data.find("host-secret-5c2e") == std::string::npos);
    for (const auto& f : c->files)
        CHECK(f.data.find("host-secret-5c2e") == std::string::npos);
}
