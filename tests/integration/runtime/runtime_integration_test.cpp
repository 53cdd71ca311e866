// The runtime against a real weir-apiserver, driven through the example ConfigCopy controller.
#include <catch2/catch.hpp>

#include "config_copy_controller.hpp"
#include "support/apiserver_process.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/runtime/conditions.hpp>

#include <thread>

using namespace weir;
using namespace weir::example;
using namespace std::chrono_literals;

namespace {

const char* crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"configcopies.test.weir.dev"},
 "spec":{"group":"test.weir.dev","scope":"Namespaced",
  "names":{"kind":"ConfigCopy","plural":"configcopies","singular":"configcopy","listKind":"ConfigCopyList"},
  "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
   "schema":{"openAPIV3Schema":{"type":"object","properties":{
     "spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
     "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}})";

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 20s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

struct cluster {
    test::apiserver_process api{WEIR_APISERVER_BIN};
    std::shared_ptr<kube::client> client;

    cluster()
    {
        auto s = api.start();
        INFO((s ? "" : s.err().message));
        REQUIRE(s);
        client = new_client();
        auto created = client->create(*parse_json(crd));
        INFO((created ? "" : created.err().message));
        REQUIRE(created);
        REQUIRE(eventually([&] { return static_cast<bool>(client->mapper().mapping_for(config_copy_kind)); }));
    }
    std::shared_ptr<kube::client> new_client()
    {
        auto cfg = api.config();
        REQUIRE(cfg);
        auto c = kube::client::create(*cfg, {.qps = 0, .timeout = 5s, .max_retries = 1});
        REQUIRE(c);
        return *c;
    }
    void configmap(const std::string& name, const std::string& data, const std::string& ns = "default")
    {
        weir::value obj = *parse_json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                                      R"(","namespace":")" + ns + R"("},"data":{"key":")" + data + R"("}})");
        auto r = client->apply(obj, {.field_manager = "test", .force = true});
        INFO((r ? "" : r.err().message));
        REQUIRE(r);
    }
    void copy(const std::string& name, const std::string& from, const std::string& to, const std::string& extra_spec = "",
              const std::string& labels = "{}")
    {
        std::string text = R"({"apiVersion":"test.weir.dev/v1","kind":"ConfigCopy","metadata":{"name":")" + name +
                           R"(","namespace":"default","labels":)" + labels + R"(},"spec":{"from":")" + from + R"(","to":")" + to +
                           "\"" + extra_spec + "}}";
        auto r = client->create(*parse_json(text));
        INFO((r ? "" : r.err().message));
        REQUIRE(r);
    }
    std::string data_of(const std::string& name)
    {
        auto cm = client->get(configmap_kind, "default", name);
        if (!cm) return "<" + cm.err().reason + ">";
        const weir::value* v = cm->find_path({"data", "key"});
        return v && v->is_string() ? v->as_string() : "";
    }
    bool ready(const std::string& name)
    {
        auto obj = client->get(config_copy_kind, "default", name);
        return obj && runtime::conditions::is_true(*obj, "Ready");
    }
};

runtime::controller_options test_options(std::string name = "configcopy")
{
    runtime::controller_options o;
    o.name = std::move(name);
    o.concurrent = 2;
    o.metrics_addr = "127.0.0.1:0";
    o.health_addr = "127.0.0.1:0";
    o.min_retry_delay = 20ms;
    o.max_retry_delay = 500ms;
    o.lease_duration = 2s;
    o.renew_deadline = 1500ms;
    o.retry_period = 200ms;
    o.graceful_shutdown_timeout = 5s;
    o.runtime_namespace = "default";
    o.handle_signals = false;
    return o;
}

struct running_controller {
    std::unique_ptr<runtime::manager> mgr;
    std::unique_ptr<config_copy_controller> ctl;
    std::thread thread;
    std::optional<weir::status> result;

    running_controller(cluster& c, runtime::controller_options o)
    {
        mgr = std::make_unique<runtime::manager>(c.new_client(), std::move(o));
        ctl = std::make_unique<config_copy_controller>(*mgr);
        thread = std::thread([this] { result = mgr->run(); });
    }
    ~running_controller() { stop(); }
    void stop()
    {
        if (!thread.joinable()) return;
        mgr->stop();
        thread.join();
    }
};

} // namespace

