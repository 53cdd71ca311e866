#include <catch2/catch.hpp>

#include "fake_http_server.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/client.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace weir;
using namespace weir::kube;
using weir::test::fake_http_server;
using weir::test::fake_reply;
using weir::test::fake_request;

namespace {
const gvk configmap{"", "v1", "ConfigMap"};
const gvk namespace_kind{"", "v1", "Namespace"};

const char* discovery = R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
  {"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["get","list"]},
  {"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":["get"]},
  {"name":"namespaces/status","namespaced":false,"kind":"Namespace","verbs":["get"]}]})";

std::shared_ptr<client> client_for(const fake_http_server& server, client_options options = {})
{
    config cfg;
    cfg.server = server.url();
    cfg.token = "t0k3n";
    auto c = client::create(cfg, options);
    REQUIRE(c);
    return *c;
}

std::string cm_json(const std::string& name, const std::string& rv)
{
    return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"(","namespace":"default","resourceVersion":")" +
           rv + R"("}})";
}
} // namespace

TEST_CASE("get maps the kind through discovery, sends the bearer token and parses the object", "[kube][client]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        if (r.target == "/api/v1/namespaces/default/configmaps/app") return {200, cm_json("app", "7")};
        if (r.target == "/api/v1/namespaces/kube-system") return {200, R"({"kind":"Namespace","metadata":{"name":"kube-system"}})"};
        return {404, R"({"kind":"Status","reason":"NotFound","message":"not here","code":404})"};
    });
    auto c = client_for(server);
    auto obj = c->get(configmap, "default", "app");
    REQUIRE(obj);
    CHECK(resource_version_of(*obj) == "7");
    auto ns = c->get(namespace_kind, "ignored-for-cluster-scope", "kube-system");
    REQUIRE(ns);
    auto missing = c->get(configmap, "default", "nope");
    REQUIRE_FALSE(missing);
    CHECK(is_not_found(missing.err()));
    CHECK(missing.err().message.starts_with("get configmaps default/nope"));
    for (const auto& r : server.requests()) CHECK(r.authorization == "Bearer t0k3n");
}

TEST_CASE("requests reuse one keep-alive connection", "[kube][client]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        return {200, cm_json("app", "1")};
    });
    auto c = client_for(server);
    for (int i = 0; i < 5; ++i) REQUIRE(c->get(configmap, "default", "app"));
    CHECK(server.connections() == 1);
}

TEST_CASE("list_all follows continue tokens and restores apiVersion and kind on items", "[kube][client]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        if (r.target.find("continue=page2") != std::string::npos)
            return {200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"20"},"items":[{"metadata":{"name":"b","namespace":"default"}}]})"};
        return {200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"10","continue":"page2"},"items":[{"metadata":{"name":"a","namespace":"default"}}]})"};
    });
    auto c = client_for(server);
    auto list = c->list_all(configmap, {.namespace_ = "default", .label_selector = "app in (a,b)", .limit = 1});
    REQUIRE(list);
    REQUIRE(list->items.size() == 2);
    CHECK(list->items[1].get_string("kind") == "ConfigMap");
    CHECK(list->items[1].get_string("apiVersion") == "v1");
    CHECK(list->resource_version == "20");
    auto reqs = server.requests();
    CHECK(reqs[1].target == "/api/v1/namespaces/default/configmaps?labelSelector=app%20in%20%28a%2Cb%29&limit=1");
}

TEST_CASE("429 and 5xx replies are retried, honouring Retry-After", "[kube][client]")
{
    std::atomic<int> calls{0};
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        int n = ++calls;
        if (n == 1) return {429, R"({"kind":"Status","reason":"TooManyRequests","code":429})", {{"Retry-After", "1"}}};
        if (n == 2) return {503, ""};
        return {200, cm_json("app", "3")};
    });
    auto c = client_for(server);
    auto obj = c->get(configmap, "default", "app");
    REQUIRE(obj);
    CHECK(calls == 3);
}

TEST_CASE("retries stop after max_retries and return the last error", "[kube][client]")
{
    std::atomic<int> calls{0};
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        ++calls;
        return {500, R"({"kind":"Status","reason":"InternalError","message":"boom","code":500})"};
    });
    auto c = client_for(server, {.max_retries = 1});
    auto obj = c->get(configmap, "default", "app");
    REQUIRE_FALSE(obj);
    CHECK(is_server_error(obj.err()));
    CHECK(calls == 2);
}

