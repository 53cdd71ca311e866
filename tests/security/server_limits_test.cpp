// Every server weir runs bounds what a client can make it hold: request bodies (413 or the
// connection cut off) and time (a client that sends its request slowly, or nothing, is cut off).
// The servers: weir-apiserver, the artifact server (source-controller), the events intake and the
// receivers (notification-controller's HTTP server), and the health/metrics server of every binary.
// Timeouts are shortened through each server's options so that the tests take seconds; the
// defaults are in docs/security.md.
#include "event_server.hpp"
#include "http_server.hpp"
#include "raw_client.hpp"
#include "temp_dir.hpp"

#include <weir/apiserver/server.hpp>
#include <weir/artifact/file_server.hpp>
#include <weir/core/ops_server.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace weir;
using namespace weir::test::security;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// weir-apiserver's HTTPS front on a thread of its own.
struct test_apiserver {
    temp_dir dir;
    std::unique_ptr<weir::apiserver::server> srv;
    std::thread thread;
    explicit test_apiserver(std::chrono::seconds request_timeout = std::chrono::seconds(300))
    {
        auto s = weir::apiserver::server::create({.data_dir = dir.path / "data",
                                                  .listen = "127.0.0.1:0",
                                                  .kubeconfig = {},
                                                  .rbac = false,
                                                  .handle_signals = false,
                                                  .request_timeout = request_timeout});
        REQUIRE(s);
        srv = std::move(*s);
        thread = std::thread([this] { srv->run(); });
    }
    ~test_apiserver()
    {
        srv->stop();
        thread.join();
    }
    unsigned short port() const { return srv->port(); }
};

std::string post(const std::string& target, std::size_t content_length, const std::string& body = "")
{
    return "POST " + target +
           " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(content_length) + "\r\n\r\n" + body;
}

bool answered_ok(const std::string& response)
{
    return response.rfind("HTTP/1.1 2", 0) == 0;
}

} // namespace

TEST_CASE("apiserver: a request declaring a body over 16 MiB is cut off before the body is read",
          "[security][limits]")
{
    test_apiserver api;
    raw_client c(api.port(), true);
    REQUIRE(c.send(post("/api/v1/namespaces/default/configmaps", 1ull << 30)));
    auto got = c.read_until_closed();
    CHECK(c.closed());
    CHECK_FALSE(answered_ok(got));
}

TEST_CASE("apiserver: a body over 3 MiB gets 413 before it reaches the API", "[security][limits]")
{
    test_apiserver api;
    raw_client c(api.port(), true);
    std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":")" +
                       std::string(4u << 20, 'x') + "\"}}";
    REQUIRE(c.send(post("/api/v1/namespaces/default/configmaps", body.size(), body)));
    auto got = c.read_until_closed();
    CHECK(got.rfind("HTTP/1.1 413", 0) == 0);
}

TEST_CASE("apiserver: a client sending its headers a byte at a time is cut off at the request timeout",
          "[security][timeouts]")
{
    test_apiserver api(1s);
    raw_client c(api.port(), true);
    // 400 ms a byte: without a request deadline the 4 KiB of headers would take half an hour.
    CHECK(c.dribble(endless_headers(), 400ms) > 0);
}

TEST_CASE("apiserver: a connection that sends nothing is closed at the request timeout",
          "[security][timeouts]")
{
    test_apiserver api(1s);
    raw_client c(api.port(), true);
    CHECK(c.closed_by_peer(20s));
}

TEST_CASE("artifact server: a request with a body is cut off unanswered", "[security][limits]")
{
    temp_dir d;
    std::ofstream(d.path / "f.tar.gz") << "x";
    artifact::file_server srv(d.path);
    REQUIRE(srv.start());
    raw_client c(srv.port(), false);
    REQUIRE(c.send(post("/f.tar.gz", 1ull << 30, std::string(1024, 'x'))));
    auto got = c.read_until_closed();
    CHECK(c.closed());
    CHECK_FALSE(answered_ok(got));
}

TEST_CASE("artifact server: headers over 16 KiB are cut off unanswered", "[security][limits]")
{
    temp_dir d;
    artifact::file_server srv(d.path);
    REQUIRE(srv.start());
    raw_client c(srv.port(), false);
    c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    auto got = c.read_until_closed();
    CHECK(c.closed());
    CHECK(got.empty());
}

TEST_CASE("artifact server: a client sending its headers a byte at a time is cut off at the read timeout",
          "[security][timeouts]")
{
    temp_dir d;
    artifact::file_server srv(d.path,
                              {.address = "127.0.0.1", .port = 0, .threads = 1, .read_timeout = 500ms});
    REQUIRE(srv.start());
    raw_client c(srv.port(), false);
    CHECK(c.dribble(endless_headers(), 200ms) > 0);
    raw_client idle(srv.port(), false);
    CHECK(idle.closed_by_peer(20s));
}

TEST_CASE("health/metrics server: a body over 64 KiB is cut off unanswered", "[security][limits]")
{
    ops_server ops({.listen = "127.0.0.1:0", .metrics = nullptr});
    REQUIRE(ops.start());
    raw_client c(ops.port(), false);
    c.send(post("/healthz", 128 * 1024, std::string(128 * 1024, 'x')));
    auto got = c.read_until_closed();
    CHECK(c.closed());
    CHECK_FALSE(answered_ok(got));
}

TEST_CASE(
    "health/metrics server: a slowloris client is cut off at the request deadline and probes answer again",
    "[security][timeouts]")
{
    ops_server ops({.listen = "127.0.0.1:0", .metrics = nullptr, .request_timeout = 1s});
    REQUIRE(ops.start());
    ops.set_ready(true);
    {
        raw_client slow(ops.port(), false);
        // A byte every 500 ms stays under the 2 s receive timeout of each read: only a deadline
        // for the whole request ends it (the server has one thread: the probes wait meanwhile).
        CHECK(slow.dribble(endless_headers(), 500ms) > 0);
    }
    raw_client probe(ops.port(), false);
    REQUIRE(probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    CHECK(answered_ok(probe.read_until_closed()));
}

TEST_CASE("events intake: a body over 3 MiB gets 413", "[security][limits]")
{
    notification::intake in({}, [](eventsink::flux_event) {});
    notification::event_server srv({.listen = "127.0.0.1:0"}, in);
    REQUIRE(srv.start());
    raw_client c(srv.port(), false);
    std::string body = R"({"message":")" + std::string(4u << 20, 'x') + "\"}";
    c.send(post("/", body.size(), body));
    CHECK(c.read_until_closed().rfind("HTTP/1.1 413", 0) == 0);
}

TEST_CASE("events intake and receivers: a client sending a byte at a time is cut off at the io timeout",
          "[security][timeouts]")
{
    // The HTTP server behind both the events intake and the receivers (30 s by default).
    notification::http_server srv(
        {.listen = "127.0.0.1:0", .body_limit = 3 << 20, .io_timeout = 500ms, .http2_handoff = {}},
        [](const notification::server_request&) { return notification::server_response{}; });
    REQUIRE(srv.start());
    raw_client c(srv.port(), false);
    CHECK(c.dribble(endless_headers(), 200ms) > 0);
}
