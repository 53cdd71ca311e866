#include <catch2/catch.hpp>

#include "detail/transport.hpp"

using weir::kube::detail::rate_limiter;
using namespace std::chrono_literals;

TEST_CASE("the rate limiter lets a burst through and then spaces requests at 1/qps", "[kube][ratelimit]")
{
    rate_limiter limiter(10, 3);
    CHECK(limiter.reserve() == 0ns);
    CHECK(limiter.reserve() == 0ns);
    CHECK(limiter.reserve() == 0ns);
    auto fourth = limiter.reserve();
    CHECK(fourth > 0ns);
    CHECK(fourth <= 100ms);
    auto fifth = limiter.reserve(); // reservations queue up behind each other
    CHECK(fifth > fourth);
    CHECK(fifth <= 200ms);
}

TEST_CASE("a qps of zero disables rate limiting", "[kube][ratelimit]")
{
    rate_limiter limiter(0, 1);
    for (int i = 0; i < 100; ++i) CHECK(limiter.reserve() == 0ns);
}
