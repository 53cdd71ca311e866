// One HTTP/1.1 exchange over Beast for the registry client: plain or TLS (custom CA, client
// certificate), directly or through an HTTP proxy (absolute-URI for http, CONNECT for https).
// A registry client talks to several hosts (the registry, its token service, blob redirects), so
// this is a per-request connection rather than kube's pooled single-server transport. Public so that
// libs/objectstore (S3 and the other bucket APIs) shares it instead of a second Beast client.
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace weir::oci::detail {

struct url_parts {
    bool tls = false;
    std::string host, port, target; // target: path and query
    std::string authority() const;  // host[:port] as the Host header wants it
};
result<url_parts> parse_url(std::string_view url);
// `ref` resolved against `base` (absolute URLs, absolute paths, or "?query" forms).
std::string resolve_url(const url_parts& base, std::string_view ref);

struct http_request {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct http_response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::string body;
    std::string header(std::string_view name) const; // "" when absent
};

struct transport_options {
    std::string ca_pem;          // empty: the system trust store
    std::string cert_pem, key_pem; // client certificate (mutual TLS)
    bool insecure_skip_verify = false;
    std::string proxy_url;       // "http://host:port"; empty: direct
    std::string proxy_username, proxy_password;
    std::chrono::milliseconds timeout{30'000};
    std::uint64_t max_body = 64u << 20;
};

// Errors: connection and TLS failures are transient with reason "Unreachable"; a body over the
// limit is terminal. HTTP status codes are not errors here.
result<http_response> send(const http_request& req, const transport_options& options);

} // namespace weir::oci::detail
