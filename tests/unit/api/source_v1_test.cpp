#include <weir/api/source_v1.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::api::source_v1;
using namespace std::chrono_literals;

namespace {
value doc(std::string_view text) { return *parse_yaml(text); }
} // namespace

TEST_CASE("gitrepository spec applies Flux's defaults", "[api][source]")
{
    auto s = git_repository_spec::from(doc("spec: {url: 'https://example.com/repo', interval: 5m}"));
    REQUIRE(s);
    CHECK(s->interval == 5min);
    CHECK(s->timeout == 60s);
    CHECK(s->ref.branch == "master");
    CHECK(s->provider == "generic");
    CHECK_FALSE(s->suspend);
    CHECK_FALSE(s->secret_ref);
}

TEST_CASE("gitrepository spec reads refs, secrets, ignore and includes", "[api][source]")
{
    auto s = git_repository_spec::from(doc(R"(
spec:
  url: ssh://git@example.com/fleet
  interval: 1m30s
  timeout: 20s
  ref: {semver: ">=1.0.0 <2.0.0"}
  secretRef: {name: git-auth}
  ignore: "/*\n!/deploy\n"
  include:
  - repository: {name: shared}
    fromPath: base
  suspend: true
)"));
    REQUIRE(s);
    CHECK(s->ref.semver == ">=1.0.0 <2.0.0");
    CHECK(s->ref.branch.empty());
    CHECK(s->secret_ref->name == "git-auth");
    CHECK(*s->ignore == "/*\n!/deploy\n");
    REQUIRE(s->include.size() == 1);
    CHECK(s->include[0].to_path == "shared");
    CHECK(s->suspend);
}

TEST_CASE("gitrepository spec errors name the field and say what to fix", "[api][source]")
{
    auto check = [](std::string_view yaml, std::string_view expected) {
        auto s = git_repository_spec::from(doc(yaml));
        REQUIRE_FALSE(s);
        CHECK(s.err().terminal());
        INFO(s.err().message);
        CHECK(s.err().message.find(expected) != std::string::npos);
    };
    check("spec: {interval: 1m}", "spec.url: is required");
    check("spec: {url: 'git@github.com:org/repo', interval: 1m}", "scp-like");
    check("spec: {url: 'https://x', interval: 1d}", "spec.interval: invalid duration");
    check("spec: {url: 'https://x'}", "spec.interval: is required");
    check("spec: {url: 'https://x', interval: 1m, ref: {semver: '>=banana'}}", "spec.ref.semver");
    check("spec: {url: 'https://x', interval: 1m, ref: {name: 'main'}}", "refs/");
    check("spec: {url: 'https://x', interval: 1m, ref: {commit: 'xyz'}}", "spec.ref.commit");
    check("spec: {url: 'https://x', interval: 1m, suspend: 'yes'}", "spec.suspend");
}
