#include "cli_manifests.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>

namespace weir::cli {

std::vector<std::pair<std::string, std::string>> dev_health_endpoints(const std::string& kubeconfig_source)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (kubeconfig_source.empty()) return out;
    std::ifstream in(std::filesystem::path(kubeconfig_source).parent_path() / "controllers");
    for (std::string name, address; in >> name >> address;) out.emplace_back(name, address);
    return out;
}

bool health_ready(const std::string& address)
{
    // Loopback only (what dev up writes): "127.0.0.1:<port>".
    auto colon = address.rfind(':');
    if (colon == std::string::npos) return false;
    unsigned port = 0;
    if (std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec != std::errc{}) return false;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) == 1 &&
              ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (ok) {
        std::string req = "GET /readyz HTTP/1.0\r\nHost: " + address + "\r\n\r\n";
        ok = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
    }
    char buf[64] = {};
    ok = ok && ::recv(fd, buf, sizeof buf - 1, 0) > 12 && std::string_view(buf).substr(9, 3) == "200";
    ::close(fd);
    return ok;
}

} // namespace weir::cli
