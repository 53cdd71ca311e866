#include <weir/sops/sops.hpp>

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <support/paths.hpp>

using namespace weir;

namespace {

struct fixture {
    test::cli_key key = test::age_keygen();
    sops::keys keys = make_keys(key.key_file);

    static sops::keys make_keys(const std::string& text)
    {
        auto k = sops::keys_from_secret({{"age.agekey", text}}, "flux-system/sops-age");
        REQUIRE(k);
        return *k;
    }
};

value plain_secret()
{
    auto v = parse_yaml(R"(apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
stringData:
  password: "p@ss: #1 {x}"
  multi: |
    line one
    line two
  empty: ""
  count: 42
  ratio: 1.5
  enabled: true
  list: [a, 7, false]
  nested: {deep: {deeper: value}}
  nothing: null
)");
    REQUIRE(v);
    return *v;
}

std::string flux_file(const char* name)
{
    return test::read_file(test::source_dir() / "tests/unit/sops/testdata/flux" / name);
}

} // namespace

TEST_CASE("sops decrypts a YAML document encrypted for an age key, with types and key order", "[sops]")
{
    fixture f;
    test::sops_writer w({f.key.recipient});
    value plain = plain_secret();
    value enc = w.encrypt_document(plain);
    CHECK(enc.find_path({"stringData", "password"})->as_string().rfind("ENC[AES256_GCM,", 0) == 0);
    CHECK(enc.find_path({"stringData", "empty"})->as_string().empty());
    CHECK(sops::has_metadata(enc));

    auto out = sops::decrypt_document(enc, f.keys, "secret.yaml");
    REQUIRE(out);
    CHECK(*out == plain);
    CHECK(to_yaml(*out) == to_yaml(plain)); // same key order
    CHECK(out->find_path({"stringData", "count"})->is_int());
    CHECK(out->find_path({"stringData", "ratio"})->is_double());
    CHECK(out->find_path({"stringData", "enabled"})->is_bool());

    auto text = sops::decrypt_file(to_yaml(enc), sops::format::yaml, f.keys, "secret.yaml");
    REQUIRE(text);
    CHECK(*text == to_yaml(plain));
}

