// Runs a client.authentication.k8s.io exec credential plugin and reads its ExecCredential.
#pragma once

#include <weir/kube/config.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace weir::kube::detail {

struct exec_credential {
    std::string token;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::optional<std::chrono::system_clock::time_point> expires;
    // Expired, or within 10 s of expiring.
    bool expired() const;
};

result<exec_credential> run_exec_plugin(const exec_config& exec, std::string_view server);
// Parses the plugin's stdout.
result<exec_credential> parse_exec_credential(std::string_view json, std::string_view command);

} // namespace weir::kube::detail
