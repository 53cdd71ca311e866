#include <weir/sops/age.hpp>

#include "support.hpp"

#include <catch2/catch.hpp>
#include <support/paths.hpp>

using namespace weir;
namespace age = weir::sops::age;

namespace {

std::vector<age::identity> ids_of(const test::cli_key& k)
{
    auto ids = age::parse_identities(k.key_file, "key.txt");
    REQUIRE(ids);
    return *ids;
}

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
    return s;
}

} // namespace

TEST_CASE("age decrypts binary and armored files made by the age CLI", "[sops][age]")
{
    auto key = test::age_keygen();
    auto ids = ids_of(key);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0].recipient() == key.recipient);
    for (bool armor : {false, true}) {
        std::string plain = "apiVersion: v1\nkind: Secret\nstringData:\n  password: hunter2\n";
        auto file = test::age_cli_encrypt(plain, {key.recipient}, armor);
        CHECK(age::is_armored(file) == armor);
        auto out = age::decrypt(file, ids, "secret.yaml.age");
        REQUIRE(out);
        CHECK(*out == plain);
    }
}

TEST_CASE("age decrypts payloads at and around the 64 KiB chunk boundary", "[sops][age]")
{
    auto key = test::age_keygen();
    auto ids = ids_of(key);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                          std::size_t{65537}, std::size_t{131072}, std::size_t{200000}}) {
        std::string plain = pattern(n);
        auto out = age::decrypt(test::age_cli_encrypt(plain, {key.recipient}, false), ids);
        REQUIRE(out);
        CHECK(out->size() == n);
        CHECK(*out == plain);
    }
}

TEST_CASE("age finds the matching identity among several keys and several recipients", "[sops][age]")
{
    auto a = test::age_keygen(), b = test::age_keygen(), c = test::age_keygen();
    auto file = test::age_cli_encrypt("multi", {a.recipient, b.recipient}, true);
    auto ids = age::parse_identities(c.key_file + "\n" + b.key_file, "keys");
    REQUIRE(ids);
    REQUIRE(ids->size() == 2);
    auto out = age::decrypt(file, *ids);
    REQUIRE(out);
    CHECK(*out == "multi");
}

TEST_CASE("age with the wrong key says no identity matches and lists the keys tried", "[sops][age]")
{
    auto right = test::age_keygen(), wrong = test::age_keygen();
    auto out = age::decrypt(test::age_cli_encrypt("x", {right.recipient}, true), ids_of(wrong), "db.age");
    REQUIRE_FALSE(out);
    CHECK(out.err().terminal());
    CHECK(out.err().message.find("db.age: no age identity matches") != std::string::npos);
    CHECK(out.err().message.find(wrong.recipient) != std::string::npos);
    CHECK(out.err().message.find(".agekey") != std::string::npos);
    CHECK(out.err().message.find("X25519") != std::string::npos);
}

TEST_CASE("age refuses a flipped byte anywhere in the file", "[sops][age]")
{
    auto key = test::age_keygen();
    auto ids = ids_of(key);
    std::string file = test::age_cli_encrypt(pattern(70000), {key.recipient}, false);
    auto header = age::parse_header(file);
    REQUIRE(header);
    std::size_t mac_line = header->mac_input_size + 2; // inside the base64 MAC
    struct spot {
        std::size_t at;
        const char* expect;
    };
    for (spot s : {spot{header->mac_input_size - 10, ""}, spot{mac_line, "MAC"},
                   spot{header->payload_offset + 3, "chunk 0"}, spot{header->payload_offset + 40, "chunk 0"},
                   spot{file.size() - 5, "chunk 1"}}) {
        std::string bad = file;
        bad[s.at] = static_cast<char>(bad[s.at] ^ 0x01);
        auto out = age::decrypt(bad, ids);
        REQUIRE_FALSE(out);
        CHECK(out.err().message.find(s.expect) != std::string::npos);
    }
}

