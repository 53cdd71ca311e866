// Turns a GitRepository's secretRef into Git credentials, with Flux's key names:
// username/password, bearerToken, ca.crt (or caFile), identity/known_hosts/password for SSH.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/git/auth.hpp>

#include <map>
#include <string>

namespace weir::source {

// The decoded data of a Secret (data is base64; stringData wins, as the API server merges it).
result<std::map<std::string, std::string>> secret_data(const value& secret);

git::auth_options git_auth_from(const std::map<std::string, std::string>& data);

} // namespace weir::source
