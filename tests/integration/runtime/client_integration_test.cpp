// kube::client and the runtime helpers against a real weir-apiserver over HTTPS.
#include <catch2/catch.hpp>

#include "support/apiserver_process.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/client.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>
#include <weir/runtime/events.hpp>
#include <weir/runtime/informer.hpp>
#include <weir/runtime/leader_election.hpp>
#include <weir/runtime/patch.hpp>

#include <thread>

using namespace weir;
using namespace std::chrono_literals;

namespace {
const kube::gvk cm{"", "v1", "ConfigMap"};
const kube::gvk event_kind{"", "v1", "Event"};

struct server {
    test::apiserver_process api{WEIR_APISERVER_BIN};
    std::shared_ptr<kube::client> client;
    server()
    {
        auto s = api.start();
        INFO((s ? "" : s.err().message));
        REQUIRE(s);
        auto cfg = api.config();
        REQUIRE(cfg);
        auto c = kube::client::create(*cfg, {.qps = 0, .timeout = 5s});
        REQUIRE(c);
        client = *c;
    }
};

weir::value configmap(const std::string& name, const std::string& data = "x")
{
    return *parse_json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                       R"(","namespace":"default"},"data":{"key":")" + data + R"("}})");
}
} // namespace

TEST_CASE("CRUD verbs, conflicts and dry-run against the real API server", "[integration][kube]")
{
    server s;
    auto& c = *s.client;
    auto created = c.create(configmap("a"));
    REQUIRE(created);
    auto again = c.create(configmap("a"));
    REQUIRE_FALSE(again);
    CHECK(kube::is_already_exists(again.err()));

    weir::value stale = *created;
    weir::value first = *created;
    first["data"]["key"] = "y";
    REQUIRE(c.update(first));
    stale["data"]["key"] = "z";
    auto conflict = c.update(stale); // carries the old resourceVersion
    REQUIRE_FALSE(conflict);
    CHECK(kube::is_conflict(conflict.err()));

    auto dry = c.create(configmap("dry"), {.dry_run = true});
    REQUIRE(dry);
    CHECK(kube::is_not_found(c.get(cm, "default", "dry").err()));

    REQUIRE(c.patch(cm, "default", "a", kube::patch_type::merge, R"({"data":{"merged":"1"}})"));
    REQUIRE(c.patch(cm, "default", "a", kube::patch_type::json, R"([{"op":"add","path":"/data/json","value":"2"}])"));
    auto got = c.get(cm, "default", "a");
    REQUIRE(got);
    CHECK(got->find_path({"data", "merged"})->as_string() == "1");
    CHECK(got->find_path({"data", "json"})->as_string() == "2");

    REQUIRE(c.remove(cm, "default", "a", {.propagation_policy = "Background"}));
    CHECK(kube::is_not_found(c.get(cm, "default", "a").err()));
    CHECK(kube::is_not_found(c.remove(cm, "default", "a").err()));
}

TEST_CASE("server-side apply takes ownership with force and reports conflicts without it", "[integration][kube]")
{
    server s;
    auto& c = *s.client;
    REQUIRE(c.apply(configmap("a", "one"), {.field_manager = "alice"}));
    auto clash = c.apply(configmap("a", "two"), {.field_manager = "bob"});
    REQUIRE_FALSE(clash);
    CHECK(kube::is_conflict(clash.err()));
    auto forced = c.apply(configmap("a", "two"), {.field_manager = "bob", .force = true});
    REQUIRE(forced);
    CHECK(forced->find_path({"data", "key"})->as_string() == "two");
}

TEST_CASE("list pages through every object with continue tokens", "[integration][kube]")
{
    server s;
    for (int i = 0; i < 7; ++i) REQUIRE(s.client->create(configmap("p" + std::to_string(i))));
    auto page = s.client->list(cm, {.namespace_ = "default", .limit = 3});
    REQUIRE(page);
    CHECK(page->items.size() == 3);
    CHECK_FALSE(page->continue_token.empty());
    auto all = s.client->list_all(cm, {.namespace_ = "default", .limit = 3});
    REQUIRE(all);
    int ours = 0;
    for (auto& item : all->items) ours += kube::name_of(item).starts_with("p");
    CHECK(ours == 7);
}

