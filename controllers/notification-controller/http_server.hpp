// The small HTTP/1.1 server behind the event intake and the webhook receiver: one thread per
// connection (keep-alive, closed after io_timeout without progress), a body limit answered with 413 before
// the body is read, and an optional hand-off of connections that open with the HTTP/2 preface (gRPC on the
// same port).
//
//   http_server s({.listen = ":9292", .body_limit = 3 << 20}, [](const server_request& r) {
//       return server_response{202, ""};
//   });
//   WEIR_TRY(s.start());
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace weir::notification {

struct server_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;
    std::string header(std::string_view lower_name) const;
};

struct server_response {
    int status = 200;
    std::string body;
    std::string content_type = "text/plain";
};

using request_handler = std::function<server_response(const server_request&)>;

struct http_server_options {
    std::string listen = "127.0.0.1:0";
    std::size_t body_limit = 3 << 20; // Flux's limit for events and webhooks
    // A connection that sends nothing (or reads nothing) for this long is closed, so slow or idle
    // clients cannot hold a thread each forever (Flux: 30 s read timeout).
    std::chrono::milliseconds io_timeout{std::chrono::seconds(30)};
    // Takes ownership of the socket of a connection that starts with "PRI * HTTP/2.0".
    std::function<void(int fd)> http2_handoff;
};

class http_server {
public:
    http_server(http_server_options options, request_handler handler);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    status start();
    void stop();
    unsigned short port() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::notification
