#include <catch2/catch.hpp>

#include <weir/runtime/work_queue.hpp>

#include <atomic>
#include <thread>

using namespace weir::runtime;
using namespace std::chrono_literals;

TEST_CASE("a key added many times before a worker takes it is handed out once", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.name = "t", .metrics = &reg});
    for (int i = 0; i < 5; ++i) q.add("ns/a");
    q.add("ns/b");
    CHECK(q.len() == 2);
    CHECK(*q.get() == "ns/a");
    CHECK(*q.get() == "ns/b");
    CHECK(q.len() == 0);
}

TEST_CASE("a key re-added while in flight waits for done and is then queued once", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.metrics = &reg});
    q.add("k");
    auto k = q.get();
    q.add("k");
    q.add("k");
    CHECK(q.len() == 0); // not handed to a second worker while the first holds it
    q.done(*k);
    CHECK(q.len() == 1);
    CHECK(*q.get() == "k");
}

TEST_CASE("concurrent workers never hold the same key at once", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.metrics = &reg});
    std::atomic<int> in_flight{0}, overlaps{0}, handled{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&] {
            while (auto key = q.get()) {
                if (++in_flight > 1) ++overlaps;
                std::this_thread::sleep_for(1ms);
                --in_flight;
                ++handled;
                q.done(*key);
            }
        });
    for (int i = 0; i < 200; ++i) q.add("same");
    while (q.len() > 0) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);
    q.shutdown();
    for (auto& t : workers) t.join();
    CHECK(overlaps == 0);
    CHECK(handled >= 1);
}

TEST_CASE("add_after hands keys out in due order and keeps the earliest schedule", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.metrics = &reg});
    q.add_after("late", 60ms);
    q.add_after("early", 10ms);
    q.add_after("late", 500ms); // later than already scheduled: ignored
    CHECK(q.waiting() == 2);
    CHECK(*q.get() == "early");
    CHECK(*q.get() == "late");
}

TEST_CASE("shutdown wakes blocked workers", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.metrics = &reg});
    std::thread t([&] { CHECK_FALSE(q.get()); });
    std::this_thread::sleep_for(10ms);
    q.shutdown();
    t.join();
}

TEST_CASE("per-key backoff doubles from the minimum up to the cap, and forget resets it", "[runtime][backoff]")
{
    item_backoff b({.min_delay = 100ms, .max_delay = 1s, .jitter = 0});
    CHECK(b.next("a") == 100ms);
    CHECK(b.next("a") == 200ms);
    CHECK(b.next("a") == 400ms);
    CHECK(b.next("a") == 800ms);
    CHECK(b.next("a") == 1000ms);
    CHECK(b.next("a") == 1000ms);
    CHECK(b.next("b") == 100ms); // keys back off independently
    b.forget("a");
    CHECK(b.next("a") == 100ms);
}

TEST_CASE("backoff jitter stays within its fraction above the base delay", "[runtime][backoff]")
{
    item_backoff b({.min_delay = 1000ms, .max_delay = 1000ms, .jitter = 0.1}, 42);
    bool varied = false;
    auto first = b.next("k");
    for (int i = 0; i < 50; ++i) {
        auto d = b.next("k");
        CHECK(d >= 1000ms);
        CHECK(d <= 1100ms);
        varied = varied || d != first;
    }
    CHECK(varied);
}

TEST_CASE("add_rate_limited counts retries per key until forget", "[runtime][queue]")
{
    weir::registry reg;
    work_queue q({.backoff = {.min_delay = 1ms, .max_delay = 2ms}, .metrics = &reg});
    q.add_rate_limited("k");
    q.add_rate_limited("k");
    CHECK(q.retries("k") == 2);
    q.forget("k");
    CHECK(q.retries("k") == 0);
    CHECK(*q.get() == "k");
    CHECK(reg.expose().find("workqueue_retries_total{name=\"queue\"} 2") != std::string::npos);
}
