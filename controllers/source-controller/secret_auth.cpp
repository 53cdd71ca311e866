#include "secret_auth.hpp"

#include <weir/core/encoding.hpp>

#include <fmt/format.h>

namespace weir::source {

result<std::map<std::string, std::string>> secret_data(const value& secret)
{
    std::map<std::string, std::string> out;
    if (const value* data = secret.find("data"); data && data->is_object()) {
        for (const auto& [k, v] : data->as_object()) {
            if (!v.is_string()) continue;
            auto decoded = base64_decode(v.as_string());
            if (!decoded)
                return terminal_error(fmt::format("secret '{}' key '{}': {}", secret.find_path({"metadata", "name"})
                                                                                   ? secret.find_path({"metadata", "name"})->as_string()
                                                                                   : "",
                                                  k, decoded.err().message),
                                      "AuthenticationFailed");
            out[k] = std::move(*decoded);
        }
    }
    if (const value* sd = secret.find("stringData"); sd && sd->is_object())
        for (const auto& [k, v] : sd->as_object())
            if (v.is_string()) out[k] = v.as_string();
    return out;
}

git::auth_options git_auth_from(const std::map<std::string, std::string>& data)
{
    auto get = [&](const char* key) {
        auto it = data.find(key);
        return it == data.end() ? std::string() : it->second;
    };
    git::auth_options a;
    a.ssh_private_key = get("identity");
    a.known_hosts = get("known_hosts");
    if (a.ssh_private_key.empty()) {
        a.username = get("username");
        a.password = get("password");
    } else {
        a.ssh_passphrase = get("password");
    }
    a.bearer_token = get("bearerToken");
    a.ca_pem = get("ca.crt");
    if (a.ca_pem.empty()) a.ca_pem = get("caFile");
    return a;
}

} // namespace weir::source
