// The api's handlers called directly, without HTTP: Status errors, concurrency, subresources,
// lists, watches, server-side apply and custom resources.
#include "fixture.hpp"

#include <weir/apiserver/api.hpp>
#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace weir;
using namespace weir::apiserver;
using weir::test::fixture;

namespace {

const char* cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1","labels":{"app":"a"}},"data":{"k":"v"}})";
const char* cms = "/api/v1/namespaces/default/configmaps";
const char* deploy = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"d"}},
  "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}}}})";

} // namespace

TEST_CASE("requests without the admin token get a 401 Unauthorized Status", "[apiserver][api]")
{
    fixture f;
    request r;
    r.method = "GET";
    r.path = "/api/v1/namespaces";
    auto out = f.a->handle(r);
    CHECK(out.status == 401);
    CHECK(f.json(out)["reason"].as_string() == "Unauthorized");
}

TEST_CASE("create, get, conflicting update and missing objects give the Status codes clients parse",
          "[apiserver][api]")
{
    fixture f;
    auto created = f.call("POST", cms, cm);
    REQUIRE(created.status == 201);
    auto obj = f.json(created);
    CHECK(obj["metadata"]["uid"].as_string().size() == 36);
    CHECK(!obj["metadata"]["creationTimestamp"].as_string().empty());

    auto again = f.call("POST", cms, cm);
    CHECK(again.status == 409);
    CHECK(f.json(again)["reason"].as_string() == "AlreadyExists");
    CHECK(f.json(again)["details"]["name"].as_string() == "c1");

    obj["data"]["k"] = "w";
    auto updated = f.call("PUT", std::string(cms) + "/c1", to_json(obj));
    CHECK(updated.status == 200);
    auto stale = f.call("PUT", std::string(cms) + "/c1", to_json(obj)); // the old resourceVersion
    CHECK(stale.status == 409);
    CHECK(f.json(stale)["reason"].as_string() == "Conflict");
    CHECK(f.json(stale)["message"].as_string().find("the object has been modified") != std::string::npos);

    auto missing = f.call("GET", std::string(cms) + "/nope");
    CHECK(missing.status == 404);
    CHECK(f.json(missing)["reason"].as_string() == "NotFound");
    CHECK(f.json(missing)["message"].as_string() == "configmaps \"nope\" not found");
    CHECK(f.call("GET", "/api/v1/namespaces/nowhere/configmaps/x").status == 404);
    CHECK(f.call("POST", "/api/v1/namespaces/nowhere/configmaps", cm).status == 404);
}

TEST_CASE("bad input is rejected with the real server's status and leaves the store unchanged", "[apiserver][api]")
{
    fixture f;
    auto before = f.a->revision();
    CHECK(f.call("POST", cms, "{not json").status == 400);
    auto wrong = f.call("POST", cms, R"({"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}})");
    CHECK(wrong.status == 400);
    auto bad_name = f.call("POST", cms, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}})");
    CHECK(bad_name.status == 422);
    auto st = f.json(bad_name);
    CHECK(st["reason"].as_string() == "Invalid");
    CHECK(st["details"]["causes"].as_array().at(0)["field"].as_string() == "metadata.name");
    auto bad_label = f.call("POST", cms, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"no spaces"}}})");
    CHECK(bad_label.status == 422);
    CHECK(f.json(bad_label)["details"]["causes"].as_array().at(0)["field"].as_string() == "metadata.labels");
    CHECK(f.call("GET", std::string(cms) + "?labelSelector=a%20in%20b").status == 400);
    CHECK(f.call("PATCH", std::string(cms) + "/x", "{}", "text/plain").status == 415);
    CHECK(f.a->revision() == before);
}

TEST_CASE("dryRun=All validates and answers without storing", "[apiserver][api]")
{
    fixture f;
    auto before = f.a->revision();
    CHECK(f.call("POST", std::string(cms) + "?dryRun=All", cm).status == 201);
    CHECK(f.call("GET", std::string(cms) + "/c1").status == 404);
    CHECK(f.a->revision() == before);
}

TEST_CASE("the status subresource changes only status and generation follows spec changes only",
          "[apiserver][api]")
{
    fixture f;
    const std::string base = "/apis/apps/v1/namespaces/default/deployments";
    REQUIRE(f.call("POST", base, deploy).status == 201);
    auto status = f.call("PATCH", base + "/d/status", R"({"spec":{"replicas":7},"status":{"readyReplicas":1}})",
                         "application/merge-patch+json");
    REQUIRE(status.status == 200);
    auto obj = f.json(status);
    CHECK(obj["spec"]["replicas"].as_int() == 1);
    CHECK(obj["status"]["readyReplicas"].as_int() == 1);
    CHECK(obj["metadata"]["generation"].as_int() == 1);

    auto main = f.call("PATCH", base + "/d", R"({"spec":{"replicas":3},"status":{"readyReplicas":9}})",
                       "application/merge-patch+json");
    obj = f.json(main);
    CHECK(obj["spec"]["replicas"].as_int() == 3);
    CHECK(obj["status"]["readyReplicas"].as_int() == 1);
    CHECK(obj["metadata"]["generation"].as_int() == 2);

    obj = f.json(f.call("PATCH", base + "/d", R"({"metadata":{"labels":{"x":"y"}}})", "application/merge-patch+json"));
    CHECK(obj["metadata"]["generation"].as_int() == 2);
}

