#include "gpg_home.hpp"

#include <weir/openpgp/openpgp.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace weir;
using weir::test::gpg_home;

namespace {

openpgp::keyring ring_of(const std::string& armored)
{
    openpgp::keyring keys;
    auto added = keys.add(armored, "test key");
    INFO((added ? "" : added.err().message));
    REQUIRE(added);
    return keys;
}

std::string fingerprint_key_id(const std::string& fpr)
{
    return fpr.substr(24);
}

} // namespace

TEST_CASE("crc24 is OpenPGP's CRC-24 (check value 0x21CF02 over '123456789')")
{
    CHECK(openpgp::crc24("") == 0xB704CEu);
    CHECK(openpgp::crc24("123456789") == 0x21CF02u);
}

TEST_CASE("detached signatures made by gpg with RSA, Ed25519, ECDSA P-256 and P-384 keys verify")
{
    gpg_home gpg;
    for (std::string algo : {"rsa2048", "ed25519", "nistp256", "nistp384"}) {
        DYNAMIC_SECTION(algo)
        {
            std::string fpr = gpg.generate(algo + " <" + algo + "@example.com>", algo);
            auto keys = ring_of(gpg.export_key(fpr));
            std::string data = "tree 1234\nauthor someone\n\nsigned payload for " + algo + "\n";
            auto who = openpgp::verify_detached(keys, gpg.sign(fpr, data), data);
            INFO((who ? "" : who.err().message));
            REQUIRE(who);
            CHECK(who->key_id == fingerprint_key_id(fpr));
            CHECK(who->fingerprint == fpr);
            CHECK(who->user_id == algo + " <" + algo + "@example.com>");
        }
    }
}

TEST_CASE("a signature by a signing subkey verifies and reports the primary key's ID, and encryption subkeys are "
          "not trusted to sign")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("Sub <sub@example.com>", "ed25519", "cert");
    gpg.add_subkey(fpr, "cv25519", "encr");
    gpg.add_subkey(fpr, "ed25519", "sign");
    auto keys = ring_of(gpg.export_key(fpr));
    REQUIRE(keys.entities().size() == 1);
    REQUIRE(keys.entities()[0].subkeys.size() == 1); // the signing one only
    auto who = openpgp::verify_detached(keys, gpg.sign(fpr, "data"), "data");
    INFO((who ? "" : who.err().message));
    REQUIRE(who);
    CHECK(who->key_id == fingerprint_key_id(fpr));
    CHECK(who->signing_key_id != who->key_id);
}

TEST_CASE("altered data or an altered signature is refused")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("T <t@example.com>", "ed25519");
    auto keys = ring_of(gpg.export_key(fpr));
    std::string sig = gpg.sign(fpr, "original");
    auto altered = openpgp::verify_detached(keys, sig, "0riginal");
    REQUIRE_FALSE(altered);
    CHECK(altered.err().terminal());
    CHECK_THAT(altered.err().message, Catch::Contains("altered") && Catch::Contains(fingerprint_key_id(fpr)));

    // Flip one bit of the binary signature value and re-armor it without a checksum line.
    auto blocks = openpgp::dearmor(sig);
    REQUIRE(blocks);
    std::string bin = (*blocks)[0].data;
    bin[bin.size() - 5] = static_cast<char>(bin[bin.size() - 5] ^ 0x01);
    CHECK_FALSE(openpgp::verify_detached(keys, bin, "original"));
}

TEST_CASE("a signature by a key that is not in the keyring is refused naming the signer's key")
{
    gpg_home gpg;
    std::string trusted = gpg.generate("Trusted <t@example.com>", "ed25519");
    std::string other = gpg.generate("Other <o@example.com>", "ed25519");
    auto keys = ring_of(gpg.export_key(trusted));
    auto r = openpgp::verify_detached(keys, gpg.sign(other, "data"), "data");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains(other) && Catch::Contains("not among the trusted keys") &&
                                    Catch::Contains(fingerprint_key_id(trusted)));
}

TEST_CASE("a keyring holding several armored keys trusts each of them")
{
    gpg_home gpg;
    std::string a = gpg.generate("A <a@example.com>", "ed25519");
    std::string b = gpg.generate("B <b@example.com>", "nistp256");
    auto keys = ring_of(gpg.export_key(a) + "\n" + gpg.export_key(b));
    CHECK(keys.entities().size() == 2);
    auto r = openpgp::verify_detached(keys, gpg.sign(b, "x"), "x");
    REQUIRE(r);
    CHECK(r->key_id == fingerprint_key_id(b));
}

TEST_CASE("armor whose CRC24 line does not match its body is refused as corrupt")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("C <c@example.com>", "ed25519");
    std::string armored = gpg.export_key(fpr);
    auto eq = armored.rfind("\n=");
    REQUIRE(eq != std::string::npos);
    armored[eq + 2] = armored[eq + 2] == 'A' ? 'B' : 'A';
    openpgp::keyring keys;
    auto r = keys.add(armored, "Secret 'ns/keys' key 'c.asc'");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("CRC24") && Catch::Contains("c.asc"));
}

TEST_CASE("a text-mode signature verifies over LF-terminated data")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("X <x@example.com>", "rsa2048");
    auto keys = ring_of(gpg.export_key(fpr));
    std::string data = "line one\nline two\n";
    auto r = openpgp::verify_detached(keys, gpg.sign(fpr, data, {"--textmode"}), data);
    INFO((r ? "" : r.err().message));
    CHECK(r);
}

TEST_CASE("a SHA-1 document signature is refused")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("S <s@example.com>", "ed25519");
    auto keys = ring_of(gpg.export_key(fpr));
    auto r = openpgp::verify_detached(keys, gpg.sign(fpr, "d", {"--digest-algo", "SHA1"}), "d");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("SHA-1"));
}

TEST_CASE("a primary key revoked by its own revocation certificate is not trusted")
{
    gpg_home gpg;
    std::string fpr = gpg.generate("R <r@example.com>", "ed25519");
    std::string sig = gpg.sign(fpr, "d");
    // gpg writes a revocation certificate at key generation, guarded by a leading ':'.
    std::string rev = gpg_home::slurp(gpg.dir() / "openpgp-revocs.d" / (fpr + ".rev"));
    auto guard = rev.find(":-----BEGIN");
    REQUIRE(guard != std::string::npos);
    rev.erase(guard, 1);
    std::ofstream(gpg.dir() / "rev.asc") << rev;
    gpg.gpg({"--import", (gpg.dir() / "rev.asc").string()});
    openpgp::keyring keys;
    auto r = keys.add(gpg.export_key(fpr), "revoked.asc");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("no usable"));
}

TEST_CASE("data that is not OpenPGP is refused with a message saying so")
{
    openpgp::keyring keys;
    CHECK_FALSE(keys.add("hello", "k"));
    CHECK_FALSE(keys.add("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n", "k"));
    CHECK_FALSE(openpgp::verify_detached(
        keys, "-----BEGIN PGP SIGNATURE-----\n\nwsBc\n-----END PGP SIGNATURE-----\n", "x"));
}