TEST_CASE("an informer lists, then follows creates, updates and deletes through its watch", "[integration][kube][watch]")
{
    server s;
    REQUIRE(s.client->create(configmap("before")));
    runtime::informer inf(s.client, {.kind = cm, .namespace_ = "default"});
    std::atomic<int> adds{0}, updates{0}, deletes{0};
    inf.add_handler({.on_add = [&](const kube::object_ptr&) { ++adds; },
                     .on_update = [&](const kube::object_ptr&, const kube::object_ptr&) { ++updates; },
                     .on_delete = [&](const kube::object_ptr&) { ++deletes; }});
    REQUIRE(inf.start());
    REQUIRE(inf.wait_for_sync(10s));
    CHECK(inf.store().get("default/before"));
    REQUIRE(s.client->create(configmap("after")));
    REQUIRE(s.client->patch(cm, "default", "before", kube::patch_type::merge, R"({"data":{"key":"changed"}})"));
    REQUIRE(s.client->remove(cm, "default", "after"));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (deletes == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    CHECK(deletes == 1);
    CHECK(updates >= 1);
    CHECK(adds >= 2);
    CHECK(inf.store().get("default/before")->find_path({"data", "key"})->as_string() == "changed");
    CHECK_FALSE(inf.store().get("default/after"));
    CHECK_FALSE(inf.store().get("default/before")->find_path({"metadata", "managedFields"}));
    inf.stop();
}

TEST_CASE("repeated events are written once with a count", "[integration][runtime][events]")
{
    server s;
    auto obj = s.client->create(configmap("subject"));
    REQUIRE(obj);
    struct recording_forwarder : runtime::event_forwarder {
        std::vector<std::string> reasons;
        void forward(const runtime::event& ev) override { reasons.push_back(ev.reason); }
    };
    auto fwd = std::make_shared<recording_forwarder>();
    runtime::event_recorder rec(s.client, {.component = "test-controller"});
    rec.add_forwarder(fwd);
    rec.warning(*obj, "BuildFailed", "kustomize build failed");
    rec.warning(*obj, "BuildFailed", "kustomize build failed");
    rec.warning(*obj, "BuildFailed", "kustomize build failed");
    rec.normal(*obj, "Progressing", "something else");
    auto events = s.client->list(event_kind, {.namespace_ = "default"});
    REQUIRE(events);
    int build_failed = 0;
    for (auto& ev : events->items)
        if (ev.get_string("reason") == "BuildFailed") {
            ++build_failed;
            CHECK(ev.find("count")->as_int() == 3);
            CHECK(ev.get_string("type") == "Warning");
            CHECK(ev.find_path({"involvedObject", "name"})->as_string() == "subject");
            CHECK(ev.find_path({"source", "component"})->as_string() == "test-controller");
        }
    CHECK(build_failed == 1);
    CHECK(fwd->reasons == std::vector<std::string>{"BuildFailed", "BuildFailed", "BuildFailed", "Progressing"});
}

TEST_CASE("a Lease held by a live leader cannot be taken, a released one can", "[integration][runtime][leader]")
{
    server s;
    runtime::leader_election_options o{.name = "test-lease", .namespace_ = "default", .identity = "a",
                                       .lease_duration = 30s, .renew_deadline = 20s, .retry_period = 100ms};
    runtime::leader_elector a(s.client, o);
    o.identity = "b";
    runtime::leader_elector b(s.client, o);
    REQUIRE(a.try_acquire_or_renew());
    CHECK_FALSE(b.try_acquire_or_renew());
    CHECK(a.try_acquire_or_renew()); // renew
    a.stop();                         // releases
    CHECK(b.try_acquire_or_renew());
    auto lease = s.client->get({"coordination.k8s.io", "v1", "Lease"}, "default", "test-lease");
    REQUIRE(lease);
    CHECK(lease->find_path({"spec", "holderIdentity"})->as_string() == "b");
    CHECK(lease->find_path({"spec", "leaseTransitions"})->as_int() == 1);
}

TEST_CASE("status patches retry on conflict and keep the controller's status", "[integration][runtime][patch]")
{
    server s;
    auto& c = *s.client;
    auto obj = c.create(*parse_json(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"patched"}})"));
    REQUIRE(obj);
    // Someone else changes the object after our read: our resourceVersion is stale.
    REQUIRE(c.patch({"", "v1", "Namespace"}, "", "patched", kube::patch_type::merge, R"({"metadata":{"labels":{"x":"1"}}})"));
    weir::value updated = *obj;
    updated["status"]["conditions"] = weir::array{weir::object{{"type", "Ready"}, {"status", "True"}}};
    auto r = runtime::patch_status(c, *obj, updated);
    INFO((r ? "" : r.err().message));
    REQUIRE(r);
    auto got = c.get({"", "v1", "Namespace"}, "", "patched");
    CHECK(got->find_path({"status", "conditions"})->as_array().size() == 1);
    CHECK(got->find_path({"metadata", "labels", "x"})->as_string() == "1");
}

TEST_CASE("impersonated requests are made as the given user", "[integration][kube]")
{
    server s;
    auto who = [](kube::client& c) {
        auto r = c.create(*parse_json(R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})"));
        INFO((r ? "" : r.err().message));
        REQUIRE(r);
        return std::string(r->find_path({"status", "userInfo"})->get_string("username"));
    };
    std::string sa = "system:serviceaccount:flux-system:kustomize-controller";
    auto as_sa = s.client->impersonate(sa, {"system:serviceaccounts"});
    CHECK(who(*as_sa) == sa);
    CHECK(who(*s.client) != sa);
}