TEST_CASE("lists page with limit and continue and filter by label and field selectors", "[apiserver][api]")
{
    fixture f;
    for (const char* n : {"a", "b", "c"}) {
        std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + std::string(n) +
                           R"(","labels":{"tier":")" + (n[0] == 'b' ? "back" : "front") + R"("}}})";
        REQUIRE(f.call("POST", cms, body).status == 201);
    }
    auto page = f.json(f.call("GET", std::string(cms) + "?limit=2"));
    CHECK(page["items"].as_array().size() == 2);
    std::string cont = page["metadata"]["continue"].as_string();
    REQUIRE(!cont.empty());
    auto rest = f.json(f.call("GET", std::string(cms) + "?limit=2&continue=" + cont));
    REQUIRE(rest["items"].as_array().size() == 1);
    CHECK(rest["items"].as_array()[0]["metadata"]["name"].as_string() == "c");
    CHECK(!rest["metadata"].find("continue"));

    auto front = f.json(f.call("GET", std::string(cms) + "?labelSelector=tier%3Dfront"));
    CHECK(front["items"].as_array().size() == 2);
    auto named = f.json(f.call("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Db"));
    CHECK(named["items"].as_array().size() == 1);
    auto del = f.call("DELETE", std::string(cms) + "?labelSelector=tier%3Dfront");
    CHECK(del.status == 200);
    CHECK(f.json(f.call("GET", cms))["items"].as_array().size() == 1);
}

TEST_CASE("a watch replays events after its resourceVersion and an expired version gets 410", "[apiserver][api][watch]")
{
    fixture f;
    auto created = f.json(f.call("POST", cms, cm));
    std::string rv = created["metadata"]["resourceVersion"].as_string();
    request r;
    r.method = "GET";
    r.path = cms;
    r.query = "watch=1&resourceVersion=" + rv;
    r.authorization = "Bearer t0ken";
    auto w = f.a->serve(r);
    REQUIRE(std::holds_alternative<std::shared_ptr<watcher>>(w));
    auto watch = std::get<std::shared_ptr<watcher>>(w);
    CHECK(watch->pending.empty());
    REQUIRE(f.call("PATCH", std::string(cms) + "/c1", R"({"data":{"k":"2"}})", "application/merge-patch+json").status == 200);
    REQUIRE(f.call("DELETE", std::string(cms) + "/c1").status == 200);
    REQUIRE(watch->pending.size() == 2);
    CHECK(watch->pending[0]->find(R"("type":"MODIFIED")") != std::string::npos);
    CHECK(watch->pending[1]->find(R"("type":"DELETED")") != std::string::npos);

    // Far more changes than the ring holds make the first version too old.
    int failed = 0;
    for (int i = 0; i < 10050; ++i)
        failed += f.call("PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/l",
                         R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"holderIdentity":")" +
                             std::to_string(i) + "\"}}")
                      .status >= 300;
    REQUIRE(failed == 0);
    auto old = f.a->serve(r);
    auto expired = std::get<std::shared_ptr<watcher>>(old);
    REQUIRE(expired->pending.size() == 1);
    CHECK(expired->pending[0]->find(R"("type":"ERROR")") != std::string::npos);
    CHECK(expired->pending[0]->find(R"("code":410)") != std::string::npos);
    CHECK(expired->pending[0]->find(R"("reason":"Expired")") != std::string::npos);
}

