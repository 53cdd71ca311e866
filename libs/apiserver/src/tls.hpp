// Private: the CA, serving certificate and admin token of a data directory.
#pragma once

#include <weir/core/result.hpp>

#include <filesystem>
#include <string>

namespace weir::apiserver {

struct credentials {
    std::filesystem::path ca_cert, server_cert, server_key;
    std::string token;
};

// Generates on first start (EC P-256 keys, a CA, a serving certificate for 127.0.0.1, ::1 and
// localhost signed by it, a random token) and reuses what the directory holds afterwards.
result<credentials> ensure_credentials(const std::filesystem::path& dir);

} // namespace weir::apiserver