TEST_CASE("sops decrypts JSON, dotenv and binary files", "[sops]")
{
    fixture f;
    test::sops_writer w({f.key.recipient});
    value plain = plain_secret();
    auto json = sops::decrypt_file(to_json(w.encrypt_document(plain), {.indent = 4}), sops::format::json, f.keys,
                                   "secret.json");
    REQUIRE(json);
    auto reparsed = parse_json(*json);
    REQUIRE(reparsed);
    CHECK(*reparsed == plain);

    std::vector<std::pair<std::string, std::string>> env{
        {"DB_USER", "admin"}, {"DB_PASS", "s3cr3t=with=equals"}, {"MULTI", "a\nb"}, {"PLAIN_unencrypted", "x"}};
    std::string env_file = w.encrypt_dotenv(env);
    CHECK(env_file.find("PLAIN_unencrypted=x\n") != std::string::npos);
    CHECK(sops::looks_encrypted(env_file, sops::format::dotenv));
    auto dotenv = sops::decrypt_file(env_file, sops::format::dotenv, f.keys, "app.env");
    REQUIRE(dotenv);
    CHECK(*dotenv == "DB_USER=admin\nDB_PASS=s3cr3t=with=equals\nMULTI=a\\nb\nPLAIN_unencrypted=x\n");

    std::string bin(300, '\0');
    for (std::size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>(i * 7);
    auto binary = sops::decrypt_file(w.encrypt_binary("raw\x01\x02 bytes\n"), sops::format::binary, f.keys, "blob");
    REQUIRE(binary);
    CHECK(*binary == "raw\x01\x02 bytes\n");
    CHECK(sops::format_for_path("a/b.yml") == sops::format::yaml);
    CHECK(sops::format_for_path("x.env") == sops::format::dotenv);
    CHECK(sops::format_for_path("x.json") == sops::format::json);
    CHECK(sops::format_for_path("key.pem") == sops::format::binary);
}

TEST_CASE("sops decrypts real SOPS 3.9 files from Flux's test data", "[sops][flux]")
{
    auto k = sops::keys_from_secret({{"age.agekey", flux_file("age.txt")}}, "flux-system/sops-age");
    REQUIRE(k);
    auto yaml = sops::decrypt_file(flux_file("age.yaml"), sops::format::yaml, *k, "age.yaml");
    REQUIRE(yaml);
    auto doc = parse_yaml(*yaml);
    REQUIRE(doc);
    CHECK(doc->find_path({"stringData", "key"})->as_string() == "value");
    CHECK(doc->find_path({"metadata", "name"})->as_string() == "age"); // outside encrypted_regex
    CHECK(doc->find("sops") == nullptr);

    auto env = sops::decrypt_file(flux_file("env.env"), sops::format::dotenv, *k, "env.env");
    REQUIRE(env);
    CHECK(*env == "key=value\n");
    auto bin = sops::decrypt_file(flux_file("file.txt"), sops::format::binary, *k, "file.txt");
    REQUIRE(bin);
    CHECK(*bin == "value");
}

TEST_CASE("sops uses the key path without list indices as additional data", "[sops]")
{
    fixture f;
    test::sops_writer w({f.key.recipient});
    value plain = parse_yaml("a:\n  b: [x, y]\n  c: z\n").value();
    value enc = w.encrypt_document(plain);
    // Both list items were encrypted under "a:b:", so swapping them keeps GCM happy and only the
    // MAC (which hashes values in order) notices.
    auto& list = (*enc.find_path({"a", "b"})).as_array();
    std::swap(list[0], list[1]);
    auto swapped = sops::decrypt_document(enc, f.keys, "f.yaml");
    REQUIRE_FALSE(swapped);
    CHECK(swapped.err().message.find("MAC mismatch") != std::string::npos);
    // Moving a value to another key fails authentication and names the path.
    value moved = w.encrypt_document(plain);
    moved["a"]["c"] = moved.find_path({"a", "b"})->as_array()[0];
    auto r = sops::decrypt_document(moved, f.keys, "f.yaml");
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("a.c") != std::string::npos);
    CHECK(r.err().message.find("authentication failed") != std::string::npos);
    // An ENC value built by hand under the right path decrypts.
    value hand = w.encrypt_document(plain);
    hand["a"]["c"] = w.encrypt_scalar(value("z"), "a:c:");
    CHECK(sops::decrypt_document(hand, f.keys, "f.yaml"));
}

TEST_CASE("sops tampering: a flipped ciphertext byte fails GCM, a re-encrypted value fails the MAC", "[sops]")
{
    fixture f;
    test::sops_writer w({f.key.recipient});
    value enc = w.encrypt_document(plain_secret());
    std::string& pw = enc["stringData"]["password"].as_string();
    std::string flipped = pw;
    flipped[22] = flipped[22] == 'A' ? 'B' : 'A';
    value bad = enc;
    bad["stringData"]["password"] = flipped;
    auto gcm = sops::decrypt_document(bad, f.keys, "secret.yaml");
    REQUIRE_FALSE(gcm);
    CHECK(gcm.err().message.find("stringData.password") != std::string::npos);

    value swapped = enc;
    swapped["stringData"]["password"] = w.encrypt_scalar(value("attacker"), "stringData:password:");
    auto mac = sops::decrypt_document(swapped, f.keys, "secret.yaml");
    REQUIRE_FALSE(mac);
    CHECK(mac.err().message.find("MAC mismatch") != std::string::npos);
    CHECK(mac.err().message.find("secret.yaml") != std::string::npos);

    value added = enc;
    added["stringData"]["extra"] = w.encrypt_scalar(value("x"), "stringData:extra:");
    CHECK_FALSE(sops::decrypt_document(added, f.keys, "secret.yaml"));
    value removed = enc;
    removed["stringData"].as_object().erase("count");
    CHECK_FALSE(sops::decrypt_document(removed, f.keys, "secret.yaml"));

    value stamped = enc;
    stamped["sops"]["lastmodified"] = "2030-01-01T00:00:00Z";
    auto ts = sops::decrypt_document(stamped, f.keys, "secret.yaml");
    REQUIRE_FALSE(ts);
    CHECK(ts.err().message.find("MAC cannot be decrypted") != std::string::npos);
}

