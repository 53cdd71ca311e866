#include <weir/core/ops_server.hpp>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>

using namespace weir;

namespace {
// A plain HTTP/1.0 GET over a real socket; returns the whole response.
std::string http_get(unsigned short port, const std::string& path)
{
    namespace net = boost::asio;
    net::io_context io;
    net::ip::tcp::socket s(io);
    s.connect({net::ip::make_address("127.0.0.1"), port});
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n";
    net::write(s, net::buffer(req));
    std::string out;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        auto n = s.read_some(net::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}
} // namespace

TEST_CASE("ops server answers health, readiness and metrics on a free port", "[core][ops]")
{
    registry r;
    r.counter("weir_probe_total", "probes").with({}).inc();
    ops_server ops({.listen = "127.0.0.1:0", .metrics = &r});
    REQUIRE(ops.start());
    REQUIRE(ops.port() != 0);
    CHECK(http_get(ops.port(), "/healthz").find("200 OK") != std::string::npos);
    CHECK(http_get(ops.port(), "/readyz").find("503") != std::string::npos);
    ops.set_ready(true);
    CHECK(http_get(ops.port(), "/readyz").find("200 OK") != std::string::npos);
    ops.set_readiness_check([] { return false; });
    CHECK(http_get(ops.port(), "/readyz").find("503") != std::string::npos);
    CHECK(http_get(ops.port(), "/metrics").find("weir_probe_total 1") != std::string::npos);
    CHECK(http_get(ops.port(), "/nope").find("404") != std::string::npos);
    ops.stop();
}

TEST_CASE("listen addresses parse host and port", "[core][ops]")
{
    CHECK(parse_listen_address(":8080")->first == "0.0.0.0");
    CHECK(parse_listen_address("127.0.0.1:9")->second == 9);
    CHECK(parse_listen_address("[::1]:80")->first == "::1");
    CHECK_FALSE(parse_listen_address("nocolon"));
    CHECK_FALSE(parse_listen_address("h:99999"));
}
