// Test helper shared by the OCI source tests: push an artifact the way `flux push artifact` does.
#pragma once

#include "registry.hpp"

#include <weir/artifact/tarball.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/oci/client.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace weir::test {

inline std::string config_map_yaml(const std::string& greeting)
{
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: default\ndata:\n"
           "  greeting: " +
           greeting + "\n";
}

struct pushed {
    std::string manifest_digest;
    std::string layer_digest;
};

// A tar.gz of `files` as the layer, then config and manifest, as `flux push artifact` does.
inline pushed push_artifact(registry& reg, const std::string& repository, const std::string& tag,
                            const std::map<std::string, std::string>& files)
{
    temp_dir scratch(std::filesystem::temp_directory_path(), "oci-push");
    std::filesystem::path tree = scratch.path() / "tree";
    for (const auto& [path, text] : files) {
        std::filesystem::create_directories((tree / path).parent_path());
        std::ofstream(tree / path) << text;
    }
    std::filesystem::path layer_file = scratch.path() / "layer.tar.gz";
    REQUIRE(artifact::build_tarball(tree, layer_file));
    std::ostringstream bytes;
    bytes << std::ifstream(layer_file, std::ios::binary).rdbuf();
    std::string layer = bytes.str();
    std::string config = "{}";

    oci::registry_client c(reg.host(), reg.client_options());
    auto ld = c.put_blob(repository, layer);
    auto cd = c.put_blob(repository, config);
    REQUIRE(ld);
    REQUIRE(cd);
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("config":{{"mediaType":"application/vnd.cncf.flux.config.v1+json","digest":"{}","size":{}}},)"
        R"("layers":[{{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","digest":"{}","size":{}}}],)"
        R"("annotations":{{"org.opencontainers.image.source":"https://example.com/fleet.git",)"
        R"("org.opencontainers.image.revision":"main@sha1:{}"}}}})",
        *cd, config.size(), *ld, layer.size(), std::string(40, tag.back()));
    auto md = c.put_manifest(repository, tag, oci::media_oci_manifest, manifest);
    REQUIRE(md);
    return {*md, *ld};
}

} // namespace weir::test
