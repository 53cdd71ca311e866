#include <catch2/catch.hpp>

#include "unit/kube/fake_http_server.hpp"

#include <weir/kube/rest_mapper.hpp>
#include <weir/runtime/informer.hpp>

#include <atomic>
#include <thread>

using namespace weir;
using namespace weir::runtime;
using weir::test::fake_http_server;
using weir::test::fake_reply;
using weir::test::fake_request;
using namespace std::chrono_literals;

namespace {
const kube::gvk cm{"", "v1", "ConfigMap"};

std::string item(const std::string& name, const std::string& rv, const std::string& shard = "a")
{
    return R"({"metadata":{"name":")" + name + R"(","namespace":"ns","resourceVersion":")" + rv +
           R"(","labels":{"shard":")" + shard + R"("},"managedFields":[{"manager":"kubectl"}]}})";
}

std::shared_ptr<kube::client> client_for(const fake_http_server& server)
{
    kube::config cfg;
    cfg.server = server.url();
    auto c = kube::client::create(cfg, {.qps = 0});
    REQUIRE(c);
    (*c)->mapper().add({"", "v1", "configmaps", "ConfigMap", true});
    return *c;
}

template <class Pred>
bool eventually(Pred pred)
{
    for (int i = 0; i < 500 && !pred(); ++i) std::this_thread::sleep_for(10ms);
    return pred();
}
} // namespace

TEST_CASE("an informer relists on 410 Gone and reports objects that vanished meanwhile", "[runtime][informer]")
{
    std::atomic<int> lists{0}, watches{0};
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target.find("watch=true") != std::string::npos) {
            fake_reply rep;
            if (++watches == 1)
                rep.chunks = {R"({"type":"ERROR","object":{"kind":"Status","reason":"Expired","code":410}})"
                              "\n"};
            else
                rep.chunks = {"\n"}; // an empty stream: the informer re-watches after a pause
            return rep;
        }
        if (++lists == 1) return {200, R"({"metadata":{"resourceVersion":"10"},"items":[)" + item("a", "1") + "," + item("b", "2") + "]}"};
        return {200, R"({"metadata":{"resourceVersion":"20"},"items":[)" + item("a", "1") + "]}"};
    });
    auto client = client_for(server);
    informer inf(client, {.kind = cm, .min_backoff = 5ms, .max_backoff = 20ms});
    std::atomic<int> adds{0}, updates{0}, deletes{0};
    inf.add_handler({.on_add = [&](const object_ptr&) { ++adds; },
                     .on_update = [&](const object_ptr&, const object_ptr&) { ++updates; },
                     .on_delete = [&](const object_ptr&) { ++deletes; }});
    REQUIRE(inf.start());
    REQUIRE(inf.wait_for_sync(5s));
    REQUIRE(eventually([&] { return inf.list_count() >= 2; }));
    inf.stop();
    CHECK(adds == 2);
    CHECK(updates == 0);  // "a" kept its resourceVersion: no spurious update on relist
    CHECK(deletes == 1);  // "b" was deleted while the watch was gone
    CHECK(inf.store().get("ns/a"));
    CHECK_FALSE(inf.store().get("ns/b"));
    CHECK_FALSE(inf.store().get("ns/a")->find_path({"metadata", "managedFields"}));
    auto reqs = server.requests();
    bool resumed = false;
    for (auto& r : reqs) resumed = resumed || r.target.find("resourceVersion=10") != std::string::npos;
    CHECK(resumed); // the first watch started from the list's resourceVersion
}

TEST_CASE("an object relabelled out of the selector is deleted from the shard's cache", "[runtime][informer]")
{
    std::atomic<int> watches{0};
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target.find("watch=true") != std::string::npos) {
            fake_reply rep;
            if (++watches == 1)
                rep.chunks = {R"({"type":"MODIFIED","object":)" + item("a", "11", "b") + "}\n"};
            else
                rep.chunks = {"\n"};
            return rep;
        }
        return {200, R"({"metadata":{"resourceVersion":"10"},"items":[)" + item("a", "1") + "]}"};
    });
    auto client = client_for(server);
    informer inf(client, {.kind = cm, .label_selector = "shard=a", .min_backoff = 5ms, .max_backoff = 20ms});
    std::atomic<int> deletes{0};
    inf.add_handler({.on_delete = [&](const object_ptr&) { ++deletes; }});
    REQUIRE(inf.start());
    REQUIRE(inf.wait_for_sync(5s));
    REQUIRE(eventually([&] { return deletes == 1; }));
    CHECK(inf.store().size() == 0);
    inf.stop();
    CHECK(server.requests()[0].target.find("labelSelector=shard%3Da") != std::string::npos);
}

TEST_CASE("an informer with a bad label selector does not start", "[runtime][informer]")
{
    fake_http_server server([](const fake_request&) { return fake_reply{}; });
    informer inf(client_for(server), {.kind = cm, .label_selector = "a in b"});
    auto s = inf.start();
    REQUIRE_FALSE(s);
    CHECK(s.err().terminal());
}
