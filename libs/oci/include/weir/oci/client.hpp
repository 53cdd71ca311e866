// A client for one OCI distribution (Docker registry v2) registry: tags, manifests, blobs, and
// uploads, with the registry's own authentication dance.
//
//   oci::registry_client reg("ghcr.io", {.credentials = creds});
//   WEIR_TRY_ASSIGN(auto tags, reg.list_tags("org/app"));              // follows Link: rel="next"
//   WEIR_TRY_ASSIGN(auto m, reg.get_manifest("org/app", "1.2.3"));     // image or index
//   WEIR_TRY_ASSIGN(auto layer, reg.get_blob("org/app", m.layers()[0])); // digest verified
//
// Authentication: requests go out anonymous (or with basic credentials once the registry asked for
// Basic); a 401 with `WWW-Authenticate: Bearer realm=..,service=..,scope=..` makes the client fetch
// a token from the realm (with the basic credentials, if any), cache it per scope until it expires,
// and retry once. Transport: https with the system CAs or `ca_pem`, a client certificate, plain
// http when `insecure` is set, and an HTTP proxy.
//
// Errors (reason / kind): Unreachable (transient: connection, TLS, DNS), AuthenticationFailed
// (terminal: 401/403 after authenticating, fix the Secret), NotFound (terminal: no such repository
// or reference), DigestMismatch (transient), RegistryError (5xx transient, other 4xx terminal).
// Thread-safe: the token cache is locked; calls may run in parallel.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/oci/auth.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::oci {

inline constexpr std::string_view media_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view media_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view media_docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view media_docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";

struct client_options {
    std::optional<basic_credentials> credentials;
    bool insecure = false;        // plain http (ImageRepository spec.insecure)
    std::string ca_pem;           // certSecretRef ca.crt; empty: system trust store
    std::string cert_pem, key_pem; // certSecretRef tls.crt / tls.key
    std::string proxy_url;        // proxySecretRef address ("http://proxy:3128")
    std::string proxy_username, proxy_password;
    std::chrono::milliseconds timeout{30'000};
    int page_size = 0;            // tags per page asked with ?n=; 0: the registry's default
    std::uint64_t max_blob_bytes = 512u << 20;
};

struct descriptor {
    std::string media_type;
    std::string digest;
    std::int64_t size = 0;
    std::string platform; // "os/arch[/variant]" in an index, else empty
};

struct manifest {
    std::string media_type; // from the body, else the Content-Type header
    std::string digest;     // "sha256:<hex>" of the bytes (checked against Docker-Content-Digest)
    std::string body;
    weir::value doc;

    bool is_index() const { return media_type == media_oci_index || media_type == media_docker_list; }
    std::vector<descriptor> layers() const;    // an image's layers
    std::optional<descriptor> config() const;  // an image's config
    std::vector<descriptor> manifests() const; // an index's entries
};

// "sha256:<hex>" of bytes.
std::string sha256_digest(std::string_view bytes);

class registry_client {
public:
    // `registry` is a host[:port] (image_name::api_host()).
    registry_client(std::string registry, client_options options = {});
    ~registry_client();
    registry_client(const registry_client&) = delete;
    registry_client& operator=(const registry_client&) = delete;

    // Every tag of `repository`, following pagination to the end, in the registry's order.
    result<std::vector<std::string>> list_tags(std::string_view repository);
    result<manifest> get_manifest(std::string_view repository, std::string_view reference);
    // The digest of a manifest without downloading it (HEAD; falls back to GET when the registry
    // gives no Docker-Content-Digest).
    result<std::string> manifest_digest(std::string_view repository, std::string_view reference);
    // A blob, verified against `digest`.
    result<std::string> get_blob(std::string_view repository, std::string_view digest);

    // Uploads (monolithic POST+PUT); returns the digest. For tests and pushing artifacts.
    result<std::string> put_blob(std::string_view repository, std::string_view bytes);
    result<std::string> put_manifest(std::string_view repository, std::string_view reference,
                                     std::string_view media_type, std::string_view body);

    const std::string& registry() const { return registry_; }
    std::string base_url() const;

private:
    struct impl;
    std::string registry_;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::oci
