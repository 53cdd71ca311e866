// GitRepository spec.proxySecretRef: the real source-controller fetches from an https Git server
// (weir's test git host with a throwaway CA) through a real HTTP CONNECT proxy on loopback that
// requires credentials.
#include "connect_proxy.hpp"
#include "support/git_server.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/encoding.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace weir;

namespace {

std::string secret(const std::string& name, const std::map<std::string, std::string>& data)
{
    std::string out = fmt::format(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: {}, namespace: default}}\ndata:\n", name);
    for (const auto& [k, v] : data)
        out += fmt::format("  {}: {}\n", k, base64_encode(v));
    return out;
}

std::string repository(const std::string& name, const std::string& url, const std::string& proxy_secret)
{
    return fmt::format(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
        "metadata: {{name: {}, namespace: default}}\n"
        "spec: {{url: \"{}\", interval: 10m, ref: {{branch: main}}, secretRef: {{name: git-ca}}, "
        "proxySecretRef: {{name: {}}}}}\n",
        name, url, proxy_secret);
}

} // namespace

TEST_CASE(
    "GitRepository proxySecretRef fetches over https through an authenticating CONNECT proxy, and wrong proxy "
    "credentials fail naming the proxy",
    "[integration][source][proxy]")
{
    test::git_repos repos;
    std::string sha = repos.commit("app", "main", {{"a.yaml", "v: 1\n"}}, "first");
    test::git_http_server server(repos.root(), {.tls = true});
    test::connect_proxy proxy("proxy-user", "proxy-pass");
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    c.apply_yaml(secret("git-ca", {{"ca.crt", server.ca_pem()}}));
    c.apply_yaml(
        secret("proxy", {{"address", proxy.url()}, {"username", "proxy-user"}, {"password", "proxy-pass"}}));
    c.apply_yaml(
        secret("bad-proxy", {{"address", proxy.url()}, {"username", "proxy-user"}, {"password", "wrong"}}));
    c.apply_yaml(repository("via-proxy", server.url("app"), "proxy"));

    value ready = c.wait_for(test::git_repository_kind, "default", "via-proxy", test::ready_is("True"));
    CHECK(test::string_at(ready, {"status", "artifact", "revision"}) == "main@sha1:" + sha);
    CHECK(proxy.tunnels() > 0);

    c.apply_yaml(repository("bad-proxy", server.url("app"), "bad-proxy"));
    value failed = c.wait_for(test::git_repository_kind, "default", "bad-proxy", test::ready_is("False"));
    CHECK_THAT(test::condition_message(failed, "Ready"), Catch::Contains("proxy"));
    CHECK_FALSE(failed.find_path({"status", "artifact"}));
}
