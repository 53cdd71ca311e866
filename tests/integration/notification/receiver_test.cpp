// The webhook receiver against a real API server: real-format payloads from GitHub, GitLab and
// Docker Hub annotate the listed objects; bad signatures, altered bodies, missing headers and
// oversized bodies are refused and change nothing.
#include "providers/provider.hpp"
#include "receiver_server.hpp"
#include "receiver_verify.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/yaml.hpp>
#include <weir/runtime/conditions.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace weir;
using namespace weir::notification;

namespace {

const std::string token = "webhook-t0ken";

const std::string github_push =
    R"({"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5","repository":{"full_name":"org/fleet","clone_url":"https://github.com/org/fleet.git"},"pusher":{"name":"dev"}})";
const std::string gitlab_push =
    R"({"object_kind":"push","ref":"refs/heads/main","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","project":{"path_with_namespace":"org/fleet"}})";
const std::string dockerhub_push =
    R"({"callback_url":"https://registry.hub.docker.com/u/org/app/hook/x/","push_data":{"pushed_at":1417566161,"pusher":"ci","tag":"1.2.3"},"repository":{"name":"app","namespace":"org","repo_name":"org/app"}})";

std::string git_repo(const std::string& name, const std::string& labels = "{}")
{
    return fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: {}, "
                       "namespace: default, labels: {}}}\n"
                       "spec: {{url: 'https://example.com/x.git', interval: 1h}}\n",
                       name, labels);
}

// A Receiver as the reconciler leaves it: Ready, with its webhook path.
kube::object_ptr receiver(const std::string& name, const std::string& spec_yaml)
{
    auto v = parse_yaml(fmt::format("apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\n"
                                    "metadata: {{name: {}, namespace: default, generation: 1}}\nspec:\n{}",
                                    name, spec_yaml));
    REQUIRE(v);
    (*v)["status"]["webhookPath"] = webhook_path(token, name, "default");
    runtime::conditions::mark_ready(*v, "Succeeded", "ready");
    return std::make_shared<const value>(*v);
}

std::string requested_at(test::local_cluster& c, const std::string& name)
{
    auto obj = c.client().get(test::git_repository_kind, "default", name);
    REQUIRE(obj);
    return test::string_at(*obj, {"metadata", "annotations", "reconcile.fluxcd.io/requestedAt"});
}

struct fixture {
    test::local_cluster cluster{{.apiserver = WEIR_APISERVER_BIN}};
    runtime::object_store store;
    std::unique_ptr<secret_cache> secrets;
    std::unique_ptr<receiver_server> server;

    fixture()
    {
        // data, not stringData: weir-apiserver's server-side apply drops stringData today.
        cluster.apply_yaml(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: hook-token, namespace: default}\ndata: {token: " +
            base64_encode(token) + "}\n");
        cluster.apply_yaml(git_repo("fleet") + "---\n" + git_repo("web-a", "{team: web}") + "---\n" +
                           git_repo("web-b", "{team: web}") + "---\n" + git_repo("db", "{team: db}"));
        add_webhook_index(store);
        store.upsert(receiver("github", "  type: github\n  events: [push]\n  secretRef: {name: hook-token}\n"
                                        "  resources: [{kind: GitRepository, name: fleet}]\n"));
        store.upsert(receiver("gitlab",
                              "  type: gitlab\n  secretRef: {name: hook-token}\n"
                              "  resources: [{kind: GitRepository, name: '*', matchLabels: {team: web}}]\n"));
        store.upsert(receiver("dockerhub", "  type: dockerhub\n  secretRef: {name: hook-token}\n"
                                           "  resources: [{kind: GitRepository, name: db}]\n"));
        secrets = std::make_unique<secret_cache>(cluster.client());
        server = std::make_unique<receiver_server>(receiver_server_options{.listen = "127.0.0.1:0"},
                                                   cluster.client(), store, *secrets);
        REQUIRE(server->start());
    }

    std::string url(const std::string& name) const
    {
        return fmt::format("http://127.0.0.1:{}{}", server->port(), webhook_path(token, name, "default"));
    }