TEST_CASE("age refuses truncated binary and armored input", "[sops][age]")
{
    auto key = test::age_keygen();
    auto ids = ids_of(key);
    std::string file = test::age_cli_encrypt(pattern(70000), {key.recipient}, false);
    auto header = age::parse_header(file);
    REQUIRE(header);
    for (std::size_t cut : {std::size_t{0}, std::size_t{10}, header->mac_input_size, header->payload_offset,
                            header->payload_offset + 16, header->payload_offset + 65536 + 16 + 16,
                            file.size() - 1}) {
        auto out = age::decrypt(file.substr(0, cut), ids);
        REQUIRE_FALSE(out);
        CHECK(out.err().terminal());
    }
    std::string armored = test::age_cli_encrypt("short", {key.recipient}, true);
    auto no_end = age::decrypt(armored.substr(0, armored.find("-----END")), ids);
    REQUIRE_FALSE(no_end);
    CHECK(no_end.err().message.find("truncated") != std::string::npos);
    // Losing a whole line in the middle breaks the 64-column shape or the content.
    std::string big = test::age_cli_encrypt(pattern(500), {key.recipient}, true);
    std::size_t second = big.find('\n', big.find('\n') + 1) + 1;
    std::string missing = big.substr(0, second) + big.substr(big.find('\n', second) + 1);
    CHECK_FALSE(age::decrypt(missing, ids));
}

TEST_CASE("age identities parse age-keygen files and reject bad ones without echoing them", "[sops][age]")
{
    auto key = test::age_keygen();
    std::string line = key.key_file.substr(key.key_file.find("AGE-SECRET-KEY-1"));
    line = line.substr(0, line.find('\n'));
    auto id = age::parse_identity(line);
    REQUIRE(id);
    CHECK(age::format_identity(*id) == line);

    std::string flipped = line;
    flipped[20] = flipped[20] == 'Q' ? 'P' : 'Q';
    auto bad = age::parse_identities("# comment\n\n" + flipped + "\n", "secret flux-system/sops key age.agekey");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("line 3") != std::string::npos);
    CHECK(bad.err().message.find("age.agekey") != std::string::npos);
    CHECK(bad.err().message.find(flipped) == std::string::npos);

    std::string mixed = line;
    mixed[25] = static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[25])));
    if (mixed != line) CHECK_FALSE(age::parse_identity(mixed));
    CHECK_FALSE(age::parse_identities("# only comments\n", "k"));
    auto pq = age::parse_identity("AGE-SECRET-KEY-PQ-1Z8QMHKS77CVF95LF38SMLT0MEFR00HVMW58DJGD5USLGCVXTJCSQNRKCNK");
    REQUIRE_FALSE(pq);
    CHECK(pq.err().message.find("post-quantum") != std::string::npos);
    CHECK_FALSE(age::parse_identity("AGE-PLUGIN-YUBIKEY-1XYZ"));
}

TEST_CASE("age files encrypted by weir decrypt with the age CLI", "[sops][age]")
{
    auto a = test::age_keygen(), b = test::age_keygen();
    for (bool armor : {false, true}) {
        std::string plain = pattern(100000);
        auto file = age::encrypt(plain, {a.recipient, b.recipient}, armor);
        REQUIRE(file);
        CHECK(test::age_cli_decrypt(*file, b.key_file) == plain);
        CHECK(test::age_cli_decrypt(*file, test::age_keygen().key_file) == "<failed>");
    }
    CHECK_FALSE(age::encrypt("x", {"age1notakey"}));
    auto gen = age::generate_identity();
    auto own = age::encrypt("self", {gen.recipient()});
    REQUIRE(own);
    auto back = age::decrypt(*own, {gen});
    REQUIRE(back);
    CHECK(*back == "self");
}

