#include "secret_auth.hpp"


namespace weir::source {

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
