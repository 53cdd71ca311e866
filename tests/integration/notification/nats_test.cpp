// The nats provider against a loopback server speaking the NATS client protocol as documented
// (INFO first; the client's CONNECT, PUB <subject> <#bytes> with the payload, PING answered by
// PONG, or -ERR): what reaches the server is checked line by line.
#include "nats_client.hpp"
#include "nats_server.hpp"
#include "providers/provider.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::notification;

namespace {

using test::fake_nats;
const std::string info = test::nats_info;

eventsink::flux_event sample()
{
    eventsink::flux_event ev;
    ev.involved_object = {"Kustomization", "apps", "webapp", "uid-1", "kustomize.toolkit.fluxcd.io/v1", "1"};
    ev.severity = "error";
    ev.timestamp = "2026-11-22T10:00:00Z";
    ev.message = "apply failed";
    ev.reason = "ReconciliationFailed";
    ev.reporting_controller = "kustomize-controller";
    return ev;
}

http_request nats_request(const provider_config& cfg)
{
    auto reqs = build_requests(cfg, sample());
    REQUIRE(reqs);
    REQUIRE(reqs->size() == 1);
    return reqs->front();
}

} // namespace

TEST_CASE("nats: the event JSON is published on the channel subject with the Secret's user and password",
          "[notification][nats]")
{
    fake_nats server(info, "PONG");
    provider_config cfg{.type = "nats",
                        .address = server.url(),
                        .channel = "flux.alerts",
                        .username = "flux",
                        .password = "s3cret"};
    auto sent = nats_publish(nats_request(cfg), {.timeout = std::chrono::seconds(5)});
    REQUIRE(sent);
    CHECK(sent->status == 200);
    std::string got = server.received();
    auto connect_end = got.find("\r\n");
    REQUIRE(got.starts_with("CONNECT "));
    auto connect = parse_json(got.substr(8, connect_end - 8));
    REQUIRE(connect);
    CHECK(connect->get_string("user") == "flux");
    CHECK(connect->get_string("pass") == "s3cret");
    CHECK(connect->find("verbose")->as_bool() == false);
    std::string body = sample().to_json();
    CHECK(got.substr(connect_end + 2) ==
          "PUB flux.alerts " + std::to_string(body.size()) + "\r\n" + body + "\r\nPING\r\n");
}

TEST_CASE("nats: a token goes as auth_token, credentials in the URL are used, and -ERR is a terminal failure",
          "[notification][nats]")
{
    {
        fake_nats server(info, "PONG");
        auto sent = nats_publish(
            nats_request({.type = "nats", .address = server.url(), .channel = "s", .token = "t0k"}),
            {.timeout = std::chrono::seconds(5)});
        REQUIRE(sent);
        auto got = server.received();
        auto connect = parse_json(got.substr(8, got.find("\r\n") - 8));
        REQUIRE(connect);
        CHECK(connect->get_string("auth_token") == "t0k");
        CHECK(connect->find("user") == nullptr);
    }
    {
        fake_nats server(info, "PONG");
        std::string url = "nats://bob:pw@" + server.url().substr(7);
        REQUIRE(nats_publish(nats_request({.type = "nats", .address = url, .channel = "s"}), {}));
        auto got = server.received();
        CHECK(got.find(R"("user":"bob")") != std::string::npos);
        CHECK(got.find(R"("pass":"pw")") != std::string::npos);
    }
    {
        fake_nats server(info, "-ERR 'Authorization Violation'");
        auto sent = nats_publish(nats_request({.type = "nats", .address = server.url(), .channel = "s"}), {});
        REQUIRE(!sent);
        CHECK(sent.err().terminal());
        CHECK(sent.err().message.find("Authorization Violation") != std::string::npos);
    }
}

TEST_CASE("nats: a server that requires TLS, a missing subject and a server that is down are reported",
          "[notification][nats]")
{
    {
        fake_nats server(R"(INFO {"server_id":"T","tls_required":true})", "PONG");
        auto sent = nats_publish(nats_request({.type = "nats", .address = server.url(), .channel = "s"}), {});
        REQUIRE(!sent);
        CHECK(sent.err().message.find("requires TLS") != std::string::npos);
    }
    CHECK(!build_requests({.type = "nats", .address = "nats://127.0.0.1:4222"}, sample()));
    auto down =
        nats_publish(nats_request({.type = "nats", .address = "nats://127.0.0.1:1", .channel = "s"}), {});
    REQUIRE(!down);
    CHECK(!down.err().terminal()); // retried with backoff
}
