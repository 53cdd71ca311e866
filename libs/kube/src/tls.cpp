#include "detail/tls.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/x509v3.h>

namespace net = boost::asio;

namespace weir::kube::detail {

result<std::shared_ptr<net::ssl::context>> make_tls_context(const config& cfg, const credentials& creds)
{
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                     net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    if (cfg.insecure_skip_tls_verify) {
        ctx->set_verify_mode(net::ssl::verify_none);
    } else {
        ctx->set_verify_mode(net::ssl::verify_peer);
        if (!cfg.ca_pem.empty()) ctx->add_certificate_authority(net::buffer(cfg.ca_pem), ec);
        else ctx->set_default_verify_paths(ec);
        if (ec) return terminal_error("kubeconfig " + cfg.source + ": certificate authority: " + ec.message(), "ConfigError");
    }
    if (!creds.client_cert_pem.empty()) {
        ctx->use_certificate_chain(net::buffer(creds.client_cert_pem), ec);
        if (ec) return terminal_error("kubeconfig " + cfg.source + ": client certificate: " + ec.message(), "ConfigError");
        ctx->use_private_key(net::buffer(creds.client_key_pem), net::ssl::context::pem, ec);
        if (ec) return terminal_error("kubeconfig " + cfg.source + ": client key: " + ec.message(), "ConfigError");
    }
    return ctx;
}

status prepare_tls_session(SSL* ssl, const config& cfg, const std::string& host)
{
    const std::string& name = cfg.tls_server_name.empty() ? host : cfg.tls_server_name;
    boost::system::error_code ec;
    (void)net::ip::make_address(name, ec);
    if (ec && !SSL_set_tlsext_host_name(ssl, name.c_str())) // SNI is for names, never addresses
        return transient_error("tls: cannot set server name " + name, "TLSError");
    if (cfg.insecure_skip_tls_verify) return ok();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int rc = ec ? X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0) : X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    if (rc != 1) return transient_error("tls: cannot verify against " + name, "TLSError");
    return ok();
}

} // namespace weir::kube::detail
