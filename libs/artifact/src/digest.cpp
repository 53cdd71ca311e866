#include <weir/artifact/digest.hpp>

#include "sys.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace weir::artifact {

sha256_hasher::sha256_hasher() : ctx_(EVP_MD_CTX_new())
{
    EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

sha256_hasher::~sha256_hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void sha256_hasher::update(const void* data, std::size_t size)
{
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string sha256_hasher::final_hex()
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    return out;
}

result<std::string> file_digest(const std::filesystem::path& file)
{
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return transient_error(fmt_errno("cannot open ", file), "ReadFailed");
    sha256_hasher h;
    std::string buf(1 << 18, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return transient_error(fmt_errno("cannot read ", file), "ReadFailed");
        }
        if (n == 0) break;
        h.update(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return h.final_digest();
}

std::string digest_of(std::string_view bytes)
{
    sha256_hasher h;
    h.update(bytes);
    return h.final_digest();
}

result<std::string> digest_hex(std::string_view digest)
{
    constexpr std::string_view prefix = "sha256:";
    if (digest.substr(0, prefix.size()) != prefix)
        return terminal_error("digest '" + std::string(digest) + "' is not of the form sha256:<hex>",
                              "InvalidDigest");
    auto hex = digest.substr(prefix.size());
    bool ok = hex.size() == 64;
    for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!ok)
        return terminal_error("digest '" + std::string(digest) + "' must have 64 lower-case hex digits",
                              "InvalidDigest");
    return std::string(hex);
}

} // namespace weir::artifact
