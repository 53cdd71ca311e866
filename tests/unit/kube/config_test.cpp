#include <catch2/catch.hpp>

#include <weir/kube/config.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace weir::kube;

namespace {
struct temp_dir {
    fs::path path;
    temp_dir()
    {
        path = fs::temp_directory_path() / ("weir-kube-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
    fs::path write(const std::string& name, const std::string& text) const
    {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

const char* two_contexts = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: Q0EtUEVN
- name: prod-cluster
  cluster:
    server: https://prod.example.com
    insecure-skip-tls-verify: true
    certificate-authority: certs/ca.pem
users:
- name: dev-user
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: prod-user
  user:
    token: s3cret
    as: system:serviceaccount:flux-system:kustomize-controller
    as-groups: [devs]
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user}
- name: prod
  context: {cluster: prod-cluster, user: prod-user, namespace: flux-system}
)";
} // namespace

TEST_CASE("kubeconfig uses the current context, decodes -data fields and defaults the namespace", "[kube][config]")
{
    auto cfg = parse_kubeconfig(two_contexts, "/base");
    REQUIRE(cfg);
    CHECK(cfg->server == "https://10.0.0.1:6443");
    CHECK(cfg->ca_pem == "CA-PEM");
    CHECK(cfg->client_cert_pem == "CERT");
    CHECK(cfg->client_key_pem == "KEY");
    CHECK(cfg->namespace_ == "default");
    CHECK_FALSE(cfg->insecure_skip_tls_verify);
}

TEST_CASE("kubeconfig --context selects another context with token, insecure flag and impersonation", "[kube][config]")
{
    temp_dir dir;
    fs::create_directories(dir.path / "certs");
    dir.write("certs/ca.pem", "FILE-CA");
    auto cfg = parse_kubeconfig(two_contexts, dir.path.string(), "prod");
    REQUIRE(cfg);
    CHECK(cfg->server == "https://prod.example.com");
    CHECK(cfg->insecure_skip_tls_verify);
    CHECK(cfg->ca_pem == "FILE-CA"); // relative path resolved against the kubeconfig's directory
    CHECK(cfg->namespace_ == "flux-system");
    CHECK(cfg->impersonate_user == "system:serviceaccount:flux-system:kustomize-controller");
    REQUIRE(cfg->impersonate_groups.size() == 1);
    auto creds = cfg->current_credentials();
    REQUIRE(creds);
    CHECK(creds->bearer_token == "s3cret");
}

TEST_CASE("kubeconfig errors name the missing context or cluster", "[kube][config]")
{
    auto missing = parse_kubeconfig(two_contexts, "/", "staging");
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message.find("context \"staging\" not found") != std::string::npos);
    CHECK(missing.err().terminal());
    auto no_current = parse_kubeconfig("apiVersion: v1\nkind: Config\n", "/");
    REQUIRE_FALSE(no_current);
    CHECK(no_current.err().message.find("no current-context") != std::string::npos);
}

TEST_CASE("a KUBECONFIG list merges files with the first definition winning", "[kube][config]")
{
    temp_dir dir;
    auto a = dir.write("a", R"(current-context: one
contexts: [{name: one, context: {cluster: c1, user: u1}}]
clusters: [{name: c1, cluster: {server: "http://first:1"}}]
users: [{name: u1, user: {token: t1}}]
)");
    auto b = dir.write("b", R"(current-context: two
contexts: [{name: two, context: {cluster: c1, user: u1}}]
clusters: [{name: c1, cluster: {server: "http://second:2"}}]
users: [{name: u1, user: {token: t2}}]
)");
    auto cfg = load_kubeconfig({a.string(), b.string(), (dir.path / "missing").string()});
    REQUIRE(cfg);
    CHECK(cfg->server == "http://first:1");
    auto via_two = load_kubeconfig({a.string(), b.string()}, "two");
    REQUIRE(via_two);
    CHECK(via_two->server == "http://first:1"); // cluster c1 from the first file
}

TEST_CASE("a token file is re-read when it is rotated", "[kube][config]")
{
    temp_dir dir;
    auto token = dir.write("token", "first\n");
    config cfg;
    cfg.server = "https://x";
    cfg.token_file = token.string();
    auto c1 = cfg.current_credentials();
    REQUIRE(c1);
    CHECK(c1->bearer_token == "first");
    config copy = cfg; // copies share the refresh cache
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    dir.write("token", "second");
    fs::last_write_time(token, fs::file_time_type::clock::now() + std::chrono::seconds(5));
    auto c2 = copy.current_credentials();
    REQUIRE(c2);
    CHECK(c2->bearer_token == "second");
}

TEST_CASE("in-cluster config reads the service account files and the service address", "[kube][config]")
{
    temp_dir dir;
    dir.write("token", "sa-token");
    dir.write("ca.crt", "SA-CA");
    dir.write("namespace", "flux-system\n");
    ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    auto cfg = in_cluster_config(dir.path.string());
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    ::unsetenv("KUBERNETES_SERVICE_PORT");
    REQUIRE(cfg);
    CHECK(cfg->server == "https://10.96.0.1:443");
    CHECK(cfg->ca_pem == "SA-CA");
    CHECK(cfg->namespace_ == "flux-system");
    CHECK(cfg->current_credentials()->bearer_token == "sa-token");
}

TEST_CASE("exec credential plugins run with their env and their token is used", "[kube][config]")
{
    temp_dir dir;
    auto script = dir.write("plugin.sh", R"(#!/bin/sh
echo "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"tok-$PLUGIN_SUFFIX\"}}"
)");
    fs::permissions(script, fs::perms::owner_all);
    auto cfg = parse_kubeconfig(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://k:6443"}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./plugin.sh
      env: [{name: PLUGIN_SUFFIX, value: abc}]
)",
                                dir.path.string());
    REQUIRE(cfg);
    REQUIRE(cfg->exec);
    cfg->exec->command = script.string();
    auto creds = cfg->current_credentials();
    REQUIRE(creds);
    CHECK(creds->bearer_token == "tok-abc");
}

TEST_CASE("a failing exec plugin is a transient error naming the command", "[kube][config]")
{
    config cfg;
    cfg.server = "https://x";
    cfg.exec = exec_config{.command = "/bin/false"};
    auto creds = cfg.current_credentials();
    REQUIRE_FALSE(creds);
    CHECK_FALSE(creds.err().terminal());
    CHECK(creds.err().message.find("/bin/false") != std::string::npos);
}

TEST_CASE("base64 decodes with and without padding and rejects garbage", "[kube][config]")
{
    CHECK(*base64_decode("aGVsbG8=") == "hello");
    CHECK(*base64_decode("aGVsbG8") == "hello");
    CHECK(*base64_decode("aGVs\nbG8=") == "hello");
    CHECK(base64_encode("hello") == "aGVsbG8=");
    CHECK_FALSE(base64_decode("a*b"));
}
