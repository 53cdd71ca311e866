// HTTP(S) to one API server over Beast: a pool of keep-alive connections, a token-bucket rate
// limiter, retries on 429/5xx, per-request deadlines, and long-lived watch streams. All socket
// I/O runs on one io_context thread owned by the transport; blocking entry points post work to it
// and wait, so they must not be called from that thread.
#pragma once

#include <weir/kube/client.hpp>
#include <weir/kube/config.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::kube::detail {

struct http_request {
    std::string method = "GET";
    std::string target;       // path and query, without the server's base path
    std::string body;
    std::string content_type; // set when body is not empty
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds timeout{0}; // 0: the client default
    std::string what;         // "get configmaps default/app", for messages
};

struct http_response {
    int status = 0;
    std::string body;
};

// Shared between a watch coroutine and the thread that may cancel it.
struct cancel_state {
    std::atomic<bool> cancelled{false};
    std::mutex mutex;
    std::function<void()> closer; // set while a stream is open; runs on the io thread
};

class rate_limiter {
public:
    rate_limiter(double qps, int burst);
    // How long the caller must wait before sending (reserves a token).
    std::chrono::nanoseconds reserve();

private:
    std::mutex mutex_;
    double qps_, burst_, tokens_;
    std::chrono::steady_clock::time_point last_;
};

class transport {
public:
    static result<std::shared_ptr<transport>> create(config cfg, client_options options);
    ~transport();
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    // Blocking; from any thread but the I/O thread.
    result<http_response> request(http_request req);
    boost::asio::awaitable<result<http_response>> async_request(http_request req);
    // Streams a watch; calls on_line (on the I/O thread) for each complete line until it returns
    // false, the server ends the stream (ok), an error happens, or `cancel` fires (ok).
    status watch(http_request req, std::function<bool(std::string_view)> on_line, std::shared_ptr<cancel_state> cancel);

    const config& cfg() const { return cfg_; }
    const client_options& options() const { return options_; }
    boost::asio::io_context& io() { return io_; }

    struct impl;

private:
    transport(config cfg, client_options options);
    config cfg_;
    client_options options_;
    boost::asio::io_context io_;
    std::unique_ptr<impl> impl_;
    std::thread thread_;
};

} // namespace weir::kube::detail
