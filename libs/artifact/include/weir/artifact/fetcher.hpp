// Downloads an artifact, verifies its digest and extracts it safely (what kustomize-controller and
// helm-controller do with a source's status.artifact).
//
//   WEIR_TRY_ASSIGN(auto got, fetch_artifact(art.url, art.digest, "/tmp/ks/apps", {}));
//
// Blocking; runs its own io_context on the calling thread, so it may be called from any worker
// thread. The download goes to a temporary file next to `target`; the digest is computed while
// bytes arrive. A wrong digest, a short body or a connection that breaks is a transient error
// ("the source may be writing a new revision") and `target` keeps its previous content.
// https verifies the server against the system CAs, or `ca_file` when given.
#pragma once

#include <weir/artifact/tarball.hpp>
#include <weir/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace weir::artifact {

struct fetch_options {
    std::chrono::milliseconds timeout{60'000};
    std::uint64_t max_download_bytes = 1ull << 30;
    extract_options extract;
    std::string ca_file;
    // Extra request headers (an Authorization for a Helm repository's basic auth).
    std::vector<std::pair<std::string, std::string>> headers;
    // PEM in memory, as Secrets hold them: CA certificates (instead of ca_file / the system CAs)
    // and a client certificate with its key for mutual TLS.
    std::string ca_pem;
    std::string client_cert_pem, client_key_pem;
    // HTTP redirects (301/302/303/307/308) followed; 0 makes a redirect an error. Headers are
    // dropped when a redirect leaves the original host (credentials stay with their host).
    int max_redirects = 0;
};

struct fetch_result {
    std::string digest;
    std::uint64_t size = 0; // bytes downloaded
    extract_result extracted;
};

// Downloads `url` into a file; verifies `expected_digest` ("sha256:<hex>") unless it is empty.
result<fetch_result> download(const std::string& url, const std::string& expected_digest,
                              const std::filesystem::path& out_file, const fetch_options& options = {});

// download + extract_tarball into `target` (replaced atomically).
result<fetch_result> fetch_artifact(const std::string& url, const std::string& expected_digest,
                                    const std::filesystem::path& target, const fetch_options& options = {});

} // namespace weir::artifact