TEST_CASE("the example controller copies on create, follows updates and cleans up on delete", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.data_of("dst") == "v1"; }));
    REQUIRE(eventually([&] { return c.ready("one"); }));

    c.configmap("src", "v2"); // a change of the secondary kind reaches the primary through watches()
    REQUIRE(eventually([&] { return c.data_of("dst") == "v2"; }));

    REQUIRE(c.client->remove(config_copy_kind, "default", "one"));
    REQUIRE(eventually([&] { return c.data_of("dst") == "<NotFound>"; }));
    REQUIRE(eventually([&] { return !c.client->get(config_copy_kind, "default", "one"); })); // finalizer removed
}

TEST_CASE("status-only updates do not trigger reconciles", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.ready("one"); }));
    REQUIRE(eventually([&] { return rc.ctl->ctl().queue().len() == 0; }));
    int before = rc.ctl->reconciles;
    for (int i = 0; i < 5; ++i) {
        std::string patch = R"({"status":{"note":")" + std::to_string(i) + R"("}})";
        REQUIRE(c.client->patch(config_copy_kind, "default", "one", kube::patch_type::merge, patch, {.subresource = "status"}));
    }
    // A label change afterwards passes the predicate; the watch delivers events in order, so
    // once it is reconciled the five status updates have been seen (and skipped) already.
    REQUIRE(c.client->patch(config_copy_kind, "default", "one", kube::patch_type::merge, R"({"metadata":{"labels":{"marker":"1"}}})"));
    REQUIRE(eventually([&] {
        auto obj = rc.ctl->ctl().cache().get("default/one");
        return obj && obj->find_path({"metadata", "labels", "marker"}) && rc.ctl->reconciles > before;
    }));
    REQUIRE(eventually([&] { return rc.ctl->ctl().queue().len() == 0; }));
    CHECK(rc.ctl->reconciles == before + 1);
}

TEST_CASE("transient failures are retried with backoff until they succeed", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    rc.ctl->fail_next = 3;
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.ready("one"); }));
    CHECK(rc.ctl->fail_next <= 0);
    CHECK(rc.ctl->ctl().queue().retries("default/one") == 0); // success forgets the failures
}

TEST_CASE("a missing source is retried and recovers when the source appears", "[integration][runtime]")
{
    cluster c;
    running_controller rc(c, test_options());
    c.copy("one", "later", "dst");
    REQUIRE(eventually([&] { return rc.ctl->ctl().queue().retries("default/one") >= 2; }));
    c.configmap("later", "here");
    REQUIRE(eventually([&] { return c.data_of("dst") == "here"; }));
}

TEST_CASE("terminal errors mark the object Stalled and are not retried", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("bad", "src", "");
    REQUIRE(eventually([&] {
        auto obj = c.client->get(config_copy_kind, "default", "bad");
        return obj && runtime::conditions::is_true(*obj, "Stalled");
    }));
    auto obj = c.client->get(config_copy_kind, "default", "bad");
    CHECK(runtime::conditions::get(*obj, "Ready")->reason == "InvalidSpec");
    CHECK(rc.ctl->ctl().queue().retries("default/bad") == 0);
    CHECK(rc.ctl->ctl().queue().waiting() == 0);
}

TEST_CASE("requeue-after reconciles again without any change", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst", R"(,"interval":"100ms")");
    REQUIRE(eventually([&] { return c.ready("one"); }));
    int after_ready = rc.ctl->reconciles;
    REQUIRE(eventually([&] { return rc.ctl->reconciles >= after_ready + 3; }));
}

TEST_CASE("suspended objects are not reconciled until resumed", "[integration][runtime]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst", R"(,"suspend":true)");
    c.copy("marker", "src", "marker-dst");
    REQUIRE(eventually([&] { return c.data_of("marker-dst") == "v1"; }));
    CHECK(c.data_of("dst") == "<NotFound>");
    REQUIRE(c.client->patch(config_copy_kind, "default", "one", kube::patch_type::merge, R"({"spec":{"suspend":false}})"));
    REQUIRE(eventually([&] { return c.data_of("dst") == "v1"; }));
}

