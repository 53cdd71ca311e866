#include <weir/sops/sops.hpp>

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include "support.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

using namespace weir;

namespace {

std::string b64(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string unb64(std::string_view in)
{
    std::string out(in.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    REQUIRE(n >= 0);
    std::size_t pad = in.size() >= 2 && in.substr(in.size() - 2) == "==" ? 2 : !in.empty() && in.back() == '=' ? 1 : 0;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

struct keyed {
    test::cli_key key = test::age_keygen();
    sops::keys keys = sops::keys_from_secret({{"age.agekey", key.key_file}}, "flux-system/sops").value();
};

} // namespace

TEST_CASE("decrypt_object decrypts a whole SOPS-encrypted Secret in the build output", "[sops][object]")
{
    keyed k;
    test::sops_writer w({k.key.recipient}, {.unencrypted_suffix = "", .encrypted_regex = "^(data|stringData)$"});
    value plain = parse_yaml("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\n"
                             "stringData:\n  url: postgres://u:p@db/x\n")
                      .value();
    value obj = w.encrypt_document(plain);
    auto changed = sops::decrypt_object(obj, k.keys);
    REQUIRE(changed);
    CHECK(*changed);
    CHECK(obj == plain);

    value untouched = plain;
    auto none = sops::decrypt_object(untouched, k.keys);
    REQUIRE(none);
    CHECK_FALSE(*none);

    value opted_out = w.encrypt_document(plain);
    opted_out["metadata"]["annotations"] = object{{"kustomize.toolkit.fluxcd.io/decrypt", "Disabled"}};
    CHECK(sops::decryption_disabled(opted_out));
    auto skipped = sops::decrypt_object(opted_out, k.keys);
    REQUIRE(skipped);
    CHECK_FALSE(*skipped);
    CHECK(opted_out.find("sops") != nullptr);

    keyed other;
    value wrong = w.encrypt_document(plain);
    auto err = sops::decrypt_object(wrong, other.keys);
    REQUIRE_FALSE(err);
    CHECK(err.err().message.find("Secret apps/db") != std::string::npos);
}

TEST_CASE("decrypt_object decrypts encrypted files inside Secret data in the format of their key", "[sops][object]")
{
    keyed k;
    test::sops_writer w({k.key.recipient});
    std::string env = w.encrypt_dotenv({{"USER", "admin"}, {"PASS", "x<y>&z"}});
    std::string json = to_json(w.encrypt_document(object{{"auths", object{{"r.io", object{{"auth", "abc"}}}}}}),
                               {.indent = 4});
    std::string yaml = to_yaml(w.encrypt_document(object{{"a", "b"}, {"num", 1}}));
    value obj = object{{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", object{{"name", "gen-abc123"}}},
                       {"data", object{{"app.env", b64(env)},
                                       {".dockerconfigjson", b64(json)},
                                       {"config.yaml", b64(yaml)},
                                       {"as.json", b64(env)},
                                       {"plain", b64("not encrypted")},
                                       {"notbase64", "%%%"}}}};
    auto changed = sops::decrypt_object(obj, k.keys);
    REQUIRE(changed);
    CHECK(*changed);
    const value& data = *obj.find("data");
    CHECK(unb64(data.find("app.env")->as_string()) == "USER=admin\nPASS=x<y>&z\n");
    // JSON is written as SOPS writes it: tabs, Go's HTML-safe escapes, a final newline.
    CHECK(unb64(data.find(".dockerconfigjson")->as_string()) ==
          "{\n\t\"auths\": {\n\t\t\"r.io\": {\n\t\t\t\"auth\": \"abc\"\n\t\t}\n\t}\n}\n");
    CHECK(unb64(data.find("config.yaml")->as_string()) == "a: b\nnum: 1\n");
    CHECK(unb64(data.find("as.json")->as_string()) ==
          "{\n\t\"USER\": \"admin\",\n\t\"PASS\": \"x\\u003cy\\u003e\\u0026z\"\n}\n");
    CHECK(unb64(data.find("plain")->as_string()) == "not encrypted");
    CHECK(data.find("notbase64")->as_string() == "%%%");
}

TEST_CASE("decrypt_file converts between formats like sops --output-type", "[sops][object]")
{
    keyed k;
    test::sops_writer w({k.key.recipient});
    std::string yaml = to_yaml(w.encrypt_document(parse_yaml("k: v\nn: 2.5\nb: false\nl: [1, {x: []}]\ne: {}\n").value()));
    auto json = sops::decrypt_file(yaml, sops::format::yaml, sops::format::json, k.keys, "f.yaml");
    REQUIRE(json);
    CHECK(*json == "{\n\t\"k\": \"v\",\n\t\"n\": 2.5,\n\t\"b\": false,\n\t\"l\": [\n\t\t1,\n\t\t{\n\t\t\t\"x\": []\n\t\t}\n"
                   "\t],\n\t\"e\": {}\n}\n");
    auto env = sops::decrypt_file(yaml, sops::format::yaml, sops::format::dotenv, k.keys, "f.yaml");
    REQUIRE_FALSE(env); // a list cannot be written as dotenv
    CHECK(env.err().message.find("offending key l") != std::string::npos);
    std::string flat = to_yaml(w.encrypt_document(parse_yaml("A: x\nB: 3\nC: true\nD: 2.0\n").value()));
    auto ok = sops::decrypt_file(flat, sops::format::yaml, sops::format::dotenv, k.keys, "f.yaml");
    REQUIRE(ok);
    CHECK(*ok == "A=x\nB=3\nC=true\nD=2.0\n");
}
