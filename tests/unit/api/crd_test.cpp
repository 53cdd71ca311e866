// The CRDs in config/crd are what the API server validates our kinds against: each must parse,
// be structural at the top, and declare every spec field the typed specs read.
#include "support/paths.hpp"

#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace weir;

namespace {
value load_crd(const std::string& file)
{
    std::ifstream in(test::source_dir() / "config" / "crd" / file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto v = parse_yaml(ss.str());
    REQUIRE(v);
    return *v;
}

const value& spec_properties(const value& crd)
{
    const value& version = crd.find_path({"spec", "versions"})->as_array().at(0);
    return *version.find_path({"schema", "openAPIV3Schema", "properties", "spec", "properties"});
}
} // namespace

TEST_CASE("gitrepository CRD declares the fields the source-controller reads", "[api][crd]")
{
    value crd = load_crd("source.toolkit.fluxcd.io_gitrepositories.yaml");
    CHECK(crd.find_path({"spec", "group"})->as_string() == "source.toolkit.fluxcd.io");
    const value& props = spec_properties(crd);
    for (auto f : {"url", "interval", "timeout", "ref", "secretRef", "provider", "ignore", "recurseSubmodules",
                   "include", "sparseCheckout", "suspend", "proxySecretRef", "verify"})
        CHECK(props.find(f));
}

TEST_CASE("kustomization CRD declares the fields the kustomize-controller reads", "[api][crd]")
{
    value crd = load_crd("kustomize.toolkit.fluxcd.io_kustomizations.yaml");
    const value& props = spec_properties(crd);
    for (auto f : {"sourceRef", "path", "interval", "retryInterval", "timeout", "prune", "deletionPolicy", "wait",
                   "force", "suspend", "targetNamespace", "namePrefix", "nameSuffix", "serviceAccountName",
                   "components", "commonMetadata", "dependsOn", "healthChecks", "images", "patches", "postBuild",
                   "decryption", "kubeConfig"})
        CHECK(props.find(f));
}
