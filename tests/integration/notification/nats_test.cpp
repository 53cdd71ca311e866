// The nats provider against a loopback server speaking the NATS client protocol as documented
// (INFO first; the client's CONNECT, PUB <subject> <#bytes> with the payload, PING answered by
// PONG, or -ERR): what reaches the server is checked line by line.
#include "nats_client.hpp"
#include "providers/provider.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace weir;
using namespace weir::notification;

namespace {

// Accepts one client, greets it with `info`, records what it sends up to its PING, then answers
// `reply` ("PONG" or an -ERR line).
class fake_nats {
public:
    fake_nats(std::string info, std::string reply) : info_(std::move(info)), reply_(std::move(reply))
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(fd_, 1);
        thread_ = std::thread([this] { serve(); });
    }
    ~fake_nats()
    {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
    std::string received()
    {
        thread_.join();
        thread_ = std::thread([] {});
        return received_;
    }

private:
    void serve()
    {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string greet = info_ + "\r\n";
        ::send(c, greet.data(), greet.size(), MSG_NOSIGNAL);
        char buf[4096];
        while (received_.find("PING\r\n") == std::string::npos) {
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            received_.append(buf, static_cast<std::size_t>(n));
        }
        std::string answer = reply_ + "\r\n";
        ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        ::close(c);
    }

    std::string info_, reply_, received_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

const std::string info =
    R"(INFO {"server_id":"NTEST","version":"2.10.0","go":"go1.22","host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576,"proto":1})";

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