TEST_CASE("only the leader reconciles and a standby takes over when it stops", "[integration][runtime][leader]")
{
    cluster c;
    c.configmap("src", "v1");
    auto o = test_options();
    o.enable_leader_election = true;
    SECTION("the leader releases the lease on shutdown")
    {
        o.release_on_cancel = true;
    }
    SECTION("the leader dies without releasing")
    {
        o.release_on_cancel = false;
    }
    auto first = std::make_unique<running_controller>(c, o);
    o.identity = "second";
    REQUIRE(eventually([&] { return first->mgr->started(); }));
    running_controller second(c, o);
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.ready("one"); }));
    CHECK(second.ctl->reconciles == 0);
    CHECK_FALSE(second.mgr->started());

    first->stop();
    first.reset();
    REQUIRE(eventually([&] { return second.mgr->started(); }));
    c.copy("two", "src", "dst2");
    REQUIRE(eventually([&] { return c.data_of("dst2") == "v1"; }));
    CHECK(second.ctl->reconciles > 0);
}

TEST_CASE("two instances with different label selectors split the objects", "[integration][runtime][sharding]")
{
    cluster c;
    c.configmap("src", "v1");
    auto oa = test_options("shard-a");
    oa.watch_label_selector = "sharding.fluxcd.io/key=shard-a";
    auto ob = test_options("shard-b");
    ob.watch_label_selector = "sharding.fluxcd.io/key=shard-b";
    running_controller a(c, oa), b(c, ob);
    for (int i = 0; i < 4; ++i) {
        std::string shard = i % 2 ? "shard-b" : "shard-a";
        c.copy("c" + std::to_string(i), "src", "d" + std::to_string(i), "", R"({"sharding.fluxcd.io/key":")" + shard + "\"}");
    }
    for (int i = 0; i < 4; ++i) REQUIRE(eventually([&] { return c.data_of("d" + std::to_string(i)) == "v1"; }));
    CHECK(a.ctl->ctl().cache().size() == 2);
    CHECK(b.ctl->ctl().cache().size() == 2);
    CHECK(a.ctl->ctl().cache().get("default/c0"));
    CHECK(b.ctl->ctl().cache().get("default/c1"));
    CHECK_FALSE(a.ctl->ctl().cache().get("default/c1"));
}

TEST_CASE("a dropped watch resumes from its resourceVersion without losing events", "[integration][runtime][watch]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.data_of("dst") == "v1"; }));
    auto& cms = rc.mgr->informer_for(configmap_kind);
    auto watches = cms.watch_count();
    cms.drop_watch();
    c.configmap("src", "v2"); // may land while no watch is open
    REQUIRE(eventually([&] { return c.data_of("dst") == "v2"; }));
    CHECK(cms.watch_count() > watches);
    CHECK(cms.list_count() == 1); // resumed, not relisted
}

TEST_CASE("the controller recovers from an API server restart", "[integration][runtime][restart]")
{
    cluster c;
    c.configmap("src", "v1");
    running_controller rc(c, test_options());
    c.copy("one", "src", "dst");
    REQUIRE(eventually([&] { return c.data_of("dst") == "v1"; }));
    auto s = c.api.restart();
    INFO((s ? "" : s.err().message));
    REQUIRE(s);
    c.configmap("src", "after-restart");
    c.copy("two", "src", "dst2");
    REQUIRE(eventually([&] { return c.data_of("dst") == "after-restart"; }, 40s));
    REQUIRE(eventually([&] { return c.data_of("dst2") == "after-restart"; }, 40s));
}

TEST_CASE("shutdown lets an in-flight reconcile finish and starts no new one", "[integration][runtime][shutdown]")
{
    cluster c;
    c.configmap("src", "v1");
    runtime::manager mgr(c.new_client(), test_options("slow"));
    std::atomic<int> started{0}, finished{0};
    mgr.add_controller({.name = "slow", .kind = configmap_kind, .reconcile = [&](const runtime::request&) {
                            ++started;
                            std::this_thread::sleep_for(300ms);
                            ++finished;
                            return result<runtime::action>(runtime::action::await_change());
                        }});
    std::optional<weir::status> outcome;
    std::thread runner([&] { outcome = mgr.run(); });
    REQUIRE(eventually([&] { return started > 0; }));
    c.configmap("more", "v1"); // queued behind the running reconcile (or running on the second worker)
    mgr.stop();
    runner.join();
    REQUIRE(outcome);
    CHECK(*outcome);
    CHECK(finished == started); // nothing was cut off
    int after = started;
    std::this_thread::sleep_for(100ms);
    CHECK(started == after);
}
