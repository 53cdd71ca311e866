// Registry credentials and the small header grammars of the distribution protocol.
//
//   WEIR_TRY_ASSIGN(auto creds, oci::credentials_from_docker_config(secret[".dockerconfigjson"], "ghcr.io"));
//   auto ch = oci::parse_www_authenticate(R"(Bearer realm="https://auth.io/token",service="reg")");
//   auto next = oci::parse_link_next(R"(</v2/app/tags/list?last=b&n=2>; rel="next")");
#pragma once

#include <weir/core/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace weir::oci {

struct basic_credentials {
    std::string username;
    std::string password;
    bool operator==(const basic_credentials&) const = default;
};

// The entry for `registry` in a .dockerconfigjson (or legacy .dockercfg) document: "auths" keys
// may be a bare host, host:port, or a URL ("https://index.docker.io/v1/" for Docker Hub); "auth"
// (base64 "user:password") or username/password. nullopt when no entry matches; a malformed
// document is a terminal error naming what is wrong.
result<std::optional<basic_credentials>> credentials_from_docker_config(std::string_view json,
                                                                        std::string_view registry);

// One WWW-Authenticate challenge: scheme ("Bearer", "Basic") and its auth-params, names in lower
// case ("realm", "service", "scope").
struct challenge {
    std::string scheme;
    std::map<std::string, std::string> params;
};
std::optional<challenge> parse_www_authenticate(std::string_view header);

// The target of the rel="next" link in a Link header, or nullopt.
std::optional<std::string> parse_link_next(std::string_view header);

} // namespace weir::oci
