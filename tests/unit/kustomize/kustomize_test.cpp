// Bad input must give one clear error naming the file, never a crash.
#include "tree.hpp"

#include <support/paths.hpp>
#include <weir/core/yaml.hpp>

#include <algorithm>
#include <sys/wait.h>

#include <weir/kustomize/kustomize.hpp>

#include <catch2/catch.hpp>

using weir::test::temp_tree;

namespace {

std::string build_error_of(const std::filesystem::path& dir)
{
    auto r = weir::kustomize::build(dir);
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    return r.err().message;
}

const char* const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";

} // namespace

TEST_CASE("kustomize build names a missing resource file")
{
    temp_tree t{{"kustomization.yaml", "resources:\n- missing.yaml\n"}};
    auto msg = build_error_of(t.path());
    CHECK(msg.find("missing.yaml") != std::string::npos);
}

TEST_CASE("kustomize build reports a directory without a kustomization file")
{
    temp_tree t{{"x.yaml", cm}};
    CHECK(build_error_of(t.path()).find("kustomization.yaml") != std::string::npos);
}

TEST_CASE("kustomize build rejects an empty kustomization file and unknown fields")
{
    temp_tree t{{"a/kustomization.yaml", ""}, {"b/kustomization.yaml", "spec: {}\n"}};
    CHECK(build_error_of(t.path("a")).find("empty") != std::string::npos);
    CHECK(build_error_of(t.path("b")).find("unknown field \"spec\"") != std::string::npos);
}

TEST_CASE("kustomize build detects a cycle between kustomizations")
{
    temp_tree t{{"a/kustomization.yaml", "resources:\n- ../b\n"}, {"b/kustomization.yaml", "resources:\n- ../a\n"}};
    CHECK(build_error_of(t.path("a")).find("cycle") != std::string::npos);
}

TEST_CASE("kustomize build refuses files outside the root through .. or a symlink")
{
    temp_tree t{{"outside.yaml", cm}, {"app/kustomization.yaml", "resources:\n- ../outside.yaml\n"},
                 {"link/kustomization.yaml", "resources:\n- l.yaml\n"}};
    std::filesystem::create_symlink(t.path("outside.yaml"), t.path("link/l.yaml"));
    CHECK(build_error_of(t.path("app")).find("not in or below") != std::string::npos);
    CHECK(build_error_of(t.path("link")).find("not in or below") != std::string::npos);
    weir::kustomize::build_options open{.allow_files_outside_root = true};
    CHECK(weir::kustomize::build(t.path("app"), open));
}

TEST_CASE("kustomize build reports invalid YAML with the file name")
{
    temp_tree t{{"kustomization.yaml", "resources:\n- bad.yaml\n"}, {"bad.yaml", "a: [b\n"}};
    CHECK(build_error_of(t.path()).find("bad.yaml") != std::string::npos);
}

TEST_CASE("kustomize build rejects two resources with one id")
{
    temp_tree t{{"kustomization.yaml", "resources:\n- a.yaml\n- b.yaml\n"}, {"a.yaml", cm}, {"b.yaml", cm}};
    CHECK(build_error_of(t.path()).find("already registered id") != std::string::npos);
}

TEST_CASE("kustomize build fails on a strategic merge patch whose object is absent")
{
    temp_tree t{{"kustomization.yaml", "resources:\n- a.yaml\npatches:\n- path: p.yaml\n"},
                 {"a.yaml", cm},
                 {"p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: zz\ndata:\n  x: y\n"}};
    CHECK(build_error_of(t.path()).find("no resource matches") != std::string::npos);
}

TEST_CASE("kustomize build refuses remote bases, helm charts and exec plugins clearly")
{
    temp_tree t{{"r/kustomization.yaml", "resources:\n- https://github.com/x/y//base\n"},
                 {"h/kustomization.yaml", "helmCharts:\n- name: x\n"},
                 {"p/kustomization.yaml", "transformers:\n- t.yaml\n"},
                 {"p/t.yaml", "apiVersion: example.com/v1\nkind: MyPlugin\nmetadata:\n  name: x\n"}};
    CHECK(build_error_of(t.path("r")).find("remote") != std::string::npos);
    CHECK(build_error_of(t.path("h")).find("helm") != std::string::npos);
    CHECK(build_error_of(t.path("p")).find("MyPlugin") != std::string::npos);
}

TEST_CASE("weir kustomize build prints a YAML stream, or one error line with exit code 1")
{
    auto weir = weir::test::binary_dir() / "bin" / "weir";
    if (!std::filesystem::exists(weir)) {
        WARN("weir binary not built: CLI test skipped");
        return;
    }
    temp_tree t{{"good/kustomization.yaml", "resources: [cm.yaml]\nnamespace: x\n"},
                {"good/cm.yaml", cm},
                {"bad/kustomization.yaml", "resources: [missing.yaml]\n"}};
    auto run = [&](const std::string& dir, std::string& out, std::string& err) {
        std::string cmd = "'" + weir.string() + "' kustomize build '" + t.path(dir).string() + "' 2>'" +
                          t.path("err.txt").string() + "'";
        FILE* p = popen(cmd.c_str(), "r");
        char buf[4096];
        std::size_t n;
        out.clear();
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        int status = pclose(p);
        std::ifstream e(t.path("err.txt"));
        err.assign(std::istreambuf_iterator<char>(e), {});
        return WEXITSTATUS(status);
    };
    std::string out, err;
    CHECK(run("good", out, err) == 0);
    auto docs = weir::parse_yaml_stream(out);
    REQUIRE(docs);
    REQUIRE(docs->size() == 1);
    CHECK((*docs)[0].find_path({"metadata", "namespace"})->as_string() == "x");
    CHECK(run("bad", out, err) == 1);
    CHECK(out.empty());
    CHECK(err.starts_with("weir: "));
    CHECK(err.find("missing.yaml") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
}
