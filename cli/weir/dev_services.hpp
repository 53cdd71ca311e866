// The peers a real fleet talks to, run on loopback by `weir dev up` so the example fleet can use
// them: a container registry holding a few tags of the example app (for its image policy), and a
// webhook that records the alerts the notification-controller sends.
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace weir::cli {

// The configuration file for Debian's docker-registry serving `data` on 127.0.0.1:port.
status write_registry_config(const std::filesystem::path& file, const std::filesystem::path& data,
                             unsigned short port);

// Pushes a small image per tag to `repository` on the registry at `host` (plain http), waiting up
// to `patience` for the registry to accept connections.
status seed_registry(const std::string& host, const std::string& repository,
                     const std::vector<std::string>& tags,
                     std::chrono::milliseconds patience = std::chrono::seconds(15));

// An HTTP endpoint on loopback that appends the body of each POST as one line to a file: where the
// example fleet's alert Provider points.
class alert_sink {
public:
    explicit alert_sink(std::filesystem::path file);
    ~alert_sink();
    alert_sink(const alert_sink&) = delete;
    alert_sink& operator=(const alert_sink&) = delete;

    // Binds a free loopback port and serves from a thread of its own.
    status start();
    unsigned short port() const;
    std::size_t received() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::cli
