#include "helpers.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/fetcher.hpp>
#include <weir/artifact/file_server.hpp>
#include <weir/artifact/storage.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace weir::artifact;
using namespace weir::test;

TEST_CASE("the file server serves storage files with ETag and HEAD and Range and 304", "[artifact][server]")
{
    scratch_dir d;
    write_text(d / "data/gitrepository/ns/app/a.tar.gz", "0123456789");
    file_server srv(d / "data");
    REQUIRE(srv.start());
    auto p = srv.port();

    auto r = http_request(p, "GET", "/gitrepository/ns/app/a.tar.gz");
    CHECK(r.status == 200);
    CHECK(r.body == "0123456789");
    CHECK(r.headers["Content-Type"] == "application/gzip");
    auto etag = r.headers["ETag"];
    REQUIRE(etag.size() > 2);

    auto h = http_request(p, "HEAD", "/gitrepository/ns/app/a.tar.gz");
    CHECK(h.status == 200);
    CHECK(h.headers["Content-Length"] == "10");
    CHECK(h.headers["ETag"] == etag);

    CHECK(http_request(p, "GET", "/gitrepository/ns/app/a.tar.gz", {{"If-None-Match", etag}}).status == 304);
    auto part = http_request(p, "GET", "/gitrepository/ns/app/a.tar.gz", {{"Range", "bytes=2-4"}});
    CHECK(part.status == 206);
    CHECK(part.body == "234");
    CHECK(part.headers["Content-Range"] == "bytes 2-4/10");
    CHECK(http_request(p, "GET", "/gitrepository/ns/app/a.tar.gz", {{"Range", "bytes=-3"}}).body == "789");
    CHECK(http_request(p, "GET", "/gitrepository/ns/app/a.tar.gz", {{"Range", "bytes=20-"}}).status == 416);
    CHECK(http_request(p, "POST", "/gitrepository/ns/app/a.tar.gz").status == 405);
}

TEST_CASE("the file server answers 404 for missing files and traversal and private paths", "[artifact][server]")
{
    scratch_dir d;
    write_text(d / "data/k/ns/n/f.tar.gz", "x");
    write_text(d / "secret", "do not serve");
    write_text(d / "data/.blobs/sha256/abc", "x");
    fs::create_symlink(d / "secret", d / "data/k/ns/n/link");
    file_server srv(d / "data");
    REQUIRE(srv.start());
    auto p = srv.port();
    for (const char* t : {"/k/ns/n/missing", "/../secret", "/k/../../secret", "/%2e%2e/secret", "/k/ns/n/%2e%2e/%2e%2e/%2e%2e/../secret",
                          "/.blobs/sha256/abc", "/k/ns/n/link", "/k/ns/n", "/", "/k//ns/n/f.tar.gz"}) {
        INFO(t);
        auto r = http_request(p, "GET", t);
        CHECK(r.status == 404);
        CHECK(r.body.find("do not serve") == std::string::npos);
    }
}

TEST_CASE("the fetcher downloads and verifies the digest and extracts the artifact", "[artifact][fetch]")
{
    scratch_dir d;
    write_text(d / "src/app/deploy.yaml", "kind: Deployment\n");
    storage st(d / "data", "unused");
    auto art = st.archive({"gitrepository", "ns", "app"}, "r.tar.gz", d / "src");
    REQUIRE(art);
    file_server srv(d / "data");
    REQUIRE(srv.start());
    auto url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/" + art->path;
    auto got = fetch_artifact(url, art->digest, d / "out");
    REQUIRE(got);
    CHECK(got->digest == art->digest);
    CHECK(got->size == art->size);
    CHECK(read_text(d / "out/app/deploy.yaml") == "kind: Deployment\n");
}

TEST_CASE("a digest mismatch is a transient error and keeps the previous extraction", "[artifact][fetch]")
{
    scratch_dir d;
    write_text(d / "src/a.yaml", "new\n");
    storage st(d / "data", "unused");
    auto art = st.archive({"gitrepository", "ns", "app"}, "r.tar.gz", d / "src");
    REQUIRE(art);
    file_server srv(d / "data");
    REQUIRE(srv.start());
    write_text(d / "out/a.yaml", "old\n");
    auto url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/" + art->path;
    auto wrong = digest_of("something else");
    auto got = fetch_artifact(url, wrong, d / "out");
    REQUIRE_FALSE(got);
    CHECK_FALSE(got.err().terminal());
    CHECK(got.err().reason == "ArtifactVerificationFailed");
    CHECK(got.err().message.find(wrong) != std::string::npos);
    CHECK(read_text(d / "out/a.yaml") == "old\n");

    auto missing = fetch_artifact(url + ".nope", art->digest, d / "out");
    REQUIRE_FALSE(missing);
    CHECK(missing.err().code == 404);
    CHECK(read_text(d / "out/a.yaml") == "old\n");
}

TEST_CASE("a truncated download is a transient error and keeps the previous extraction", "[artifact][fetch]")
{
    namespace net = boost::asio;
    scratch_dir d;
    net::io_context ioc;
    net::ip::tcp::acceptor acc(ioc, {net::ip::make_address("127.0.0.1"), 0});
    auto port = acc.local_endpoint().port();
    std::thread liar([&] {
        auto s = acc.accept();
        boost::beast::flat_buffer buf;
        boost::beast::http::request<boost::beast::http::empty_body> req;
        boost::beast::http::read(s, buf, req);
        std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'x');
        net::write(s, net::buffer(head));
        s.close(); // stop half way
    });
    write_text(d / "out/a.yaml", "old\n");
    auto got = fetch_artifact("http://127.0.0.1:" + std::to_string(port) + "/x.tar.gz", digest_of("x"), d / "out");
    liar.join();
    REQUIRE_FALSE(got);
    CHECK_FALSE(got.err().terminal());
    CHECK(got.err().message.find("truncated") != std::string::npos);
    CHECK(read_text(d / "out/a.yaml") == "old\n");
}

TEST_CASE("an unreachable artifact server is a transient error", "[artifact][fetch]")
{
    namespace net = boost::asio;
    net::io_context ioc;
    unsigned short port;
    {
        net::ip::tcp::acceptor acc(ioc, {net::ip::make_address("127.0.0.1"), 0});
        port = acc.local_endpoint().port();
    }
    scratch_dir d;
    auto got = fetch_artifact("http://127.0.0.1:" + std::to_string(port) + "/x.tar.gz", "", d / "out");
    REQUIRE_FALSE(got);
    CHECK_FALSE(got.err().terminal());
    CHECK(got.err().message.find("cannot connect") != std::string::npos);
}

TEST_CASE("a download over the size limit is refused and keeps the previous extraction", "[artifact][fetch]")
{
    scratch_dir d;
    write_text(d / "data/k/ns/n/big.tar.gz", std::string(1 << 20, 'x'));
    file_server srv(d / "data");
    REQUIRE(srv.start());
    write_text(d / "out/a.yaml", "old\n");
    auto url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/k/ns/n/big.tar.gz";
    auto got = fetch_artifact(url, "", d / "out", {.max_download_bytes = 1000});
    REQUIRE_FALSE(got);
    CHECK(got.err().reason == "ArtifactTooLarge");
    CHECK(read_text(d / "out/a.yaml") == "old\n");
}
