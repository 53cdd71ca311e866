// The artifact HTTP server: serves the storage directory read-only, as Flux's --storage-addr does.
//
//   file_server srv("/data", {.address = "0.0.0.0", .port = 9090});
//   WEIR_TRY(srv.start());            // listens; serves on its own thread
//   srv.port();                       // the bound port (useful with port 0)
//   srv.stop();                       // also done by the destructor
//
// GET and HEAD only. Paths are percent-decoded, then any "..", "." or empty component, a leading
// dot component (.tmp, .blobs, .history) or a non-regular file gives 404, so nothing outside the
// storage directory (or private to it) is reachable. Strong ETag from inode, size and mtime,
// If-None-Match -> 304; a single "Range: bytes=" range -> 206 (unsatisfiable -> 416); several
// ranges are answered with the whole file (RFC 9110 allows it).
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace weir::artifact {

struct file_server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0; // 0: any free port
    int threads = 1;
    // The most a client may take to send a request's headers; slow or idle clients are cut off.
    std::chrono::milliseconds read_timeout{std::chrono::seconds(60)};
};

class file_server {
public:
    file_server(std::filesystem::path root, file_server_options options = {});
    ~file_server();
    file_server(const file_server&) = delete;
    file_server& operator=(const file_server&) = delete;

    status start();
    void stop();
    std::uint16_t port() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::artifact