    int post(const std::string& u, std::vector<std::pair<std::string, std::string>> headers,
             const std::string& body)
    {
        headers.emplace_back("Content-Type", "application/json");
        auto r = send_request({.method = "POST", .url = u, .headers = headers, .body = body}, {});
        return r ? r->status : r.err().code;
    }
};

std::string sign(const std::string& body, const std::string& key)
{
    return "sha256=" + providers::hex_hmac_sha256(key, body);
}

} // namespace

TEST_CASE("receiver: a signed GitHub push annotates the GitRepository with requestedAt",
          "[notification][receiver]")
{
    fixture f;
    REQUIRE(requested_at(f.cluster, "fleet").empty());
    CHECK(f.post(f.url("github"),
                 {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", sign(github_push, token)}},
                 github_push) == 200);
    std::string at = requested_at(f.cluster, "fleet");
    CHECK(at.ends_with(" +0000 UTC"));
    // A ping is verified and answered, and changes nothing.
    CHECK(f.post(f.url("github"), {{"X-GitHub-Event", "ping"}, {"X-Hub-Signature-256", sign("{}", token)}},
                 "{}") == 200);
    CHECK(requested_at(f.cluster, "fleet") == at);
}

TEST_CASE("receiver: wrong signature, altered body and missing header get 401 and change nothing",
          "[notification][receiver]")
{
    fixture f;
    std::string altered = github_push;
    altered.replace(altered.find("main"), 4, "prod");
    CHECK(f.post(f.url("github"),
                 {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", sign(github_push, "guess")}},
                 github_push) == 401);
    CHECK(f.post(f.url("github"),
                 {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", sign(github_push, token)}},
                 altered) == 401);
    CHECK(f.post(f.url("github"), {{"X-GitHub-Event", "push"}}, github_push) == 401);
    CHECK(f.post(f.url("gitlab"), {{"X-Gitlab-Event", "Push Hook"}}, gitlab_push) == 401);
    CHECK(f.post(f.url("github"),
                 {{"X-GitHub-Event", "issues"}, {"X-Hub-Signature-256", sign(github_push, token)}},
                 github_push) == 400);
    CHECK(f.post(fmt::format("http://127.0.0.1:{}/hook/{}", f.server->port(), std::string(64, 'a')), {},
                 "{}") == 404);
    CHECK(requested_at(f.cluster, "fleet").empty());
    CHECK(f.server->handled() == 0);
}

TEST_CASE("receiver: a GitLab push hook annotates every object matching the labels",
          "[notification][receiver]")
{
    fixture f;
    CHECK(f.post(f.url("gitlab"), {{"X-Gitlab-Token", token}, {"X-Gitlab-Event", "Push Hook"}},
                 gitlab_push) == 200);
    CHECK_FALSE(requested_at(f.cluster, "web-a").empty());
    CHECK_FALSE(requested_at(f.cluster, "web-b").empty());
    CHECK(requested_at(f.cluster, "db").empty());
    CHECK(requested_at(f.cluster, "fleet").empty());
}

TEST_CASE("receiver: a Docker Hub callback is accepted on its secret path, garbage is not",
          "[notification][receiver]")
{
    fixture f;
    CHECK(f.post(f.url("dockerhub"), {}, "not json") == 400);
    CHECK(requested_at(f.cluster, "db").empty());
    CHECK(f.post(f.url("dockerhub"), {}, dockerhub_push) == 200);
    CHECK_FALSE(requested_at(f.cluster, "db").empty());
}

TEST_CASE("receiver: a 10 MB body is refused with 413 before it is read", "[notification][receiver]")
{
    fixture f;
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
    std::string head = fmt::format("POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   "X-GitHub-Event: push\r\nContent-Length: {}\r\n\r\n",
                                   webhook_path(token, "github", "default"), 10 << 20);
    asio::write(s, asio::buffer(head + std::string(64 << 10, 'x')));
    std::string response;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        std::size_t n = s.read_some(asio::buffer(buf), ec);
        response.append(buf, n);
        if (ec) break;
    }
    CHECK(response.starts_with("HTTP/1.1 413"));
    CHECK(requested_at(f.cluster, "fleet").empty());
}
