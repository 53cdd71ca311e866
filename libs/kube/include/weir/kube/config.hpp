// How to reach and authenticate to an API server: from a kubeconfig file or from the service
// account a pod runs with.
//
//   WEIR_TRY_ASSIGN(auto cfg, kube::load_config({.kubeconfig = flag_value}));
//   // --kubeconfig, else $KUBECONFIG (a ':'-separated list, merged), else in-cluster, else
//   // ~/.kube/config
//
// Credentials that expire are not frozen in the config: `token_file` is re-read when it changes
// (service account token rotation) and `exec` plugins run again when their credential expires;
// the client asks `credentials()` before each request.
#pragma once

#include <weir/core/encoding.hpp>
#include <weir/core/result.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weir::kube {

// An exec credential plugin (client.authentication.k8s.io ExecCredential).
struct exec_config {
    std::string api_version = "client.authentication.k8s.io/v1";
    std::string command;
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
};

// What a request should present at a given moment.
struct credentials {
    std::string bearer_token;
    std::string client_cert_pem; // from an exec plugin; otherwise the config's own
    std::string client_key_pem;
};

struct config {
    std::string server;           // "https://127.0.0.1:6443"
    std::string namespace_;       // default namespace of the context ("default" when unset)
    std::string ca_pem;           // empty: the system trust store
    bool insecure_skip_tls_verify = false;
    std::string tls_server_name;  // SNI and verification name override
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string token;            // static bearer token
    std::string token_file;       // re-read when it changes (in-cluster: rotated every hour)
    std::string username, password; // basic auth
    std::optional<exec_config> exec;
    std::string impersonate_user;
    std::vector<std::string> impersonate_groups;
    std::string source;           // where this came from, for messages: a file path or "in-cluster"

    // Credentials for the next request; runs the exec plugin or re-reads token_file when needed.
    result<credentials> current_credentials() const;
    // Forgets cached exec/token-file credentials (after a 401) so the next call fetches anew.
    void invalidate_credentials() const;

private:
    struct cache;
    static std::shared_ptr<cache> make_cache();
    std::shared_ptr<cache> cache_ = make_cache(); // shared by copies: one refresh for all
};

struct load_options {
    std::string kubeconfig;  // --kubeconfig; empty: $KUBECONFIG, in-cluster, ~/.kube/config
    std::string context;     // --context; empty: current-context
    bool allow_in_cluster = true;
};

// Resolves the configuration in kubectl's order (see the file comment).
result<config> load_config(load_options options = {});
// One kubeconfig file, or several merged the way kubectl merges $KUBECONFIG (first wins).
result<config> load_kubeconfig(const std::vector<std::string>& paths, std::string_view context = {});
// Parses kubeconfig text; relative file references resolve against base_dir.
result<config> parse_kubeconfig(std::string_view yaml_text, std::string_view base_dir, std::string_view context = {},
                                std::string_view source = "kubeconfig");
// The pod's service account: $KUBERNETES_SERVICE_HOST/PORT and the files under `root`
// (default /var/run/secrets/kubernetes.io/serviceaccount).
result<config> in_cluster_config(std::string root = "/var/run/secrets/kubernetes.io/serviceaccount");

// Standard base64 (with or without padding), as kubeconfig "-data" fields use: core's.
using weir::base64_decode;
using weir::base64_encode;

} // namespace weir::kube
