#include <catch2/catch.hpp>

#include <weir/runtime/options.hpp>

using namespace weir::runtime;
using namespace std::chrono_literals;

TEST_CASE("Flux controller flags parse in both --flag=value and --flag value forms", "[runtime][options]")
{
    const char* argv[] = {"ctl", "--concurrent=8", "--watch-all-namespaces=false", "--watch-label-selector",
                          "sharding.fluxcd.io/key=shard1", "--metrics-addr=:9090", "--health-addr", ":9441",
                          "--enable-leader-election", "--log-level=debug", "--log-encoding=console",
                          "--kube-api-qps=20.5", "--kube-api-burst=40", "--leader-election-lease-duration=10s",
                          "--min-retry-delay=1s", "--max-retry-delay=5m"};
    auto o = parse_flags(std::size(argv), argv, {.name = "test-controller"});
    REQUIRE(o);
    CHECK(o->name == "test-controller");
    CHECK(o->concurrent == 8);
    CHECK_FALSE(o->watch_all_namespaces);
    CHECK(o->watch_label_selector == "sharding.fluxcd.io/key=shard1");
    CHECK(o->metrics_addr == ":9090");
    CHECK(o->health_addr == ":9441");
    CHECK(o->enable_leader_election);
    CHECK(o->log_level == "debug");
    CHECK(o->log_encoding == "console");
    CHECK(o->kube_api_qps == 20.5);
    CHECK(o->kube_api_burst == 40);
    CHECK(o->lease_duration == 10s);
    CHECK(o->min_retry_delay == 1s);
    CHECK(o->max_retry_delay == 5min);
}

TEST_CASE("defaults follow Flux", "[runtime][options]")
{
    const char* argv[] = {"ctl"};
    auto o = parse_flags(1, argv);
    REQUIRE(o);
    CHECK(o->concurrent == 4);
    CHECK(o->watch_all_namespaces);
    CHECK(o->metrics_addr == ":8080");
    CHECK(o->health_addr == ":9440");
    CHECK_FALSE(o->enable_leader_election);
    CHECK(o->kube_api_qps == 50);
    CHECK(o->kube_api_burst == 300);
    CHECK(o->min_retry_delay == 750ms);
    CHECK(o->max_retry_delay == 15min);
}

TEST_CASE("unknown flags go to the controller's own list or are an error", "[runtime][options]")
{
    const char* argv[] = {"ctl", "--storage-path=/data", "--concurrent", "2", "positional"};
    std::vector<std::string> rest;
    auto o = parse_flags(std::size(argv), argv, {}, &rest);
    REQUIRE(o);
    CHECK(o->concurrent == 2);
    CHECK(rest == std::vector<std::string>{"--storage-path=/data", "positional"});
    auto strict = parse_flags(std::size(argv), argv);
    REQUIRE_FALSE(strict);
    CHECK(strict.err().message == "unknown flag --storage-path");
}

TEST_CASE("bad flag values are terminal errors naming the flag", "[runtime][options]")
{
    const char* bad_number[] = {"ctl", "--concurrent=lots"};
    auto a = parse_flags(2, bad_number);
    REQUIRE_FALSE(a);
    CHECK(a.err().message.find("--concurrent") != std::string::npos);
    const char* bad_bool[] = {"ctl", "--enable-leader-election=maybe"};
    CHECK_FALSE(parse_flags(2, bad_bool));
    const char* bad_duration[] = {"ctl", "--min-retry-delay=soon"};
    CHECK_FALSE(parse_flags(2, bad_duration));
    const char* missing[] = {"ctl", "--metrics-addr"};
    CHECK_FALSE(parse_flags(2, missing));
}

TEST_CASE("flag_set parses a controller's own flags in both forms and names the bad one", "[runtime][options]")
{
    std::string path = "/data";
    bool strict = false;
    std::chrono::milliseconds requeue{30'000};
    std::size_t keep = 2;
    flag_set own;
    own.string("storage-path", path, "where")
        .boolean("no-cross-namespace-refs", strict, "strict")
        .duration("requeue-dependency", requeue, "requeue")
        .count("artifact-retention-records", keep, "keep");
    REQUIRE(own.parse({"--storage-path", "/srv", "--no-cross-namespace-refs", "--requeue-dependency=5s",
                       "--artifact-retention-records", "4"}));
    CHECK(path == "/srv");
    CHECK(strict);
    CHECK(requeue == std::chrono::seconds(5));
    CHECK(keep == 4);
    REQUIRE(own.parse({"--no-cross-namespace-refs", "false"}));
    CHECK_FALSE(strict);

    auto unknown = own.parse({"--storage-paht=/x"});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.err().message == "unknown flag --storage-paht");
    CHECK(unknown.err().terminal());
    auto zero = own.parse({"--artifact-retention-records=0"});
    REQUIRE_FALSE(zero);
    CHECK(zero.err().message.find("--artifact-retention-records") != std::string::npos);
    auto missing = own.parse({"--storage-path"});
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message == "flag --storage-path needs a value");
    CHECK(own.usage().find("--requeue-dependency value") != std::string::npos);
}

TEST_CASE("a --help flag passes the common flags on and the controller's own flag set answers with both lists",
          "[runtime][options]")
{
    const char* argv[] = {"ctl", "--concurrent=3", "--help"};
    std::vector<std::string> rest;
    auto o = parse_flags(std::size(argv), argv, {.name = "test-controller"}, &rest);
    REQUIRE(o);
    REQUIRE(rest == std::vector<std::string>{"--help"});
    std::string storage;
    flag_set own;
    own.string("storage-path", storage, "The local storage path.");
    auto s = own.parse(rest);
    REQUIRE_FALSE(s);
    CHECK(s.err().reason == "Help");
    CHECK(s.err().message.find("--storage-path value") != std::string::npos);
    CHECK(s.err().message.find("--concurrent value") != std::string::npos);
}
