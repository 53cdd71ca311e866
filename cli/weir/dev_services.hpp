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

// The HTTP peers of the example fleet, on one loopback port: POST / appends each alert's body as
// one line to a file (where the fleet's alert Provider points), and /charts/ is a Helm chart
// repository (index.yaml and packages) of the charts in the fleet's charts/ directory.
class dev_http_server {
public:
    explicit dev_http_server(std::filesystem::path alerts_file);
    ~dev_http_server();
    dev_http_server(const dev_http_server&) = delete;
    dev_http_server& operator=(const dev_http_server&) = delete;

    // Packages every chart under `charts` (a directory per chart, with a Chart.yaml) into `work`
    // and serves them with an index under /charts/. Call before start().
    status publish_charts(const std::filesystem::path& charts, const std::filesystem::path& work);
    // Binds a free loopback port and serves from a thread of its own.
    status start();
    unsigned short port() const;
    std::string charts_url() const; // "http://127.0.0.1:<port>/charts"
    std::size_t alerts_received() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::cli
