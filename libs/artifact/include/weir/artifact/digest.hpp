// SHA-256 digests in the form Flux writes them: "sha256:<64 lower-case hex>".
//
//   sha256_hasher h;  h.update(buf, n);  std::string d = h.final_digest();   // "sha256:..."
//   WEIR_TRY_ASSIGN(auto d, file_digest("/data/gitrepository/ns/name/abc.tar.gz"));
//
// Backed by OpenSSL EVP. Not thread-safe per hasher; use one per stream.
#pragma once

#include <weir/core/result.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace weir::artifact {

class sha256_hasher {
public:
    sha256_hasher();
    ~sha256_hasher();
    sha256_hasher(const sha256_hasher&) = delete;
    sha256_hasher& operator=(const sha256_hasher&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view s) { update(s.data(), s.size()); }
    // 64 hex characters; the hasher cannot be updated afterwards.
    std::string final_hex();
    // "sha256:" + final_hex().
    std::string final_digest() { return "sha256:" + final_hex(); }

private:
    void* ctx_; // EVP_MD_CTX*
};

// Digest of a whole file; a transient error names the file when it cannot be read.
result<std::string> file_digest(const std::filesystem::path& file);
std::string digest_of(std::string_view bytes);

// Splits "sha256:<hex>" and checks the algorithm and length; terminal error otherwise.
result<std::string> digest_hex(std::string_view digest);

} // namespace weir::artifact
