// A TCP proxy on loopback that injects network faults between a client and a real server, for the
// chaos tests: cut every connection in flight (a watch stream dropped by a load balancer or a
// NAT timeout, while the server stays up), refuse new connections, or answer every new request
// with an HTTP 500 (a registry having a bad day).
//
//   test::fault_proxy proxy(api.port());       // forwards 127.0.0.1:<proxy.port()> -> upstream
//   proxy.set_mode(test::fault_proxy::mode::refuse);
//   proxy.cut();                               // every open connection closed, both sides
//   proxy.set_mode(test::fault_proxy::mode::forward);
//
// One thread accepts, one per connection pumps bytes; all are joined in the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

namespace weir::test {

class fault_proxy {
public:
    enum class mode {
        forward,  // pass bytes both ways
        refuse,   // accept and close at once (the client sees a reset / EOF)
        http_500, // read the request head, answer 500 Internal Server Error, close
    };

    explicit fault_proxy(std::uint16_t upstream_port);
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    std::uint16_t port() const { return port_; }
    void set_mode(mode m) { mode_ = m; }
    // Closes every connection in flight (both sides); returns how many there were.
    std::size_t cut();
    // Connections refused or answered with a 500 so far: proof that the fault was met.
    std::size_t faults() const { return faults_; }
    // Connections forwarded so far.
    std::size_t forwarded() const { return forwarded_; }

private:
    void accept_loop();
    void serve(int client);
    void pump(int client, int upstream);

    std::uint16_t upstream_port_;
    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    std::atomic<mode> mode_{mode::forward};
    std::atomic<std::size_t> faults_{0}, forwarded_{0};
    std::mutex mu_;
    std::list<std::pair<int, int>> live_; // client, upstream fds of forwarded connections
    std::list<std::thread> threads_;
    std::thread acceptor_;
};

} // namespace weir::test
