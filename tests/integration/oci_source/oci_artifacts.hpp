// Test helper shared by the OCI source tests: push an artifact the way `flux push artifact` does.
#pragma once

#include "registry.hpp"

#include <weir/artifact/tarball.hpp>
#include <weir/core/encoding.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/oci/client.hpp>
#include <weir/oci/cosign.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

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

// An ECDSA P-256 key pair as `cosign generate-key-pair` makes (only the public half leaves here).
struct cosign_keypair {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    ~cosign_keypair() { EVP_PKEY_free(key); }
    std::string public_pem() const
    {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key);
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return out;
    }
    std::string sign(const std::string& payload) const
    {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        std::size_t len = 0;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(payload.data()),
                       payload.size());
        std::string sig(len, '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
        EVP_MD_CTX_free(ctx);
        sig.resize(len);
        return sig;
    }
};

// What `cosign sign --key` pushes for `digest` of host/repository.
inline void cosign_sign(registry& reg, const std::string& repository, const std::string& digest,
                        const cosign_keypair& k)
{
    std::string payload = fmt::format(
        R"({{"critical":{{"identity":{{"docker-reference":"{}/{}"}},"image":{{"docker-manifest-digest":"{}"}},)"
        R"("type":"cosign container image signature"}},"optional":null}})",
        reg.host(), repository, digest);
    oci::registry_client c(reg.host(), reg.client_options());
    auto pd = c.put_blob(repository, payload);
    std::string config =
        R"({"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}})";
    auto cd = c.put_blob(repository, config);
    REQUIRE(pd);
    REQUIRE(cd);
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},)"
        R"("layers":[{{"mediaType":"{}","digest":"{}","size":{},)"
        R"("annotations":{{"{}":"{}"}}}}]}})",
        *cd, config.size(), oci::cosign_simple_signing_media, *pd, payload.size(),
        oci::cosign_signature_annotation, base64_encode(k.sign(payload)));
    REQUIRE(c.put_manifest(repository, oci::cosign_signature_tag(digest), oci::media_oci_manifest, manifest));
}

} // namespace weir::test
