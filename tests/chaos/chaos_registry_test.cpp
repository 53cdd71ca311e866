// A registry having a bad day: every request through a fault proxy in front of the real
// docker-registry answered with HTTP 500 for a few seconds, while new tags land behind it. The
// OCIRepository path (source-controller -> Kustomization) and the image scanning path
// (ImageRepository -> ImagePolicy) must report the failure, keep what they had (nothing pruned),
// and converge to the new tag once the registry answers again.
#include "chaos_support.hpp"
#include "registry.hpp"
#include "support/fault_proxy.hpp"

#include <weir/artifact/tarball.hpp>

#include <thread>

using namespace weir;
using namespace weir::chaos;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const kube::gvk oci_repository{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};
const kube::gvk image_policy{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"};

// The manifests as `flux push artifact` pushes them: a tar.gz layer, an empty config, a manifest.
std::string push_artifact(test::registry& reg, const std::string& tag, const std::string& yaml)
{
    fs::path scratch = fs::temp_directory_path() / fmt::format("weir-chaos-push-{}-{}", ::getpid(), tag);
    fs::create_directories(scratch / "tree/deploy");
    std::ofstream(scratch / "tree/deploy/cms.yaml") << yaml;
    REQUIRE(artifact::build_tarball(scratch / "tree", scratch / "layer.tar.gz"));
    std::string layer = read_text(scratch / "layer.tar.gz");
    fs::remove_all(scratch);
    oci::registry_client c(reg.host(), reg.client_options());
    auto ld = c.put_blob("fleet/manifests", layer);
    auto cd = c.put_blob("fleet/manifests", "{}");
    REQUIRE(ld);
    REQUIRE(cd);
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("config":{{"mediaType":"application/vnd.cncf.flux.config.v1+json","digest":"{}","size":2}},)"
        R"("layers":[{{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","digest":"{}","size":{}}}]}})",
        *cd, *ld, layer.size());
    auto md = c.put_manifest("fleet/manifests", tag, oci::media_oci_manifest, manifest);
    REQUIRE(md);
    return tag + "@" + *md;
}

std::function<bool(const value&)> applied_revision(const std::string& revision)
{
    return [revision](const value& o) {
        return test::string_at(o, {"status", "lastAppliedRevision"}) == revision &&
               test::condition_status(o, "Ready") == "True";
    };
}

std::function<bool(const value&)> latest_tag(const std::string& tag)
{
    return [tag](const value& o) { return test::string_at(o, {"status", "latestRef", "tag"}) == tag; };
}

} // namespace

TEST_CASE("chaos: the registry answers 500 for a while: OCIRepository and ImageRepository report it, nothing "
          "is pruned, and both converge to the tag pushed meanwhile",
          "[chaos]")
{
    test::registry reg;
    test::fault_proxy proxy(
        static_cast<std::uint16_t>(std::stoi(reg.host().substr(reg.host().rfind(':') + 1))));
    std::string via = fmt::format("127.0.0.1:{}", proxy.port());
    std::string rev1 = push_artifact(reg, "1.0.0", configmaps(20, "one"));
    reg.push_image("team/app", "1.0.0");
    fs::path storage = fs::temp_directory_path() / fmt::format("weir-chaos-image-{}", ::getpid());
    test::local_cluster c(
        {.apiserver = WEIR_APISERVER_BIN,
         .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
         .kustomize_controller = WEIR_KUSTOMIZE_CONTROLLER_BIN,
         .controllers = {{"image", WEIR_IMAGE_CONTROLLER_BIN, {"--storage-path", storage.string()}}}});
    c.apply_yaml(fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "oci://{0}/fleet/manifests", interval: 1s, insecure: true, ref: {{semver: ">=1.0.0"}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec: {{image: "{0}/team/app", interval: 1s, insecure: true}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {{name: app, namespace: default}}
spec: {{imageRepositoryRef: {{name: app}}, policy: {{semver: {{range: ">=1.0.0"}}}}}}
)",
                             via));
    c.wait_for(oci_repository, "default", "fleet", test::ready_is("True"), 60s);
    c.apply_yaml(R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: default}
spec: {interval: 10m, retryInterval: 2s, path: ./deploy, prune: true, sourceRef: {kind: OCIRepository, name: fleet}}
)");
    c.wait_for(test::kustomization_kind, "default", "apps", applied_revision(rev1), 60s);
    c.wait_for(image_policy, "default", "app", latest_tag("1.0.0"), 60s);
    auto before = owned_configmaps(c);
    REQUIRE(before.size() == 20);

    proxy.set_mode(test::fault_proxy::mode::http_500);
    proxy.cut();
    std::string rev2 = push_artifact(reg, "1.1.0", configmaps(20, "two"));
    reg.push_image("team/app", "1.1.0");
    value failing = c.wait_for(oci_repository, "default", "fleet", test::ready_is("False"), 30s);
    std::cout << "chaos | registry 500: OCIRepository Ready=False: "
              << test::condition_message(failing, "Ready") << "\n";
    c.wait_for({"image.toolkit.fluxcd.io", "v1", "ImageRepository"}, "default", "app",
               test::ready_is("False"), 30s);
    std::this_thread::sleep_for(3s); // several 1 s intervals of 500s
    CHECK(proxy.faults() > 0);
    test::request_reconcile(c, test::kustomization_kind, "apps", "registry-500");
    std::this_thread::sleep_for(1s);
    CHECK(owned_configmaps(c).size() == 20);
    auto still = c.client().get(image_policy, "default", "app");
    REQUIRE(still);
    CHECK(test::string_at(*still, {"status", "latestRef", "tag"}) == "1.0.0");

    proxy.set_mode(test::fault_proxy::mode::forward);
    auto back = clock_type::now();
    c.wait_for(test::kustomization_kind, "default", "apps", applied_revision(rev2), 60s);
    c.wait_for(image_policy, "default", "app", latest_tag("1.1.0"), 60s);
    std::size_t lost = lost_since(before, owned_configmaps(c));
    CHECK(lost == 0);
    report(fmt::format("registry answering 500 ({} requests) for OCIRepository and ImageRepository",
                       proxy.faults()),
           back, lost);
    fs::remove_all(storage);
}