TEST_CASE("sops honours unencrypted_suffix, encrypted_suffix and the regex rules", "[sops]")
{
    fixture f;
    value plain = parse_yaml("metadata:\n  name: app\ndata:\n  token: abc\n  note_unencrypted: hi\nother: 3\n").value();
    SECTION("encrypted_regex: only matching keys are encrypted, the rest still count in the MAC")
    {
        test::sops_writer w({f.key.recipient}, {.unencrypted_suffix = "", .encrypted_regex = "^(data|stringData)$"});
        value enc = w.encrypt_document(plain);
        CHECK(enc.find_path({"metadata", "name"})->as_string() == "app");
        auto out = sops::decrypt_document(enc, f.keys, "f");
        REQUIRE(out);
        CHECK(*out == plain);
        enc["metadata"]["name"] = "changed";
        CHECK_FALSE(sops::decrypt_document(enc, f.keys, "f"));
    }
    SECTION("unencrypted_suffix keeps those keys plain")
    {
        test::sops_writer w({f.key.recipient});
        value enc = w.encrypt_document(plain);
        CHECK(enc.find_path({"data", "note_unencrypted"})->as_string() == "hi");
        auto out = sops::decrypt_document(enc, f.keys, "f");
        REQUIRE(out);
        CHECK(*out == plain);
    }
    SECTION("encrypted_suffix and unencrypted_regex")
    {
        test::sops_writer w({f.key.recipient}, {.unencrypted_suffix = "", .encrypted_suffix = "ken"});
        value enc = w.encrypt_document(plain);
        CHECK(enc.find_path({"other"})->as_int() == 3);
        REQUIRE(sops::decrypt_document(enc, f.keys, "f"));
        test::sops_writer u({f.key.recipient}, {.unencrypted_suffix = "", .unencrypted_regex = "^meta"});
        value enc2 = u.encrypt_document(plain);
        CHECK(enc2.find_path({"metadata", "name"})->as_string() == "app");
        auto out = sops::decrypt_document(enc2, f.keys, "f");
        REQUIRE(out);
        CHECK(*out == plain);
    }
    SECTION("mac_only_encrypted leaves plain values out of the MAC")
    {
        test::sops_writer w({f.key.recipient}, {.encrypted_regex = "^data$", .mac_only_encrypted = true});
        value enc = w.encrypt_document(plain);
        enc["metadata"]["name"] = "changed-freely";
        auto out = sops::decrypt_document(enc, f.keys, "f");
        REQUIRE(out);
        CHECK(out->find_path({"metadata", "name"})->as_string() == "changed-freely");
    }
}

TEST_CASE("sops evaluates encrypted_regex with Go's RE2 syntax and refuses invalid patterns", "[sops]")
{
    fixture f;
    value plain = parse_yaml("metadata:\n  name: app\ndata:\n  token: abc\n").value();
    test::sops_writer w({f.key.recipient}, {.unencrypted_suffix = "", .encrypted_regex = "^data$"});
    value enc = w.encrypt_document(plain);
    enc["sops"]["encrypted_regex"] = "(?i)^DATA$"; // inline flags: Go/RE2 only, not ECMAScript
    auto out = sops::decrypt_document(enc, f.keys, "f.yaml");
    REQUIRE(out);
    CHECK(*out == plain);
    enc["sops"]["encrypted_regex"] = "(unclosed";
    auto bad = sops::decrypt_document(enc, f.keys, "f.yaml");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("not a valid regular expression") != std::string::npos);
}

