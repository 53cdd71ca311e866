// OpenSSL set-up for API server connections: trust (CA data or the system store, or none with
// insecure-skip-tls-verify), client certificates, SNI and host name or IP verification.
#pragma once

#include <weir/kube/config.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <openssl/ssl.h>

namespace weir::kube::detail {

result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const config& cfg, const credentials& creds);
// Per connection: SNI and the name (or IP address) the server certificate must carry.
status prepare_tls_session(SSL* ssl, const config& cfg, const std::string& host);

} // namespace weir::kube::detail
