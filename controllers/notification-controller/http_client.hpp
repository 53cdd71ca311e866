// The outgoing HTTP(S) requests of the notification-controller (provider calls), one connection
// per request, with the Provider's timeout, proxy and certSecretRef.
//
//   WEIR_TRY_ASSIGN(auto resp, send_request({.method = "POST", .url = url, .body = json}, {}));
//
// A connection failure, a timeout, 429 and 5xx are transient errors (worth a retry); any other
// status >= 400 is terminal (the request itself is wrong: bad token, unknown channel).
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace weir::notification {

struct http_request {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Some APIs answer 200 with {"ok": false, "error": ...} (Slack's Web API, Telegram's Bot
    // API): when set, this boolean field of the JSON answer must be true.
    std::string ok_field;

    std::string header(std::string_view name) const;
};

struct http_response {
    int status = 0;
    std::string body;
};

struct http_client_options {
    std::chrono::milliseconds timeout{15'000};
    std::string proxy;    // http://host:port; https targets are tunnelled with CONNECT
    std::string ca_pem;   // trust these instead of the system CAs
    std::string cert_pem; // client certificate (mTLS)
    std::string key_pem;
    std::string proxy_username; // Proxy-Authorization: Basic, when set
    std::string proxy_password;
};

struct parsed_url {
    std::string scheme, host, port, target; // target: path and query, "/" at least
};
result<parsed_url> parse_url(std::string_view url);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);

result<http_response> send_request(const http_request& req, const http_client_options& options);
// The ok_field rule above; terminal error quoting the service's answer.
status check_ok_field(const http_request& req, const http_response& resp);

} // namespace weir::notification
