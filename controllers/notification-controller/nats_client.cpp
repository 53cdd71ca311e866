#include "nats_client.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <memory>
#include <netdb.h>
#include <optional>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace weir::notification {
namespace {

struct fd_closer {
    int fd = -1;
    ~fd_closer()
    {
        if (fd >= 0) ::close(fd);
    }
};

error failed(std::string_view url, std::string what)
{
    return transient_error(fmt::format("nats {}: {}", url, what), "NATSPublishFailed");
}

struct nats_url {
    std::string host, port = "4222", user, pass;
};

// nats://[user[:pass]@]host[:port][/]; IPv6 hosts in brackets.
std::optional<nats_url> parse_nats_url(std::string_view url)
{
    std::string_view rest;
    for (std::string_view scheme : {"nats://", "tcp://"})
        if (url.starts_with(scheme)) rest = url.substr(scheme.size());
    if (rest.empty()) return std::nullopt;
    rest = rest.substr(0, rest.find('/'));
    nats_url u;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view cred = rest.substr(0, at);
        u.user = std::string(cred.substr(0, cred.find(':')));
        if (auto colon = cred.find(':'); colon != std::string_view::npos)
            u.pass = std::string(cred.substr(colon + 1));
        rest = rest.substr(at + 1);
    }
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
        u.port = std::string(rest.substr(colon + 1));
        rest = rest.substr(0, colon);
    }
    if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']') rest = rest.substr(1, rest.size() - 2);
    u.host = std::string(rest);
    if (u.host.empty() || u.port.empty()) return std::nullopt;
    return u;
}

result<int> dial(const nats_url& u, std::chrono::milliseconds timeout, std::string_view url)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &found); rc != 0)
        return failed(url, std::string("cannot resolve host: ") + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
        ::close(fd);
    }
    return failed(url, "cannot connect");
}

// The next protocol line (without CRLF); `buffer` keeps what was read past it.
result<std::string> read_line(int fd, std::string& buffer, std::string_view url)
{
    for (;;) {
        if (auto eol = buffer.find("\r\n"); eol != std::string::npos) {
            std::string line = buffer.substr(0, eol);
            buffer.erase(0, eol + 2);
            return line;
        }
        if (buffer.size() > (1 << 20)) return failed(url, "protocol line too long");
        char chunk[4096];
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return failed(url, n == 0 ? "connection closed by the server" : "read timed out");
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

status write_all(int fd, std::string_view data, std::string_view url)
{
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return failed(url, "write failed");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
}

} // namespace

result<http_response> nats_publish(const http_request& req, const http_client_options& options)
{
    auto u = parse_nats_url(req.url);
    if (!u)
        return terminal_error(fmt::format("nats address '{}' must be nats://host[:port]", req.url),
                              "InvalidProvider");
    std::string subject = req.header("subject");
    if (subject.empty() || subject.find_first_of(" \t\r\n") != std::string::npos)
        return terminal_error(
            fmt::format("nats subject '{}' must be a non-empty word (spec.channel)", subject),
            "InvalidProvider");
    WEIR_TRY_ASSIGN(int raw, dial(*u, options.timeout, req.url));
    fd_closer fd{raw};
    std::string buffer;
    WEIR_TRY_ASSIGN(auto info, read_line(fd.fd, buffer, req.url));
    if (!info.starts_with("INFO "))
        return failed(req.url, "not a NATS server (no INFO): " + info.substr(0, 80));
    auto server = parse_json(std::string_view(info).substr(5), {.max_depth = 16});
    if (const value* tls = server ? server->find("tls_required") : nullptr;
        tls && tls->is_bool() && tls->as_bool())
        return terminal_error(
            fmt::format("nats server {} requires TLS, which weir's nats provider does not speak", req.url),
            "InvalidProvider");
    value connect =
        object{{"verbose", false},  {"pedantic", false}, {"lang", "cpp"},
               {"version", "weir"}, {"protocol", 1},     {"name", "weir-notification-controller"}};
    std::string user = req.header("nats-user").empty() ? u->user : req.header("nats-user");
    if (!user.empty()) {
        connect["user"] = user;
        connect["pass"] = req.header("nats-user").empty() ? u->pass : req.header("nats-pass");
    }
    if (std::string token = req.header("nats-token"); !token.empty()) connect["auth_token"] = token;
    std::string out = "CONNECT " + to_json(connect) + "\r\n" +
                      fmt::format("PUB {} {}\r\n", subject, req.body.size()) + req.body + "\r\nPING\r\n";
    WEIR_TRY(write_all(fd.fd, out, req.url));
    for (;;) {
        WEIR_TRY_ASSIGN(auto line, read_line(fd.fd, buffer, req.url));
        if (line == "PONG") return http_response{200, ""};
        if (line.starts_with("-ERR"))
            return terminal_error(
                fmt::format("nats server {} refused the publish: {}", req.url, line.substr(4)),
                "NATSPublishFailed");
        if (line == "PING") WEIR_TRY(write_all(fd.fd, "PONG\r\n", req.url));
        // +OK and INFO updates need no answer.
    }
}

} // namespace weir::notification
