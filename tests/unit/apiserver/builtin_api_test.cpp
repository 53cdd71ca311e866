// Built-in kinds through the api directly: fieldValidation on every write verb, the real
// server's defaults (and who owns them in managedFields), and Table columns.
#include "fixture.hpp"

using namespace weir;
using namespace weir::apiserver;
using weir::test::fixture;

namespace {

const char* deploys = "/apis/apps/v1/namespaces/default/deployments";
const char* typo = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","bogus":1},
  "spec":{"foo":true,"selector":{"matchLabels":{"app":"d"}},
  "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"i","imagee":"x"}]}}}})";
const char* good = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
  "spec":{"selector":{"matchLabels":{"app":"d"}},
  "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})";

bool has(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("fieldValidation=Strict refuses unknown fields of a built-in kind on create with every path named",
          "[apiserver][api][validation]")
{
    fixture f;
    auto before = f.a->revision();
    auto r = f.call("POST", std::string(deploys) + "?fieldValidation=Strict", typo);
    CHECK(r.status == 400);
    auto st = f.json(r);
    CHECK(st["reason"].as_string() == "BadRequest");
    CHECK(st["message"].as_string() == "Deployment in version \"v1\" cannot be handled as a Deployment: "
                                       "strict decoding error: unknown field "
                                       "\"metadata.bogus\", unknown field \"spec.foo\", unknown field "
                                       "\"spec.template.spec.containers[0].imagee\"");
    CHECK(f.a->revision() == before);
    CHECK(f.call("GET", std::string(deploys) + "/d").status == 404);
}

TEST_CASE("fieldValidation Warn (the default) and Ignore store built-in objects without their unknown fields",
          "[apiserver][api][validation]")
{
    fixture f;
    auto warned = f.call("POST", deploys, typo);
    REQUIRE(warned.status == 201);
    CHECK(warned.warnings ==
          std::vector<std::string>{"unknown field \"metadata.bogus\"", "unknown field \"spec.foo\"",
                                   "unknown field \"spec.template.spec.containers[0].imagee\""});
    CHECK_FALSE(has(warned.body, "bogus"));
    CHECK_FALSE(has(warned.body, "imagee"));
    CHECK_FALSE(has(f.call("GET", std::string(deploys) + "/d").body, "\"foo\""));

    REQUIRE(f.call("DELETE", std::string(deploys) + "/d").status == 200);
    auto ignored = f.call("POST", std::string(deploys) + "?fieldValidation=Ignore", typo);
    REQUIRE(ignored.status == 201);
    CHECK(ignored.warnings.empty());
    CHECK_FALSE(has(ignored.body, "imagee"));
}

TEST_CASE("patches and updates of built-in kinds are checked after patching, in sorted key order",
          "[apiserver][api][validation]")
{
    fixture f;
    REQUIRE(f.call("POST", deploys, good).status == 201);
    auto before = f.a->revision();
    auto merge = f.call("PATCH", std::string(deploys) + "/d?fieldValidation=Strict",
                        R"({"spec":{"zzz":1,"aaa":2}})", "application/merge-patch+json");
    CHECK(merge.status == 400);
    CHECK(f.json(merge)["message"].as_string() ==
          "strict decoding error: unknown field \"spec.aaa\", unknown field \"spec.zzz\"");
    auto json_patch = f.call("PATCH", std::string(deploys) + "/d?fieldValidation=Strict",
                             R"([{"op":"add","path":"/spec/foo","value":1}])", "application/json-patch+json");
    CHECK(json_patch.status == 400);
    auto live = f.json(f.call("GET", std::string(deploys) + "/d"));
    live["spec"]["foo"] = 1;
    auto put = f.call("PUT", std::string(deploys) + "/d?fieldValidation=Strict", to_json(live));
    CHECK(put.status == 400);
    CHECK(has(f.json(put)["message"].as_string(),
              "cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\""));
    CHECK(f.a->revision() == before);

    auto warned = f.call("PATCH", std::string(deploys) + "/d", R"({"spec":{"foo":1,"replicas":3}})",
                         "application/strategic-merge-patch+json");
    REQUIRE(warned.status == 200);
    CHECK(warned.warnings == std::vector<std::string>{"unknown field \"spec.foo\""});
    CHECK(f.json(warned)["spec"]["replicas"].as_int() == 3);
}

TEST_CASE("server-side apply of a built-in kind with unknown fields fails whatever fieldValidation says",
          "[apiserver][api][validation]")
{
    fixture f;
    for (const char* mode : {"Strict", "Warn", "Ignore"}) {
        auto r =
            f.call("PATCH", std::string(deploys) + "/d?fieldManager=m&fieldValidation=" + mode,
                   R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"foo":1}})",
                   "application/apply-patch+yaml");
        CHECK(r.status == 500);
        CHECK(f.json(r)["message"].as_string() ==
              "failed to create typed patch object (default/d; apps/v1, Kind=Deployment): .spec.foo: field "
              "not declared in schema");
    }
}

TEST_CASE("defaults are owned by an Update manager that caused them and not by an applier",
          "[apiserver][api][defaults]")
{
    fixture f;
    auto created = f.json(f.call("POST", std::string(deploys) + "?fieldManager=creator", good));
    CHECK(created["spec"]["replicas"].as_int() == 1);
    CHECK(created["spec"]["template"]["spec"]["containers"].as_array()[0]["imagePullPolicy"].as_string() ==
          "Always");
    std::string created_fields = to_json(created["metadata"]["managedFields"].as_array()[0]["fieldsV1"]);
    CHECK(has(created_fields, "f:progressDeadlineSeconds"));

    std::string applied = good;
    applied.replace(applied.find("\"name\":\"d\""), 10, "\"name\":\"e\"");
    auto a = f.json(f.call("PATCH", std::string(deploys) + "/e?fieldManager=applier", applied,
                           "application/apply-patch+yaml"));
    CHECK(a["spec"]["progressDeadlineSeconds"].as_int() == 600);
    std::string applied_fields = to_json(a["metadata"]["managedFields"].as_array()[0]["fieldsV1"]);
    CHECK(has(applied_fields, "f:selector"));
    CHECK_FALSE(has(applied_fields, "f:progressDeadlineSeconds"));
    CHECK_FALSE(has(applied_fields, "f:imagePullPolicy"));
}

TEST_CASE("Services get distinct cluster IPs, and a replace without one keeps the allocated IP",
          "[apiserver][api][defaults]")
{
    fixture f;
    const char* svcs = "/api/v1/namespaces/default/services";
    auto one = f.json(f.call(
        "POST", svcs,
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}})"));
    auto two = f.json(f.call(
        "POST", svcs,
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"clusterIP":"None","ports":[{"port":80}]}})"));
    auto three = f.json(f.call(
        "POST", svcs,
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"c"},"spec":{"type":"ExternalName","externalName":"x.example.com"}})"));
    std::string ip(one["spec"]["clusterIP"].as_string());
    CHECK(ip.starts_with("10."));
    CHECK(one["spec"]["ports"].as_array()[0]["targetPort"].as_int() == 80);
    CHECK(two["spec"]["clusterIPs"].as_array()[0].as_string() == "None");
    CHECK_FALSE(three["spec"].find("clusterIP"));
    CHECK(three["spec"]["sessionAffinity"].as_string() == "None");

    value replaced = one;
    replaced["spec"].as_object().erase("clusterIP");
    replaced["spec"].as_object().erase("clusterIPs");
    replaced["spec"]["selector"]["app"] = "a";
    auto after = f.json(f.call("PUT", std::string(svcs) + "/a", to_json(replaced)));
    CHECK(after["spec"]["clusterIP"].as_string() == ip);
    CHECK(after["spec"]["clusterIPs"].as_array()[0].as_string() == ip);
}

