// The example controller binary as a process: flags, health and metrics endpoints, SIGTERM.
#include <catch2/catch.hpp>

#include "support/apiserver_process.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/client.hpp>
#include <weir/runtime/conditions.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <thread>

extern char** environ;

using namespace weir;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

const char* crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"configcopies.test.weir.dev"},
 "spec":{"group":"test.weir.dev","scope":"Namespaced",
  "names":{"kind":"ConfigCopy","plural":"configcopies","singular":"configcopy","listKind":"ConfigCopyList"},
  "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})";

unsigned short free_port()
{
    net::io_context io;
    net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

// GET on a plain-HTTP port; status 0 when nothing answers.
std::pair<int, std::string> http_get(unsigned short port, const std::string& target)
{
    try {
        net::io_context io;
        net::ip::tcp::socket sock(io);
        sock.connect({net::ip::make_address("127.0.0.1"), port});
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(sock, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(sock, buf, res);
        return {static_cast<int>(res.result_int()), res.body()};
    } catch (const std::exception&) {
        return {0, ""};
    }
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 20s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

} // namespace

TEST_CASE("the example controller binary serves health and metrics and releases its lease on SIGTERM",
          "[integration][runtime][process]")
{
    test::apiserver_process api(WEIR_APISERVER_BIN);
    REQUIRE(api.start());
    auto c = kube::client::create(*api.config(), {.qps = 0});
    REQUIRE(c);
    auto& client = **c;
    REQUIRE(client.create(*parse_json(crd)));
    REQUIRE(client.create(*parse_json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"src","namespace":"default"},"data":{"key":"v"}})")));

    unsigned short health = free_port(), metrics = free_port();
    std::string log = (api.dir() / "controller.log").string();
    std::vector<std::string> args{WEIR_EXAMPLE_BIN, "--kubeconfig", api.kubeconfig_path().string(),
                                  "--health-addr=127.0.0.1:" + std::to_string(health),
                                  "--metrics-addr=127.0.0.1:" + std::to_string(metrics), "--enable-leader-election",
                                  "--concurrent=2", "--log-level=debug"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::setenv("RUNTIME_NAMESPACE", "default", 1);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, WEIR_EXAMPLE_BIN, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::unsetenv("RUNTIME_NAMESPACE");

    REQUIRE(eventually([&] { return http_get(health, "/readyz").first == 200; }));
    CHECK(http_get(health, "/healthz").first == 200);
    REQUIRE(client.create(*parse_json(R"({"apiVersion":"test.weir.dev/v1","kind":"ConfigCopy","metadata":{"name":"one","namespace":"default"},"spec":{"from":"src","to":"dst"}})")));
    REQUIRE(eventually([&] {
        auto obj = client.get({"test.weir.dev", "v1", "ConfigCopy"}, "default", "one");
        return obj && runtime::conditions::is_true(*obj, "Ready");
    }));
    auto [code, text] = http_get(metrics, "/metrics");
    CHECK(code == 200);
    CHECK(text.find("gotk_reconcile_duration_seconds_bucket{kind=\"ConfigCopy\",name=\"one\",namespace=\"default\"") != std::string::npos);
    CHECK(text.find("gotk_reconcile_condition{kind=\"ConfigCopy\",name=\"one\",namespace=\"default\",type=\"Ready\",status=\"True\"} 1") != std::string::npos);
    CHECK(text.find("workqueue_depth{name=\"configcopy\"}") != std::string::npos);
    CHECK(text.find("rest_client_request_duration_seconds_count") != std::string::npos);
    auto lease = client.get({"coordination.k8s.io", "v1", "Lease"}, "default", "configcopy-controller-leader-election");
    REQUIRE(lease);
    CHECK_FALSE(lease->find_path({"spec", "holderIdentity"})->as_string().empty());

    REQUIRE(::kill(pid, SIGTERM) == 0);
    int status = 0;
    REQUIRE(eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    lease = client.get({"coordination.k8s.io", "v1", "Lease"}, "default", "configcopy-controller-leader-election");
    REQUIRE(lease);
    CHECK(lease->find_path({"spec", "holderIdentity"})->as_string().empty());
}
