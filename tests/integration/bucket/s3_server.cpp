#include "s3_server.hpp"

#include "support/tls_certs.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

namespace weir::test {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string digest_hex(const EVP_MD* md, const std::string& bytes)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (unsigned i = 0; i < len; ++i) {
        s += hex[out[i] >> 4];
        s += hex[out[i] & 15];
    }
    return s;
}

} // namespace

std::string md5_hex(const std::string& bytes)
{
    return digest_hex(EVP_md5(), bytes);
}
std::string sha256_hex_of(const std::string& bytes)
{
    return digest_hex(EVP_sha256(), bytes);
}

std::string s3_server::binary()
{
    return WEIR_S3_SERVER_BIN;
}

s3_server::s3_server(s3_server_options options) : options_(std::move(options))
{
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("weir-s3-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_ / "data");
    port_ = free_port();
    std::vector<std::string> argv{binary(),
                                  "-root",
                                  (dir_ / "data").string(),
                                  "-listen",
                                  host(),
                                  "-access-key",
                                  options_.access_key,
                                  "-secret-key",
                                  options_.secret_key,
                                  "-region",
                                  options_.region,
                                  "-page-size",
                                  std::to_string(options_.page_size),
                                  "-log",
                                  (dir_ / "requests.log").string()};
    if (options_.tls) {
        make_server_certs(dir_);
        ca_pem_ = slurp(dir_ / "ca.crt");
        argv.insert(argv.end(), {"-tls-cert", (dir_ / "server.crt").string(), "-tls-key",
                                 (dir_ / "server.key").string()});
    }
    proc_ = peer_process(argv);
    wait_for_port(port_);
}

s3_server::~s3_server()
{
    proc_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

objectstore::s3_options s3_server::client_options() const
{
    objectstore::s3_options o;
    o.endpoint = host();
    o.insecure = !options_.tls;
    o.ca_pem = ca_pem_;
    o.region = options_.region;
    o.credentials = {options_.access_key, options_.secret_key, ""};
    return o;
}

void s3_server::make_bucket(const std::string& bucket)
{
    fs::create_directories(dir_ / "data" / bucket);
}

void s3_server::put(const std::string& bucket, const std::string& key, const std::string& content)
{
    fs::path p = dir_ / "data" / bucket / key;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
}

void s3_server::remove(const std::string& bucket, const std::string& key)
{
    fs::remove(dir_ / "data" / bucket / key);
}

std::string s3_server::log() const
{
    return slurp(dir_ / "requests.log");
}

std::size_t s3_server::count(const std::string& op, const std::string& bucket, const std::string& arg) const
{
    std::string want = op + " " + bucket + " " + arg;
    std::istringstream in(log());
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
        n += line == want;
    return n;
}

} // namespace weir::test