TEST_CASE("a Table of Deployments has the real columns, wide ones at priority 1", "[apiserver][api][table]")
{
    fixture f;
    REQUIRE(f.call("POST", deploys, good).status == 201);
    request r;
    r.method = "GET";
    r.path = deploys;
    r.authorization = "Bearer t0ken";
    r.accept = "application/json;as=Table;g=meta.k8s.io;v=v1";
    auto t = f.json(f.a->handle(r));
    std::vector<std::string> names;
    std::vector<std::int64_t> priorities;
    for (const auto& c : t["columnDefinitions"].as_array()) {
        names.emplace_back(c.get_string("name"));
        priorities.push_back(c.find("priority")->as_int());
    }
    CHECK(names == std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age", "Containers",
                                            "Images", "Selector"});
    CHECK(priorities == std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1});
    const auto& cells = t["rows"].as_array()[0]["cells"].as_array();
    CHECK(cells[1].as_string() == "0/1");
    CHECK(cells[5].as_string() == "c");
    CHECK(cells[7].as_string() == "app=d");
}

TEST_CASE("duplicate fields in a body are refused under Strict and the last one wins otherwise",
          "[apiserver][api][validation]")
{
    fixture f;
    const char* cms = "/api/v1/namespaces/default/configmaps";
    const char* dup =
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"1","k":"2"}})";
    auto strict = f.call("POST", std::string(cms) + "?fieldValidation=Strict", dup);
    CHECK(strict.status == 400);
    CHECK(f.json(strict)["message"].as_string() ==
          "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate "
          "field \"data.k\"");
    auto warned = f.call("POST", cms, dup);
    REQUIRE(warned.status == 201);
    CHECK(warned.warnings == std::vector<std::string>{"duplicate field \"data.k\""});
    CHECK(f.json(warned)["data"]["k"].as_string() == "2");
}