TEST_CASE("age passphrase files use scrypt and refuse a wrong passphrase or a huge work factor", "[sops][age]")
{
    auto file = age::encrypt_with_passphrase("pw-protected", "correct horse", 10, true);
    REQUIRE(file);
    auto out = age::decrypt_with_passphrase(*file, "correct horse");
    REQUIRE(out);
    CHECK(*out == "pw-protected");
    auto wrong = age::decrypt_with_passphrase(*file, "wrong");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.err().message.find("incorrect passphrase") != std::string::npos);
    auto limited = age::decrypt_with_passphrase(*file, "correct horse", "f", 8);
    REQUIRE_FALSE(limited);
    CHECK(limited.err().message.find("work factor") != std::string::npos);
    auto with_keys = age::decrypt(*file, {age::generate_identity()});
    REQUIRE_FALSE(with_keys);
    CHECK(with_keys.err().message.find("passphrase") != std::string::npos);
}

TEST_CASE("age decrypts a passphrase file made by the age CLI (scrypt work factor 2^18)", "[sops][age]")
{
    std::string file = test::read_file(test::source_dir() / "tests/unit/sops/testdata/age/scrypt_cli.age");
    REQUIRE_FALSE(file.empty());
    auto out = age::decrypt_with_passphrase(file, "weir-test-passphrase", "scrypt_cli.age");
    REQUIRE(out);
    CHECK(*out == "scrypt fixture plaintext\n");
    auto capped = age::decrypt_with_passphrase(file, "weir-test-passphrase", "scrypt_cli.age", 16);
    REQUIRE_FALSE(capped);
    CHECK(capped.err().message.find("2^18") != std::string::npos);
}

TEST_CASE("age header parser accepts unknown stanzas and rejects malformed headers", "[sops][age]")
{
    std::string mac = "--- " + std::string(43, 'A') + "\n";
    auto ok = age::parse_header("age-encryption.org/v1\n-> grease-x a b\n\n-> X25519 c\nZGF0YQ\n" + mac + "payload");
    REQUIRE(ok);
    REQUIRE(ok->stanzas.size() == 2);
    CHECK(ok->stanzas[0].type == "grease-x");
    CHECK(ok->stanzas[0].args.size() == 2);
    CHECK(ok->stanzas[1].body == "data");
    CHECK(ok->payload_offset == ok->mac_input_size + 1 + 43 + 1);

    for (const char* bad : {"", "age-encryption.org/v2\n", "hello\n", "age-encryption.org/v1\n",
                            "age-encryption.org/v1\n-> \n\n", "age-encryption.org/v1\n->  x\n\n",
                            "age-encryption.org/v1\n-> x\nnot base64!\n", "age-encryption.org/v1\nbogus\n",
                            "age-encryption.org/v1\n-> x\n"}) {
        auto r = age::parse_header(std::string(bad) + (std::string_view(bad).size() > 30 ? mac : ""));
        CHECK_FALSE(r);
    }
    std::string long_body = "age-encryption.org/v1\n-> x\n" + std::string(64, 'A') + "\n" + mac;
    CHECK_FALSE(age::parse_header(long_body)); // a full line must be followed by a short one
    CHECK(age::parse_header("age-encryption.org/v1\n-> x\n" + std::string(64, 'A') + "\n\n" + mac));
}

TEST_CASE("age armor round-trips and rejects re-wrapped or padded-wrong input", "[sops][age]")
{
    std::string bin = pattern(200);
    std::string arm = age::armor(bin);
    auto back = age::dearmor("\n  " + arm + "\n\n");
    REQUIRE(back);
    CHECK(*back == bin);
    std::string crlf;
    for (char c : arm) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(age::dearmor(crlf));
    CHECK_FALSE(age::dearmor(arm + "trailing"));
    std::string rewrapped = arm;
    rewrapped.erase(rewrapped.find('\n', 40), 1); // joins two lines: one too long
    CHECK_FALSE(age::dearmor(rewrapped));
    CHECK_FALSE(age::dearmor("-----BEGIN AGE ENCRYPTED FILE-----\nYQ\n-----END AGE ENCRYPTED FILE-----\n"));
}
