// A plain TCP stream for libgit2 (git://, http://, and under libgit2's TLS stream for https://)
// with TCP_NODELAY and I/O timeouts. libgit2's own socket stream leaves Nagle's algorithm on, and
// the fetch negotiation (want lines, then have lines, then wait) is exactly the write-write-read
// pattern where Nagle meets delayed ACKs: about 40 ms lost per round trip on every fetch.
#include "raii.hpp"

#include <git2/sys/stream.h>

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace weir::git::detail {
namespace {

constexpr int io_timeout_seconds = 120; // a stalled server must not hang a reconcile forever

// The layout of libgit2 1.5's own git_socket_stream: its ssh transport reaches into the stream
// (GIT_CONTAINER_OF) for the file descriptor to hand to libssh2, so ours must look the same.
struct tcp_stream {
    git_stream parent;
    char* host_c;
    char* port_c;
    int fd;
    std::string host, port;
};

void set_error(const std::string& msg) { git_error_set_str(GIT_ERROR_NET, msg.c_str()); }

int connect_one(const addrinfo* ai)
{
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) return -1;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int rc = ::poll(&p, 1, io_timeout_seconds * 1000);
    int err = 0;
    socklen_t len = sizeof err;
    if (rc <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(fd);
        errno = rc == 0 ? ETIMEDOUT : err;
        return -1;
    }
    int flags = 0; // back to blocking, with timeouts
    ::ioctl(fd, FIONBIO, &flags);
    return fd;
}

int s_connect(git_stream* s)
{
    auto* t = reinterpret_cast<tcp_stream*>(s);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(t->host.c_str(), t->port.c_str(), &hints, &res); rc != 0) {
        set_error("failed to resolve address for " + t->host + ": " + gai_strerror(rc));
        return -1;
    }
    int last_errno = 0;
    for (auto* ai = res; ai && t->fd < 0; ai = ai->ai_next) {
        t->fd = connect_one(ai);
        if (t->fd < 0) last_errno = errno;
    }
    ::freeaddrinfo(res);
    if (t->fd < 0) {
        set_error("failed to connect to " + t->host + ":" + t->port + ": " + std::strerror(last_errno));
        return -1;
    }
    int one = 1;
    ::setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{io_timeout_seconds, 0};
    ::setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return 0;
}

ssize_t s_read(git_stream* s, void* buf, size_t len)
{
    auto* t = reinterpret_cast<tcp_stream*>(s);
    for (;;) {
        ssize_t n = ::recv(t->fd, buf, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) set_error(std::string("read from ") + t->host + " failed: " +
                             (errno == EAGAIN ? "timed out" : std::strerror(errno)));
        return n;
    }
}

ssize_t s_write(git_stream* s, const char* data, size_t len, int)
{
    auto* t = reinterpret_cast<tcp_stream*>(s);
    size_t done = 0;
    while (done < len) {
        ssize_t n = ::send(t->fd, data + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            set_error(std::string("write to ") + t->host + " failed: " +
                      (errno == EAGAIN ? "timed out" : std::strerror(errno)));
            return -1;
        }
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

int s_close(git_stream* s)
{
    auto* t = reinterpret_cast<tcp_stream*>(s);
    if (t->fd >= 0) ::close(t->fd);
    t->fd = -1;
    return 0;
}

void s_free(git_stream* s)
{
    auto* t = reinterpret_cast<tcp_stream*>(s);
    s_close(s);
    delete t;
}

int s_init(git_stream** out, const char* host, const char* port)
{
    auto* t = new tcp_stream();
    t->fd = -1;
    t->parent.version = GIT_STREAM_VERSION;
    t->parent.connect = s_connect;
    t->parent.read = s_read;
    t->parent.write = s_write;
    t->parent.close = s_close;
    t->parent.free = s_free;
    t->host = host;
    t->port = port;
    t->host_c = t->host.data();
    t->port_c = t->port.data();
    *out = &t->parent;
    return 0;
}

} // namespace

void register_socket_stream()
{
    git_stream_registration reg{};
    reg.version = GIT_STREAM_VERSION;
    reg.init = s_init;
    git_stream_register(GIT_STREAM_STANDARD, &reg);
}

} // namespace weir::git::detail
