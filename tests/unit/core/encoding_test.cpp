#include <weir/core/encoding.hpp>

#include <catch2/catch.hpp>

using namespace weir;

TEST_CASE("base64 round-trips every length and reads unpadded and wrapped input", "[core][encoding]")
{
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        auto back = base64_decode(base64_encode(bytes));
        REQUIRE(back);
        CHECK(*back == bytes);
        bytes += static_cast<char>(i * 7);
    }
    CHECK(base64_encode("hello") == "aGVsbG8=");
    CHECK(*base64_decode("aGVsbG8") == "hello");
    CHECK(*base64_decode("aGVs\nbG8=\n") == "hello");
}

TEST_CASE("base64 rejects characters outside the alphabet with their offset", "[core][encoding]")
{
    auto r = base64_decode("aGV*bG8=");
    REQUIRE_FALSE(r);
    CHECK(r.err().message == "invalid base64 at offset 3");
    CHECK_FALSE(base64_decode("aGVsbG8=x"));
}

TEST_CASE("hex encodes bytes lower-case", "[core][encoding]") { CHECK(hex_encode("\x01\xab") == "01ab"); }
