// Turns a GitRepository's secretRef into Git credentials, with Flux's key names:
// username/password, bearerToken, ca.crt (or caFile), identity/known_hosts/password for SSH.
#pragma once

#include <weir/git/auth.hpp>

#include <map>
#include <string>

namespace weir::source {

git::auth_options git_auth_from(const std::map<std::string, std::string>& data);

} // namespace weir::source