TEST_CASE("a refused connection is a transient network error", "[kube][client]")
{
    unsigned short port;
    {
        fake_http_server gone([](const fake_request&) { return fake_reply{}; });
        port = gone.port();
    }
    config cfg;
    cfg.server = "http://127.0.0.1:" + std::to_string(port);
    auto c = client::create(cfg, {.max_retries = 0});
    REQUIRE(c);
    (*c)->mapper().add({"", "v1", "configmaps", "ConfigMap", true});
    auto obj = (*c)->get(configmap, "default", "app");
    REQUIRE_FALSE(obj);
    CHECK(is_network(obj.err()));
    CHECK_FALSE(obj.err().terminal());
}

TEST_CASE("writes send the right verb, content type and query", "[kube][client]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        if (r.method == "DELETE") return {200, R"({"kind":"Status","status":"Success"})"};
        return {200, cm_json("app", "9")};
    });
    auto c = client_for(server);
    weir::value obj = *parse_json(cm_json("app", "8"));
    REQUIRE(c->create(obj, {.dry_run = true}));
    REQUIRE(c->update(obj, {.field_manager = "weir"}));
    REQUIRE(c->apply(obj, {.field_manager = "kustomize-controller", .force = true}));
    REQUIRE(c->patch(configmap, "default", "app", patch_type::merge, R"({"data":{"a":"b"}})", {.subresource = "status"}));
    REQUIRE(c->remove(configmap, "default", "app", {.propagation_policy = "Foreground"}));
    auto reqs = server.requests();
    REQUIRE(reqs.size() == 6);
    CHECK(reqs[1].method == "POST");
    CHECK(reqs[1].target == "/api/v1/namespaces/default/configmaps?dryRun=All");
    CHECK(reqs[2].method == "PUT");
    CHECK(reqs[2].target == "/api/v1/namespaces/default/configmaps/app?fieldManager=weir");
    CHECK(reqs[3].content_type == "application/apply-patch+yaml");
    CHECK(reqs[3].target == "/api/v1/namespaces/default/configmaps/app?fieldManager=kustomize-controller&force=true");
    CHECK(reqs[4].target == "/api/v1/namespaces/default/configmaps/app/status");
    CHECK(reqs[4].content_type == "application/merge-patch+json");
    CHECK(reqs[5].method == "DELETE");
    CHECK(reqs[5].body.find("\"propagationPolicy\":\"Foreground\"") != std::string::npos);
}

TEST_CASE("apply without a field manager is refused before any request", "[kube][client]")
{
    fake_http_server server([](const fake_request&) { return fake_reply{200, discovery}; });
    auto c = client_for(server);
    auto r = c->apply(*parse_json(cm_json("a", "1")), {});
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(server.requests().empty());
}

TEST_CASE("watch delivers events split across chunks, bookmarks included", "[kube][client][watch]")
{
    std::string stream = R"({"type":"ADDED","object":)" + cm_json("a", "11") + "}\n" + R"({"type":"MODIFIED","object":)" +
                         cm_json("a", "12") + "}\n" +
                         R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"15"}}})" +
                         "\n" + R"({"type":"DELETED","object":)" + cm_json("a", "16") + "}\n";
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < stream.size(); i += 7) chunks.push_back(stream.substr(i, 7)); // odd chunking
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        fake_reply rep;
        rep.chunks = chunks;
        return rep;
    });
    auto c = client_for(server);
    std::vector<std::pair<watch_event_type, std::string>> seen;
    auto s = c->watch(configmap, {.namespace_ = "default", .resource_version = "10"}, [&](watch_event&& ev) {
        seen.emplace_back(ev.type, std::string(resource_version_of(ev.object)));
        return true;
    });
    REQUIRE(s);
    REQUIRE(seen.size() == 4);
    CHECK(seen[0] == std::pair{watch_event_type::added, std::string("11")});
    CHECK(seen[2] == std::pair{watch_event_type::bookmark, std::string("15")});
    CHECK(seen[3].first == watch_event_type::deleted);
    auto target = server.requests()[1].target;
    CHECK(target.find("watch=true") != std::string::npos);
    CHECK(target.find("resourceVersion=10") != std::string::npos);
    CHECK(target.find("allowWatchBookmarks=true") != std::string::npos);
}

