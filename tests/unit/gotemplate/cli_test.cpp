// `weir helm render-template`: JSON in, the rendered text out, or Go's error on stderr with exit
// code 1. Runs the built CLI; skipped when the weir binary has not been built.
#include "../../support/paths.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace {
namespace fs = std::filesystem;

struct run_result {
    int code = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

run_result render(const std::string& request)
{
    fs::path dir = weir::test::binary_dir() / "tests" / "gotemplate-cli";
    fs::create_directories(dir);
    std::ofstream(dir / "req.json", std::ios::binary) << request;
    std::string cmd = (weir::test::binary_dir() / "bin" / "weir").string() + " helm render-template < " +
                      (dir / "req.json").string() + " > " + (dir / "out").string() + " 2> " +
                      (dir / "err").string();
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out"), slurp(dir / "err")};
}
} // namespace

TEST_CASE("weir helm render-template prints the output or the error with exit code 1", "[gotemplate][cli]")
{
    if (!fs::exists(weir::test::binary_dir() / "bin" / "weir")) {
        WARN("skipped: the weir CLI is not built in this build directory");
        return;
    }
    auto ok = render(
        R"({"template": "{{ .Values.name | upper }}:{{ .Values.replicas }}:{{ .x }}", "data": {"Values": {"name": "web", "replicas": 3}}})");
    CHECK(ok.code == 0);
    CHECK(ok.out == "WEB:3:<no value>");
    CHECK(ok.err.empty());

    auto zero = render(R"({"template": "{{ .a.b }}", "data": {}, "missingkey": "zero"})");
    CHECK(zero.code == 1);
    CHECK(zero.out.empty());
    CHECK(zero.err == "template: render-template:1:5: executing \"render-template\" at <.a.b>: nil pointer "
                      "evaluating interface {}.b\n");

    auto bad = render(R"({"template": 3})");
    CHECK(bad.code == 1);
    CHECK_THAT(bad.err, Catch::Contains("\"template\" must be a string"));
}
