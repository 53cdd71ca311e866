// A client for S3 and S3-compatible object stores (MinIO, Ceph RGW, ...): ListObjectsV2 with
// pagination and GetObject, signed with AWS Signature V4, over Beast (plain http when `insecure`,
// https with the system CAs or a custom CA, client certificates, an HTTP proxy).
//
//   objectstore::s3_client s3({.endpoint = "minio.example.com:9000", .insecure = true,
//                              .credentials = {"AKID", "SECRET"}});
//   WEIR_TRY_ASSIGN(auto objects, s3.list_objects("fleet", "apps/"));  // every page
//   WEIR_TRY_ASSIGN(auto bytes, s3.get_object("fleet", objects[0].key));
//
// Addressing: path style (http://endpoint/bucket/key) unless `virtual_host` (http://bucket.endpoint/
// key), which AWS's own endpoints want. Without an access key requests go out anonymous.
// Errors (reason / kind): Unreachable (transient: connection, TLS, DNS); AuthenticationFailed
// (403, with the store's error code, e.g. SignatureDoesNotMatch: transient, the Secret can be fixed
// without touching the Bucket); BucketNotFound (404 NoSuchBucket); ObjectNotFound (404 NoSuchKey,
// terminal); BucketOperationFailed (other
// answers; 5xx transient). Messages name the endpoint, the bucket and the store's own message.
// Thread-safe: each call is its own connection.
#pragma once

#include <weir/core/result.hpp>
#include <weir/objectstore/sigv4.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir::objectstore {

struct s3_options {
    std::string endpoint; // host[:port], no scheme
    std::string region = "us-east-1";
    bool insecure = false;         // plain http
    bool virtual_host = false;     // bucket in the host name
    aws_credentials credentials;   // empty access key: anonymous
    std::string ca_pem;            // empty: the system trust store
    std::string cert_pem, key_pem; // client certificate (mutual TLS)
    std::string proxy_url;         // "http://proxy:3128"; empty: direct
    std::string proxy_username, proxy_password;
    std::chrono::milliseconds timeout{60'000};
    int max_keys = 0; // keys per ListObjectsV2 page; 0: the store's default (1000)
    std::uint64_t max_object_bytes = 512u << 20;
};

struct object_info {
    std::string key;
    std::string etag; // without the quotes S3 puts around it
    std::uint64_t size = 0;
};

class s3_client {
public:
    explicit s3_client(s3_options options);

    // Every object under `prefix`, following continuation tokens to the last page, in key order.
    result<std::vector<object_info>> list_objects(std::string_view bucket, std::string_view prefix) const;
    result<std::string> get_object(std::string_view bucket, std::string_view key) const;

    // The URL of an object as requested (for messages and tests).
    std::string object_url(std::string_view bucket, std::string_view key) const;
    // How many HTTP requests this client has sent (ListObjectsV2 pages + GetObjects).
    std::uint64_t requests_sent() const { return requests_.load(); }

private:
    struct response;
    result<response> send(std::string_view bucket, std::string path, header_list query) const;

    s3_options options_;
    mutable std::atomic<std::uint64_t> requests_{0};
};

// Parses the store's XML answers (exposed for tests).
struct list_page {
    std::vector<object_info> objects;
    bool truncated = false;
    std::string next_token;
};
result<list_page> parse_list_objects_v2(std::string_view xml);
// "<Code>: <Message>" of an S3 <Error> body, empty when it is not one.
std::string parse_error_body(std::string_view xml);

} // namespace weir::objectstore
