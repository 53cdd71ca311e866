// Release records: our Secret decoded by an independent decoder (base64 -> base64 -> gunzip via
// zlib -> JSON) carries Helm's field names, and decodes back.
#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/helm/release.hpp>

#include <catch2/catch.hpp>
#include <zlib.h>

namespace {

std::string gunzip(const std::string& in)
{
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char buf[4096];
    int rc;
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
        out.append(buf, sizeof buf - zs.avail_out);
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

weir::helm::release sample()
{
    weir::helm::chart c;
    c.metadata = {.api_version = "v2", .name = "podinfo", .version = "6.5.0", .app_version = "6.5.0"};
    c.templates.push_back({"templates/cm.yaml", "kind: ConfigMap"});
    weir::helm::release r;
    r.name = "web";
    r.namespace_ = "apps";
    r.version = 2;
    r.info = {.first_deployed = "2026-11-22T02:42:19.123Z", .last_deployed = "2026-11-22T03:00:00Z",
              .description = "Upgrade complete", .status = "deployed", .notes = "hi"};
    r.chart = weir::helm::chart_to_json(c);
    r.config = weir::object{{"replicaCount", 3}};
    r.manifest = "---\n# Source: podinfo/templates/cm.yaml\nkind: ConfigMap\n";
    r.hooks.push_back({.name = "t", .kind = "Pod", .path = "podinfo/templates/t.yaml", .manifest = "kind: Pod",
                       .events = {"test"}, .last_run = {.phase = "Succeeded"}, .weight = 1,
                       .delete_policies = {"before-hook-creation"}});
    return r;
}

} // namespace

TEST_CASE("a release Secret is named, typed and labelled as Helm's and its payload is base64(gzip(JSON))",
          "[helm][release]")
{
    auto secret = weir::helm::release_secret(sample(), 1795000000);
    REQUIRE(secret);
    CHECK(secret->find_path({"metadata", "name"})->as_string() == "sh.helm.release.v1.web.v2");
    CHECK(secret->get_string("type") == "helm.sh/release.v1");
    const weir::value& labels = *secret->find_path({"metadata", "labels"});
    CHECK(labels.get_string("name") == "web");
    CHECK(labels.get_string("owner") == "helm");
    CHECK(labels.get_string("status") == "deployed");
    CHECK(labels.get_string("version") == "2");
    CHECK(labels.get_string("createdAt") == "1795000000");
    // Independent decoding: the Secret's base64, Helm's base64, gzip magic, JSON.
    auto once = weir::base64_decode(secret->find_path({"data", "release"})->as_string());
    REQUIRE(once);
    auto twice = weir::base64_decode(*once);
    REQUIRE(twice);
    REQUIRE(twice->size() > 3);
    CHECK(static_cast<unsigned char>((*twice)[0]) == 0x1f);
    CHECK(static_cast<unsigned char>((*twice)[1]) == 0x8b);
    auto json = weir::parse_json(gunzip(*twice));
    REQUIRE(json);
    const weir::value& j = *json;
    CHECK(j.get_string("name") == "web");
    CHECK(j.get_string("namespace") == "apps");
    CHECK(j.find("version")->as_int() == 2);
    CHECK(j.find_path({"info", "status"})->as_string() == "deployed");
    CHECK(j.find_path({"info", "first_deployed"})->as_string() == "2026-11-22T02:42:19.123Z");
    CHECK(j.find_path({"info", "last_deployed"})->as_string() == "2026-11-22T03:00:00Z");
    CHECK(j.find_path({"info", "description"})->as_string() == "Upgrade complete");
    CHECK(j.find_path({"info", "deleted"}) == nullptr); // zero time: omitted
    CHECK(j.find_path({"chart", "metadata", "name"})->as_string() == "podinfo");
    CHECK(j.find_path({"chart", "metadata", "apiVersion"})->as_string() == "v2");
    CHECK(j.find_path({"chart", "metadata", "appVersion"})->as_string() == "6.5.0");
    const auto& tpl = j.find_path({"chart", "templates"})->as_array()[0];
    CHECK(tpl.get_string("name") == "templates/cm.yaml");
    CHECK(*weir::base64_decode(tpl.get_string("data")) == "kind: ConfigMap"); // []byte is base64
    CHECK(j.find_path({"config", "replicaCount"})->as_int() == 3);
    CHECK(j.get_string("manifest").find("# Source: podinfo/templates/cm.yaml") != std::string::npos);
    const auto& h = j.find("hooks")->as_array()[0];
    CHECK(h.get_string("path") == "podinfo/templates/t.yaml");
    CHECK(h.find("events")->as_array()[0].as_string() == "test");
    CHECK(h.find_path({"last_run", "phase"})->as_string() == "Succeeded");
    CHECK(h.find("weight")->as_int() == 1);
    CHECK(h.find("delete_policies")->as_array()[0].as_string() == "before-hook-creation");
}

TEST_CASE("a release decodes back from its Secret, and plain JSON without gzip is accepted", "[helm][release]")
{
    auto r = sample();
    auto secret = weir::helm::release_secret(r);
    REQUIRE(secret);
    auto back = weir::helm::release_from_secret(*secret);
    REQUIRE(back);
    CHECK(back->name == "web");
    CHECK(back->version == 2);
    CHECK(back->info.status == "deployed");
    CHECK(back->manifest == r.manifest);
    CHECK(back->hooks.size() == 1);
    auto chart = weir::helm::chart_from_json(back->chart);
    REQUIRE(chart);
    CHECK(chart->metadata.name == "podinfo");
    CHECK(chart->templates.size() == 1);
    auto plain = weir::helm::decode_release(weir::base64_encode(weir::to_json(weir::helm::release_to_json(r))));
    REQUIRE(plain);
    CHECK(plain->info.description == "Upgrade complete");
}
