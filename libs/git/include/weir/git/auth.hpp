// Credentials and trust for a Git remote, as a GitRepository's secretRef provides them.
//
//   auth_options a{.username = "bot", .password = token};             // https basic
//   auth_options b{.bearer_token = tok, .ca_pem = ca};                // https bearer + custom CA
//   auth_options c{.ssh_private_key = pem, .known_hosts = kh};        // ssh: known_hosts required
//
// SSH host keys are always checked against known_hosts (plain or hashed "|1|" host entries,
// "[host]:port" for other ports); there is no way to skip the check. The private key may be PEM or
// OpenSSH format, encrypted when `ssh_passphrase` is given.
#pragma once

#include <string>

namespace weir::git {

struct auth_options {
    std::string username;       // https basic (Flux: secret "username")
    std::string password;       // https basic (Flux: secret "password")
    std::string bearer_token;   // https "Authorization: Bearer" (Flux: secret "bearerToken")
    std::string ca_pem;         // extra CA certificates for https (Flux: "ca.crt" / "caFile")
    std::string ssh_private_key; // (Flux: "identity")
    std::string ssh_passphrase;  // (Flux: "password" with an identity)
    std::string known_hosts;     // (Flux: "known_hosts")
    // An HTTP(S) proxy for http/https remotes (Flux: proxySecretRef "address", "username",
    // "password"); empty: no proxy. Ignored by ssh and git:// remotes.
    std::string proxy_url;
    std::string proxy_username;
    std::string proxy_password;
};

} // namespace weir::git
