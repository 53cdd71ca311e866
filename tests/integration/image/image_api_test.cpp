// image.toolkit.fluxcd.io/v1 specs: Flux's defaults and the errors that name the field.
#include <weir/api/image_v1.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::api::image_v1;

namespace {

value doc(const std::string& yaml)
{
    auto v = parse_yaml(yaml);
    REQUIRE(v);
    return *v;
}

} // namespace

TEST_CASE("an ImageRepository gets Flux's defaults: the .sig exclusion, timeout equal to the interval, generic provider")
{
    auto s = image_repository_spec::from(doc("spec: {image: ghcr.io/a/b, interval: 5m}"));
    REQUIRE(s);
    CHECK(s->exclusion_list == std::vector<std::string>{"^.*\\.sig$"});
    CHECK(s->timeout == std::chrono::minutes(5));
    CHECK(s->provider == "generic");
    CHECK(!s->insecure);
    auto own = image_repository_spec::from(doc("spec: {image: x, interval: 1m, timeout: 10s, exclusionList: []}"));
    REQUIRE(own);
    CHECK(own->exclusion_list.empty());
    CHECK(own->timeout == std::chrono::seconds(10));
}

TEST_CASE("an ImagePolicy must choose exactly one policy and digest reflection Always needs an interval")
{
    auto ok = image_policy_spec::from(doc("spec: {imageRepositoryRef: {name: r}, policy: {numerical: {order: desc}}}"));
    REQUIRE(ok);
    CHECK(ok->kind == policy_kind::numerical);
    CHECK(!ok->ascending);
    CHECK(ok->digest_reflection_policy == "Never");
    CHECK(ok->image_repository_ref.kind == "ImageRepository");

    auto two = image_policy_spec::from(doc("spec: {imageRepositoryRef: {name: r}, policy: {semver: {range: '>=1'}, alphabetical: {}}}"));
    REQUIRE(!two);
    CHECK(two.err().message.find("spec.policy") != std::string::npos);
    auto bad_range = image_policy_spec::from(doc("spec: {imageRepositoryRef: {name: r}, policy: {semver: {range: 'not a range'}}}"));
    REQUIRE(!bad_range);
    CHECK(bad_range.err().message.find("spec.policy.semver.range") != std::string::npos);
    auto always = image_policy_spec::from(
        doc("spec: {imageRepositoryRef: {name: r}, policy: {alphabetical: {}}, digestReflectionPolicy: Always}"));
    REQUIRE(!always);
    CHECK(always.err().message.find("spec.interval") != std::string::npos);
}

TEST_CASE("an ImageUpdateAutomation needs a GitRepository source and a commit author email, Setters is the default")
{
    auto s = image_update_automation_spec::from(doc(R"(spec:
  sourceRef: {kind: GitRepository, name: fleet}
  interval: 30m
  git:
    commit:
      author: {email: bot@x}
      signingKey: {secretRef: {name: keys}, type: ssh}
    push: {refspec: 'refs/heads/main:refs/heads/auto'}
  policySelector: {matchLabels: {team: a}}
)"));
    REQUIRE(s);
    CHECK(s->update_strategy == "Setters");
    CHECK(s->update_path.empty());
    CHECK(s->signing_secret == "keys");
    CHECK(s->signing_type == "ssh");
    CHECK(s->push_refspec == "refs/heads/main:refs/heads/auto");
    CHECK(s->message_template.empty());
    CHECK(s->policy_selector);

    auto no_author = image_update_automation_spec::from(doc("spec: {sourceRef: {kind: GitRepository, name: f}, interval: 1m, git: {commit: {}}}"));
    REQUIRE(!no_author);
    CHECK(no_author.err().message.find("spec.git.commit.author") != std::string::npos);
    auto bucket = image_update_automation_spec::from(
        doc("spec: {sourceRef: {kind: Bucket, name: f}, interval: 1m, git: {commit: {author: {email: a@b}}}}"));
    REQUIRE(!bucket);
    CHECK(bucket.err().message.find("spec.sourceRef.kind") != std::string::npos);
}