TEST_CASE("sops with the wrong key says which secret entry to add", "[sops]")
{
    fixture f, other;
    test::sops_writer w({f.key.recipient});
    auto r = sops::decrypt_document(w.encrypt_document(plain_secret()), other.keys, "apps/secret.yaml");
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(r.err().reason == "DecryptionFailed");
    CHECK(r.err().message.find("apps/secret.yaml: no age identity matches the recipients of this file") !=
          std::string::npos);
    CHECK(r.err().message.find(f.key.recipient) != std::string::npos);
    CHECK(r.err().message.find("<name>.agekey") != std::string::npos);

    auto none = sops::decrypt_document(w.encrypt_document(plain_secret()), sops::keys{}, "s.yaml");
    REQUIRE_FALSE(none);
    CHECK(none.err().message.find("no age identity is available") != std::string::npos);

    // Two recipients: the second one's key is enough.
    test::sops_writer both({other.key.recipient, f.key.recipient});
    CHECK(sops::decrypt_document(both.encrypt_document(plain_secret()), f.keys, "s.yaml"));
}

TEST_CASE("sops reports missing metadata and unsupported key types clearly and reads a single key group", "[sops]")
{
    fixture f;
    auto missing = sops::decrypt_document(plain_secret(), f.keys, "plain.yaml");
    REQUIRE_FALSE(missing);
    CHECK(missing.err().message.find("no sops metadata") != std::string::npos);
    CHECK_FALSE(sops::has_metadata(plain_secret()));

    test::sops_writer w({f.key.recipient});
    value enc = w.encrypt_document(plain_secret());
    value pgp = enc;
    pgp["sops"].as_object().erase("age");
    pgp["sops"]["pgp"] = array{object{{"fp", "35C1A64CD7FC0AB6"}, {"enc", "-----BEGIN PGP MESSAGE-----"}}};
    pgp["sops"]["kms"] = array{object{{"arn", "arn:aws:kms:..."}, {"enc", "x"}}};
    auto r = sops::decrypt_document(pgp, f.keys, "pgp.yaml");
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("encrypted only for PGP, AWS KMS") != std::string::npos);
    CHECK(r.err().message.find("add an age recipient") != std::string::npos);

    value grouped = enc;
    value age_list = *enc.find_path({"sops", "age"});
    grouped["sops"].as_object().erase("age");
    grouped["sops"]["key_groups"] = array{object{{"age", age_list}}};
    CHECK(sops::decrypt_document(grouped, f.keys, "g.yaml"));

    value no_mac = enc;
    no_mac["sops"].as_object().erase("mac");
    CHECK_FALSE(sops::decrypt_document(no_mac, f.keys, "m.yaml"));

    auto keys = sops::keys_from_secret({{"pgp.asc", "x"}, {"sops.aws-kms", "y"}}, "ns/s");
    REQUIRE(keys);
    auto only_pgp = sops::decrypt_document(enc, *keys, "s.yaml");
    REQUIRE_FALSE(only_pgp);
    CHECK(only_pgp.err().message.find("pgp.asc") != std::string::npos);
}

namespace {

std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b)
{
    std::uint8_t p = 0;
    for (int i = 0; i < 8; ++i) {
        if (b & 1) p ^= a;
        bool hi = a & 0x80;
        a = static_cast<std::uint8_t>(a << 1);
        if (hi) a ^= 0x1b;
        b >>= 1;
    }
    return p;
}

