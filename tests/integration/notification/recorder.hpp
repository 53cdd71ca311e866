// A local HTTP service for tests that records every request it gets and answers with scripted
// statuses (200 once the script runs out): stands in for Slack, GitHub, a generic webhook...
#pragma once

#include "http_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace weir::test {

class recorder {
public:
    explicit recorder(std::deque<int> statuses = {})
        : statuses_(std::move(statuses)),
          server_({.listen = "127.0.0.1:0", .body_limit = 8 << 20, .http2_handoff = {}},
                  [this](const notification::server_request& r) { return record(r); })
    {
        REQUIRE(server_.start());
    }

    std::string origin() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

    // Waits until at least n requests arrived; returns a copy of all of them.
    std::vector<notification::server_request> wait_for(std::size_t n,
                                                       std::chrono::seconds limit = std::chrono::seconds(20))
    {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, limit, [&] { return got_.size() >= n; });
        return got_;
    }
    std::size_t count()
    {
        std::lock_guard lock(mutex_);
        return got_.size();
    }

private:
    notification::server_response record(const notification::server_request& r)
    {
        std::lock_guard lock(mutex_);
        got_.push_back(r);
        cv_.notify_all();
        int status = 200;
        if (!statuses_.empty()) {
            status = statuses_.front();
            statuses_.pop_front();
        }
        return {status, status < 400 ? "{\"ok\":true}" : "{\"error\":\"scripted\"}", "application/json"};
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<notification::server_request> got_;
    std::deque<int> statuses_;
    notification::http_server server_;
};

} // namespace weir::test
