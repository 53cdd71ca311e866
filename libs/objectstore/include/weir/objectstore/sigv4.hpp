// AWS Signature Version 4 (header form) for S3 and S3-compatible stores, on OpenSSL's SHA-256 and
// HMAC. The canonical request follows AWS's rules as S3 applies them: the path is signed as sent
// (already URI-encoded once, never twice), query names and values are encoded with '/' escaped and
// sorted, header values trimmed, and host, x-amz-date and x-amz-content-sha256 always signed.
//
//   auto headers = objectstore::sign_v4({.method = "GET", .host = "127.0.0.1:9000", .path = "/b/k",
//                                        .payload_sha256 = objectstore::empty_payload_sha256},
//                                       {"AKID", "SECRET"}, "us-east-1", "s3", now);
//   // -> Authorization, X-Amz-Date, X-Amz-Content-Sha256 (and X-Amz-Security-Token)
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::objectstore {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct aws_credentials {
    std::string access_key;
    std::string secret_key;
    std::string session_token; // temporary credentials only
};

struct signing_request {
    std::string method = "GET";
    std::string host;           // the Host header as sent: host[:port]
    std::string path;           // URI-encoded path as sent ("/bucket/a%20b.yaml")
    header_list query;          // decoded names and values; encoded and sorted for signing
    header_list headers;        // other headers to sign (names in any case)
    std::string payload_sha256; // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// RFC 3986 unreserved characters kept, everything else %XX (upper-case hex); '/' kept unless
// `encode_slash`.
std::string uri_encode(std::string_view text, bool encode_slash);
std::string sha256_hex(std::string_view bytes);

// The headers to add to the request (Authorization, X-Amz-Date, X-Amz-Content-Sha256 and, with a
// session token, X-Amz-Security-Token).
header_list sign_v4(const signing_request& req, const aws_credentials& creds, std::string_view region,
                    std::string_view service, std::chrono::system_clock::time_point now);

// The parts of the signature, exposed for tests and for error messages.
struct signature_parts {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;
    std::string signature;
    std::string amz_date; // "20261122T060000Z"
};
signature_parts compute_signature(const signing_request& req, const aws_credentials& creds,
                                  std::string_view region, std::string_view service,
                                  std::chrono::system_clock::time_point now);

} // namespace weir::objectstore