TEST_CASE("server-side apply owns fields, reports conflicts, forces, and removes fields no longer applied",
          "[apiserver][api][ssa]")
{
    fixture f;
    const std::string url = std::string(cms) + "/s";
    auto apply = [&](const std::string& manager, const std::string& data, bool force = false) {
        return f.call("PATCH", url + "?fieldManager=" + manager + (force ? "&force=true" : ""),
                      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n" + data,
                      "application/apply-patch+yaml");
    };
    CHECK(apply("alice", "  a: \"1\"\n  b: \"2\"\n").status == 201);
    auto conflict = apply("bob", "  a: \"9\"\n");
    CHECK(conflict.status == 409);
    auto st = f.json(conflict);
    CHECK(st["message"].as_string() == "Apply failed with 1 conflict: conflict with \"alice\" using v1: .data.a");
    CHECK(st["details"]["causes"].as_array().at(0)["reason"].as_string() == "FieldManagerConflict");
    // The same value is shared, not a conflict.
    CHECK(apply("bob", "  a: \"1\"\n").status == 200);
    CHECK(apply("bob", "  a: \"9\"\n", true).status == 200);
    // alice stops applying b: it goes; a is bob's now and stays.
    auto obj = f.json(apply("alice", "  c: \"3\"\n"));
    CHECK(obj["data"] == parse_json(R"({"a":"9","c":"3"})").value());
    auto managers = obj["metadata"]["managedFields"].as_array();
    CHECK(managers.size() == 2);
    CHECK(f.call("PATCH", url, "kind: ConfigMap\n", "application/apply-patch+yaml").status == 422);
}

TEST_CASE("custom resources are defaulted, pruned and validated against their CRD schema", "[apiserver][api][crd]")
{
    fixture f;
    const char* crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
      "metadata":{"name":"things.example.com"},
      "spec":{"group":"example.com","scope":"Cluster","names":{"kind":"Thing","plural":"things","singular":"thing"},
        "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
          "properties":{"spec":{"type":"object","required":["name"],"properties":{
            "name":{"type":"string","pattern":"^[a-z]+$"},
            "mode":{"type":"string","enum":["fast","slow"],"default":"slow"},
            "count":{"type":"integer","minimum":0},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}}}]}})";
    REQUIRE(f.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201);
    auto ok = f.call("POST", "/apis/example.com/v1/things",
                     R"({"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},
                        "spec":{"name":"abc","junk":1,"extra":{"free":{"form":true}}}})");
    REQUIRE(ok.status == 201);
    auto obj = f.json(ok);
    CHECK(obj["spec"]["mode"].as_string() == "slow");
    CHECK(!obj["spec"].find("junk"));
    CHECK(obj["spec"]["extra"]["free"]["form"].as_bool());

    auto bad = f.call("POST", "/apis/example.com/v1/things",
                      R"({"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"u"},
                         "spec":{"name":"ABC","mode":"warp","count":-1}})");
    CHECK(bad.status == 422);
    auto causes = f.json(bad)["details"]["causes"].as_array();
    CHECK(causes.size() == 3);
    auto missing = f.call("POST", "/apis/example.com/v1/things",
                          R"({"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"v"},"spec":{}})");
    CHECK(missing.status == 422);
    CHECK(f.json(missing)["message"].as_string().find("spec.name: Required value") != std::string::npos);
    // Deleting the CRD stops serving the resource.
    REQUIRE(f.call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.com").status == 200);
    CHECK(f.call("GET", "/apis/example.com/v1/things").status == 404);
}

TEST_CASE("foreground deletion waits for dependents and orphan deletion keeps them", "[apiserver][api][gc]")
{
    fixture f;
    const std::string base = "/apis/apps/v1/namespaces/default/deployments";
    auto owner = f.json(f.call("POST", base, deploy));
    std::string uid = owner["metadata"]["uid"].as_string();
    auto dependent = [&](const std::string& name) {
        return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
               R"(","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"d","uid":")" + uid + "\"}]}}";
    };
    REQUIRE(f.call("POST", cms, dependent("dep1")).status == 201);
    auto held = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dep2","finalizers":["x/y"],
      "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"d","uid":")" + uid + "\"}]}}";
    REQUIRE(f.call("POST", cms, held).status == 201);
    auto del = f.call("DELETE", base + "/d", R"({"propagationPolicy":"Foreground"})");
    CHECK(del.status == 200);
    CHECK(f.call("GET", std::string(cms) + "/dep1").status == 404);
    // dep2 is held by its finalizer, so the owner waits in the foreground.
    CHECK(f.call("GET", base + "/d").status == 200);
    REQUIRE(f.call("PATCH", std::string(cms) + "/dep2", R"({"metadata":{"finalizers":null}})",
                   "application/merge-patch+json").status == 200);
    CHECK(f.call("GET", std::string(cms) + "/dep2").status == 404);
    CHECK(f.call("GET", base + "/d").status == 404);

    auto owner2 = f.json(f.call("POST", base, deploy));
    uid = owner2["metadata"]["uid"].as_string();
    REQUIRE(f.call("POST", cms, dependent("dep3")).status == 201);
    CHECK(f.call("DELETE", base + "/d?propagationPolicy=Orphan").status == 200);
    auto kept = f.call("GET", std::string(cms) + "/dep3");
    CHECK(kept.status == 200);
    CHECK(!f.json(kept)["metadata"].find("ownerReferences"));
}
