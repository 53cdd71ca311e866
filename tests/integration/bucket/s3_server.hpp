// The S3 test server (tests/support/s3server, Go, built offline from Debian's packages) on a free
// loopback port: objects are files under a temporary directory, and every request's Signature V4
// is checked by aws-sdk-go's own signer. Optionally https with a CA made here with openssl, and a
// cap on keys per listing page so pagination always happens.
//
//   test::s3_server s3({.page_size = 2});
//   s3.put("fleet", "apps/cm.yaml", "...");
//   objectstore::s3_client c(s3.client_options());
//   s3.count("get", "fleet", "apps/cm.yaml");   // downloads seen so far
#pragma once

#include "support/git_server.hpp"

#include <weir/objectstore/s3.hpp>

#include <filesystem>
#include <string>

namespace weir::test {

struct s3_server_options {
    std::string access_key = "weir-access";
    std::string secret_key = "weir-secret/with+odd=chars";
    std::string region = "us-east-1";
    bool tls = false;
    int page_size = 1000;
};

class s3_server {
public:
    explicit s3_server(s3_server_options options = {});
    ~s3_server();
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    const s3_server_options& options() const { return options_; }
    const std::string& ca_pem() const { return ca_pem_; }
    objectstore::s3_options client_options() const;

    void make_bucket(const std::string& bucket);
    // Writes the object (a file); its ETag is the MD5 of `content`.
    void put(const std::string& bucket, const std::string& key, const std::string& content);
    void remove(const std::string& bucket, const std::string& key);
    // Requests logged so far with this operation ("get", "list", "error") and bucket/key or prefix.
    std::size_t count(const std::string& op, const std::string& bucket, const std::string& arg) const;
    std::string log() const;

    // The path of the Go binary (also its -sign oracle mode).
    static std::string binary();

private:
    s3_server_options options_;
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    std::string ca_pem_;
    peer_process proc_;
};

// MD5 hex of bytes, as the server computes ETags (computed here, not by the code under test).
std::string md5_hex(const std::string& bytes);
std::string sha256_hex_of(const std::string& bytes);

} // namespace weir::test