TEST_CASE("an ERROR event with 410 ends the watch with a Gone error", "[kube][client][watch]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        fake_reply rep;
        rep.chunks = {R"x({"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired","message":"too old resource version: 1 (50)","code":410}})x"
                      "\n"};
        return rep;
    });
    auto c = client_for(server);
    auto s = c->watch(configmap, {.resource_version = "1"}, [](watch_event&&) { return true; });
    REQUIRE_FALSE(s);
    CHECK(is_gone(s.err()));
}

TEST_CASE("a watch can be cancelled from another thread", "[kube][client][watch]")
{
    std::atomic<bool> release{false};
    fake_http_server server([&](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10)); // a silent stream
        return {200, ""};
    });
    auto c = client_for(server);
    watch_cancel cancel;
    std::thread canceller([&] {
        while (server.requests().size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        cancel.cancel();
    });
    auto s = c->watch(configmap, {}, [](watch_event&&) { return true; }, cancel);
    canceller.join();
    release = true;
    CHECK(s);
    CHECK(cancel.cancelled());
}

TEST_CASE("the REST mapper rediscovers a group/version when a kind is unknown", "[kube][mapper]")
{
    int fetches = 0;
    bool crd_installed = false;
    rest_mapper mapper([&](std::string_view path) -> weir::result<weir::value> {
        ++fetches;
        REQUIRE(path == "/apis/example.com/v1");
        std::string resources = crd_installed ? R"([{"name":"widgets","namespaced":true,"kind":"Widget"}])" : "[]";
        return parse_json(R"({"kind":"APIResourceList","resources":)" + resources + "}");
    });
    auto before = mapper.mapping_for({"example.com", "v1", "Widget"});
    REQUIRE_FALSE(before);
    CHECK(is_not_found(before.err()));
    crd_installed = true;
    auto after = mapper.mapping_for({"example.com", "v1", "Widget"});
    REQUIRE(after);
    CHECK(after->resource == "widgets");
    CHECK(mapper.mapping_for({"example.com", "v1", "Widget"}));
    CHECK(fetches == 2); // the second lookup was cached
}

TEST_CASE("a 401 makes the client re-read a rotated token file and retry once", "[kube][client]")
{
    auto dir = std::filesystem::temp_directory_path() / ("weir-token-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto token = dir / "token";
    std::ofstream(token) << "old";
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.authorization != "Bearer new") return {401, R"({"kind":"Status","reason":"Unauthorized","code":401})"};
        if (r.target == "/api/v1") return {200, discovery};
        return {200, cm_json("app", "1")};
    });
    config cfg;
    cfg.server = server.url();
    cfg.token_file = token.string();
    auto c = client::create(cfg);
    REQUIRE(c);
    (*c)->mapper().add({"", "v1", "configmaps", "ConfigMap", true});
    auto first = (*c)->get(configmap, "default", "app");
    REQUIRE_FALSE(first);
    CHECK(is_unauthorized(first.err()));
    std::ofstream(token) << "new"; // rotated; the 1 s mtime check alone would not see it yet
    auto second = (*c)->get(configmap, "default", "app");
    CHECK(second);
    std::filesystem::remove_all(dir);
}

namespace {
struct data_key {
    std::string key;
    static weir::result<data_key> from(const weir::value& obj)
    {
        const weir::value* k = obj.find_path({"data", "key"});
        if (!k) return weir::terminal_error("data.key is required", "InvalidSpec");
        return data_key{k->as_string()};
    }
};
} // namespace

TEST_CASE("get_as reads an object through a typed struct", "[kube][client]")
{
    fake_http_server server([](const fake_request& r) -> fake_reply {
        if (r.target == "/api/v1") return {200, discovery};
        if (r.target.ends_with("/typed")) return {200, R"({"kind":"ConfigMap","apiVersion":"v1","data":{"key":"v"}})"};
        return {200, cm_json("untyped", "1")};
    });
    auto c = client_for(server);
    auto typed = get_as<data_key>(*c, configmap, "default", "typed");
    REQUIRE(typed);
    CHECK(typed->key == "v");
    auto invalid = get_as<data_key>(*c, configmap, "default", "untyped");
    REQUIRE_FALSE(invalid);
    CHECK(invalid.err().reason == "InvalidSpec");
}
