// libs/runtime figures: cache memory per 1 KiB object, informer list and watch throughput for
// 10,000 objects against a real weir-apiserver, no-op reconciles per second, and the RSS of the
// idle example controller. Not a test: it prints figures.
//
//   runtime_bench [objects]
#include "support/apiserver_process.hpp"

#include <weir/core/json.hpp>
#include <weir/core/log.hpp>
#include <weir/runtime/manager.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <thread>

extern char** environ;

using namespace weir;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

const kube::gvk cm{"", "v1", "ConfigMap"};

// A ConfigMap of about 1 KiB as the API server returns it.
std::string object_json(int i)
{
    std::string data;
    for (int k = 0; k < 12; ++k) data += fmt::format(R"("key-{}":"{}",)", k, std::string(48, static_cast<char>('a' + k)));
    data.pop_back();
    return fmt::format(R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"obj-{:05}","namespace":"bench",)"
                       R"("uid":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","resourceVersion":"{}","creationTimestamp":"2026-11-22T10:00:00Z",)"
                       R"("labels":{{"app":"bench","tier":"backend"}},"annotations":{{"owner":"team-a"}}}},"data":{{{}}}}})",
                       i, 1000 + i, data);
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

void cache_memory(int n)
{
    std::vector<std::string> texts;
    for (int i = 0; i < n; ++i) texts.push_back(object_json(i));
    std::size_t json_bytes = 0;
    for (auto& t : texts) json_bytes += t.size();
    malloc_trim(0);
    double json = double(json_bytes) / n;
    for (bool compacted : {false, true}) {
        auto before = heap_in_use();
        auto* store = new runtime::object_store;
        for (auto& t : texts) {
            value v = *parse_json(t);
            store->upsert(std::make_shared<const value>(compacted ? runtime::compact(std::move(v)) : std::move(v)));
        }
        auto after = heap_in_use();
        double per = double(after - before) / n;
        fmt::print("cache{}: {} objects of {:.0f} B JSON: {:.0f} B per object in memory ({:.0f} B over the JSON size)\n",
                   compacted ? " (compacted, as informers store them)" : " (as parsed)", n, json, per, per - json);
        delete store;
        malloc_trim(0);
    }
}

long rss_kib(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

void create_objects(kube::client& c, int n)
{
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i; (i = next++) < n;) {
                value obj = *parse_json(object_json(i));
                obj["metadata"].as_object().erase("resourceVersion");
                obj["metadata"].as_object().erase("uid");
                obj["metadata"].as_object().erase("creationTimestamp");
                if (auto r = c.create(obj); !r) fmt::print("create failed: {}\n", r.err().message);
            }
        });
    for (auto& t : threads) t.join();
}

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

} // namespace

int main(int argc, char** argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 10000;
    configure_logging(log_level::error, log_encoding::json);
    cache_memory(n);

    test::apiserver_process api(WEIR_APISERVER_BIN);
    if (auto s = api.start(); !s) {
        fmt::print("cannot start weir-apiserver: {}\n", s.err().message);
        return 1;
    }
    auto client = *kube::client::create(*api.config(), {.qps = 0, .burst = 1000});
    value ns = *parse_json(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}})");
    (void)client->create(ns);
    auto t0 = clock_type::now();
    create_objects(*client, n);
    fmt::print("setup: created {} ConfigMaps in {:.1f} s ({:.0f}/s over 8 client threads)\n", n, seconds_since(t0),
               n / seconds_since(t0));

    {
        runtime::informer inf(client, {.kind = cm, .namespace_ = "bench"});
        std::atomic<int> updates{0};
        inf.add_handler({.on_update = [&](const kube::object_ptr&, const kube::object_ptr&) { ++updates; }});
        auto t = clock_type::now();
        (void)inf.start();
        inf.wait_for_sync(120s);
        double list_s = seconds_since(t);
        fmt::print("informer: initial list of {} objects (pages of 500) synced in {:.2f} s ({:.0f} objects/s)\n",
                   inf.store().size(), list_s, inf.store().size() / list_s);
        int m = std::min(n, 2000);
        t = clock_type::now();
        std::atomic<int> next{0};
        std::vector<std::thread> writers;
        for (int w = 0; w < 8; ++w)
            writers.emplace_back([&] {
                for (int i; (i = next++) < m;)
                    (void)client->patch(cm, "bench", fmt::format("obj-{:05}", i), kube::patch_type::merge,
                                        R"({"metadata":{"labels":{"touched":"yes"}}})");
            });
        for (auto& w : writers) w.join();
        while (updates < m && seconds_since(t) < 60) std::this_thread::sleep_for(1ms);
        fmt::print("informer: {} watch events applied {:.2f} s after the first patch ({:.0f} events/s, bound by the writers)\n",
                   updates.load(), seconds_since(t), updates / seconds_since(t));
    }

    {
        runtime::controller_options o;
        o.name = "bench";
        o.concurrent = 4;
        o.metrics_addr = o.health_addr = "";
        o.handle_signals = false;
        runtime::manager mgr(client, o);
        std::atomic<int> reconciles{0};
        auto& ctl = mgr.add_controller({.name = "noop", .kind = cm, .reconcile = [&](const runtime::request&) {
                                            ++reconciles;
                                            return result<runtime::action>(runtime::action::await_change());
                                        }});
        std::thread runner([&] { (void)mgr.run(); });
        while (!mgr.started()) std::this_thread::sleep_for(1ms);
        while (reconciles < n) std::this_thread::sleep_for(1ms); // the initial add of every object
        int rounds = 5;
        auto keys = ctl.cache().keys();
        auto t = clock_type::now();
        for (int r = 0; r < rounds; ++r) {
            // A round starts once the previous one finished: a key re-added while in flight is
            // (correctly) merged into one more reconcile, which would skew the count.
            int target = reconciles + static_cast<int>(keys.size());
            for (auto& k : keys) ctl.enqueue(runtime::request::from_key(k));
            while (reconciles < target && seconds_since(t) < 60) std::this_thread::sleep_for(50us);
        }
        fmt::print("controller: {} no-op reconciles in {:.2f} s on 4 workers ({:.0f} reconciles/s, cache lookups and metrics included)\n",
                   rounds * keys.size(), seconds_since(t), rounds * keys.size() / seconds_since(t));
        mgr.stop();
        runner.join();
    }

    // The idle example controller process.
    std::vector<std::string> args{WEIR_EXAMPLE_BIN, "--kubeconfig", api.kubeconfig_path().string(), "--metrics-addr=127.0.0.1:0",
                                  "--health-addr=127.0.0.1:0", "--log-level=error"};
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    value crd = *parse_json(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
     "metadata":{"name":"configcopies.test.weir.dev"},"spec":{"group":"test.weir.dev","scope":"Namespaced",
      "names":{"kind":"ConfigCopy","plural":"configcopies","singular":"configcopy","listKind":"ConfigCopyList"},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
       "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
    (void)client->create(crd);
    std::this_thread::sleep_for(500ms);
    pid_t pid = 0;
    if (posix_spawn(&pid, WEIR_EXAMPLE_BIN, nullptr, nullptr, av.data(), environ) == 0) {
        std::this_thread::sleep_for(3s);
        fmt::print("example controller: idle RSS {:.1f} MiB (watching ConfigCopies and {} ConfigMaps)\n", rss_kib(pid) / 1024.0, n);
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
    }
    return 0;
}