// Shamir shares of `secret` (threshold 2: a line through the secret), one per x in xs, each as
// SOPS stores a part: the y bytes followed by x.
std::vector<std::string> split2(const std::string& secret, const std::vector<std::uint8_t>& xs)
{
    std::vector<std::string> parts(xs.size());
    for (std::size_t b = 0; b < secret.size(); ++b) {
        auto slope = static_cast<std::uint8_t>(b * 37 + 11);
        for (std::size_t i = 0; i < xs.size(); ++i)
            parts[i].push_back(static_cast<char>(static_cast<std::uint8_t>(secret[b]) ^ gf_mul(slope, xs[i])));
    }
    for (std::size_t i = 0; i < xs.size(); ++i) parts[i].push_back(static_cast<char>(xs[i]));
    return parts;
}

} // namespace

TEST_CASE("sops rebuilds the data key from Shamir parts of several age key groups", "[sops]")
{
    fixture a, b, c;
    test::sops_writer w({a.key.recipient});
    value doc = w.encrypt_document(plain_secret());
    auto parts = split2(w.data_key(), {3, 200, 77});
    array groups;
    const test::cli_key* owners[] = {&a.key, &b.key, &c.key};
    for (std::size_t i = 0; i < 3; ++i)
        groups.push_back(object{{"age", array{object{{"recipient", owners[i]->recipient},
                                                      {"enc", test::age_cli_encrypt(parts[i], {owners[i]->recipient}, true)}}}}});
    doc["sops"].as_object().erase("age");
    doc["sops"]["key_groups"] = std::move(groups);
    doc["sops"]["shamir_threshold"] = 2;

    auto both = sops::keys_from_secret({{"a.agekey", a.key.key_file}, {"c.agekey", c.key.key_file}}, "ns/k");
    REQUIRE(both);
    auto out = sops::decrypt_document(doc, *both, "shamir.yaml");
    REQUIRE(out);
    CHECK(*out == plain_secret());

    auto one = sops::decrypt_document(doc, b.keys, "shamir.yaml");
    REQUIRE_FALSE(one);
    CHECK(one.err().message.find("needs the data key parts of 2") != std::string::npos);
}

TEST_CASE("sops keys_from_secret reads every .agekey entry and sets post-quantum keys aside", "[sops]")
{
    fixture a, b;
    auto k = sops::keys_from_secret(
        {{"a.agekey", a.key.key_file},
         {"b.agekey", b.key.key_file + "AGE-SECRET-KEY-PQ-1Z8QMHKS77CVF95LF38SMLT0MEFR00HVMW58DJGD5USLGCVXTJCSQNRKCNK\n"},
         {"ignored.txt", "x"}},
        "flux-system/keys");
    REQUIRE(k);
    CHECK(k->age.size() == 2);
    REQUIRE(k->unsupported.size() == 1);
    CHECK(k->unsupported[0].find("post-quantum") != std::string::npos);
    auto bad = sops::keys_from_secret({{"x.agekey", "AGE-SECRET-KEY-1QQQ"}}, "flux-system/keys");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("flux-system/keys key x.agekey") != std::string::npos);
}

TEST_CASE("sops value parser accepts SOPS's ENC form and rejects malformed ones", "[sops]")
{
    auto v = sops::parse_encrypted_value(
        "ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,"
        "type:str]");
    REQUIRE(v);
    CHECK(v->data.size() == 5);
    CHECK(v->iv.size() == 32);
    CHECK(v->tag.size() == 16);
    CHECK(v->type == "str");
    for (const char* bad : {"", "ENC[", "ENC[AES256_GCM,data:YQ==]", "ENC[AES256_CBC,data:YQ==,iv:YQ==,tag:YQ==,type:str]",
                            "ENC[AES256_GCM,data:@@,iv:YQ==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
                            "ENC[AES256_GCM,data:YQ==,iv:YQ==,tag:YQ==,type:str]",
                            "ENC[AES256_GCM,data:YQ==,iv:YQ==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str,x:y]"})
        CHECK_FALSE(sops::parse_encrypted_value(bad));
}
