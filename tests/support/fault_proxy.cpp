#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <array>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace weir::test {

namespace {

sockaddr_in loopback(std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

bool write_all(int fd, const char* p, std::size_t n)
{
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

fault_proxy::fault_proxy(std::uint16_t upstream_port) : upstream_port_(upstream_port)
{
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 128) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        ::pipe2(wake_, O_CLOEXEC) != 0)
        throw std::runtime_error("fault_proxy: cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

fault_proxy::~fault_proxy()
{
    (void)!::write(wake_[1], "x", 1);
    acceptor_.join();
    cut();
    for (auto& t : threads_)
        t.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::size_t fault_proxy::cut()
{
    std::lock_guard lock(mu_);
    for (auto [client, upstream] : live_) {
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(upstream, SHUT_RDWR);
    }
    std::size_t n = live_.size();
    live_.clear();
    return n;
}

void fault_proxy::accept_loop()
{
    for (;;) {
        std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        if (fds[1].revents) return;
        int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        std::lock_guard lock(mu_);
        threads_.emplace_back([this, client] { serve(client); });
    }
}

void fault_proxy::serve(int client)
{
    mode m = mode_;
    if (m == mode::refuse) {
        ++faults_;
        ::close(client);
        return;
    }
    if (m == mode::http_500) {
        // Read the request head (the body, if any, is left unread: the answer closes the connection).
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < (64u << 10)) {
            pollfd p{client, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) break;
            ssize_t n = ::recv(client, buf, sizeof buf, 0);
            if (n <= 0) break;
            head.append(buf, static_cast<std::size_t>(n));
        }
        std::string body = R"({"errors":[{"code":"UNKNOWN","message":"fault_proxy: injected 500"}]})";
        std::string resp =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        write_all(client, resp.data(), resp.size());
        ++faults_;
        ::shutdown(client, SHUT_WR);
        ::close(client);
        return;
    }
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(upstream);
        ::close(client);
        return;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
        std::lock_guard lock(mu_);
        live_.emplace_back(client, upstream);
    }
    ++forwarded_;
    pump(client, upstream);
    {
        std::lock_guard lock(mu_);
        live_.remove(std::make_pair(client, upstream));
    }
    ::close(client);
    ::close(upstream);
}

void fault_proxy::pump(int client, int upstream)
{
    char buf[16384];
    bool client_open = true, upstream_open = true;
    while (client_open || upstream_open) {
        std::array<pollfd, 2> fds{{{client, static_cast<short>(client_open ? POLLIN : 0), 0},
                                   {upstream, static_cast<short>(upstream_open ? POLLIN : 0), 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents) continue;
            int from = i == 0 ? client : upstream, to = i == 0 ? upstream : client;
            ssize_t n = ::recv(from, buf, sizeof buf, 0);
            if (n > 0) {
                if (write_all(to, buf, static_cast<std::size_t>(n))) continue;
                return; // the other side is gone
            }
            if (n < 0 || fds[i].revents & (POLLERR | POLLNVAL)) return; // reset or cut: drop both
            (i == 0 ? client_open : upstream_open) = false;             // EOF: half-close
            ::shutdown(to, SHUT_WR);
        }
    }
}

} // namespace weir::test
