// A loopback stand-in for a NATS server (the client protocol as documented): it greets one client
// with INFO, records what the client sends up to its PING, then answers PONG or an -ERR line.
#pragma once

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace weir::test {

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

inline const std::string nats_info =
    R"(INFO {"server_id":"NTEST","version":"2.10.0","go":"go1.22","host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576,"proto":1})";

} // namespace weir::test
