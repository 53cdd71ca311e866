#include <weir/sops/age.hpp>

#include "crypto.hpp"
#include "encoding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

namespace weir::sops::age {
namespace {

constexpr std::string_view x25519_label = "age-encryption.org/v1/X25519";
constexpr std::string_view scrypt_label = "age-encryption.org/v1/scrypt";
constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t tag_size = 16;

error bad(std::string message) { return terminal_error(std::move(message), "DecryptionFailed"); }

std::string_view bytes_of(const std::array<unsigned char, 32>& a)
{
    return {reinterpret_cast<const char*>(a.data()), a.size()};
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The STREAM nonce: an 11-byte big-endian chunk counter and a last-chunk flag.
std::string stream_nonce(std::uint64_t counter, bool last)
{
    std::string n(12, '\0');
    for (int i = 10; i >= 3; --i) {
        n[i] = static_cast<char>(counter & 0xff);
        counter >>= 8;
    }
    n[11] = last ? 1 : 0;
    return n;
}

result<std::string> decrypt_payload(std::string_view file_key, std::string_view payload, std::string_view name)
{
    if (payload.size() < 16) return bad(fmt::format("{}: age payload is truncated (no nonce)", name));
    std::string key = crypto::hkdf_sha256(file_key, payload.substr(0, 16), "payload", 32);
    payload.remove_prefix(16);
    if (payload.empty()) return bad(fmt::format("{}: age payload is truncated (no data chunk)", name));
    std::string out;
    out.reserve(payload.size());
    for (std::uint64_t counter = 0; !payload.empty(); ++counter) {
        std::size_t n = std::min(payload.size(), chunk_size + tag_size);
        bool last = n == payload.size();
        auto plain = crypto::chacha20poly1305_open(key, stream_nonce(counter, last), payload.substr(0, n));
        if (!plain) {
            crypto::cleanse(out);
            return bad(fmt::format("{}: age payload chunk {} failed authentication: the file was modified or "
                                   "truncated; encrypt it again",
                                   name, counter));
        }
        if (plain->empty() && counter > 0)
            return bad(fmt::format("{}: age payload ends with an empty chunk, which age never writes", name));
        out += *plain;
        payload.remove_prefix(n);
    }
    crypto::cleanse(key);
    return out;
}

status verify_mac(std::string_view binary, const header& h, std::string_view file_key, std::string_view name)
{
    std::string mac_key = crypto::hkdf_sha256(file_key, {}, "header", 32);
    std::string mac = crypto::hmac_sha256(mac_key, binary.substr(0, h.mac_input_size));
    crypto::cleanse(mac_key);
    if (!crypto::equal_constant_time(mac, h.mac))
        return bad(fmt::format("{}: age header MAC mismatch: the file header was modified; encrypt it again", name));
    return ok();
}

result<std::string> to_binary(std::string_view input)
{
    if (is_armored(input)) return dearmor(input);
    return std::string(input);
}

// Checks an X25519 stanza's shape; returns the decoded ephemeral share.
result<std::string> x25519_share(const stanza& s, std::string_view name)
{
    if (s.args.size() != 1) return bad(fmt::format("{}: age X25519 stanza must have exactly one argument", name));
    auto share = encoding::base64_decode(s.args[0], false);
    if (!share || share->size() != 32) return bad(fmt::format("{}: age X25519 stanza has a malformed share", name));
    if (s.body.size() != 32) return bad(fmt::format("{}: age X25519 stanza body has the wrong size", name));
    return *share;
}

std::optional<std::string> try_x25519(const stanza& s, std::string_view share, const identity& id)
{
    auto shared = crypto::x25519_derive(id.key_handle(), share);
    if (!shared) return std::nullopt; // low-order share
    std::string salt(share);
    salt += id.public_key();
    std::string wrap = crypto::hkdf_sha256(*shared, salt, x25519_label, 32);
    crypto::cleanse(*shared);
    auto file_key = crypto::chacha20poly1305_open(wrap, std::string(12, '\0'), s.body);
    crypto::cleanse(wrap);
    if (!file_key || file_key->size() != 16) return std::nullopt;
    return file_key;
}

std::string stanza_types(const header& h)
{
    std::string out;
    for (const auto& s : h.stanzas) {
        if (!out.empty()) out += ", ";
        out += s.type;
    }
    return out.empty() ? std::string("none") : out;
}

std::string header_text(const std::vector<stanza>& stanzas)
{
    std::string out("age-encryption.org/v1\n");
    for (const auto& s : stanzas) {
        out += "-> " + s.type;
        for (const auto& a : s.args) out += " " + a;
        out += "\n";
        std::string b64 = encoding::base64_encode(s.body, false);
        for (std::size_t i = 0;; i += 64) {
            std::string_view l = std::string_view(b64).substr(std::min(i, b64.size()), 64);
            out.append(l);
            out += "\n";
            if (l.size() < 64) break;
        }
    }
    out += "---";
    return out;
}

std::string seal_file(std::string_view plaintext, const std::string& file_key, const std::vector<stanza>& stanzas,
                      bool armored)
{
    std::string out = header_text(stanzas);
    std::string mac_key = crypto::hkdf_sha256(file_key, {}, "header", 32);
    out += " " + encoding::base64_encode(crypto::hmac_sha256(mac_key, out), false) + "\n";
    std::string nonce = crypto::random_bytes(16);
    std::string key = crypto::hkdf_sha256(file_key, nonce, "payload", 32);
    out += nonce;
    std::uint64_t counter = 0;
    std::size_t pos = 0;
    do {
        std::size_t n = std::min(chunk_size, plaintext.size() - pos);
        bool last = pos + n == plaintext.size();
        out += crypto::chacha20poly1305_seal(key, stream_nonce(counter++, last), plaintext.substr(pos, n));
        pos += n;
    } while (pos < plaintext.size());
    crypto::cleanse(key);
    crypto::cleanse(mac_key);
    return armored ? armor(out) : out;
}

} // namespace

identity::identity(const std::array<unsigned char, 32>& secret)
    : secret_(secret), key_(crypto::x25519_key(bytes_of(secret)))
{
    if (auto pub = crypto::x25519_public_of(key_)) {
        public_key_ = std::move(*pub);
        recipient_ = encoding::bech32_encode("age", public_key_, false);
    }
}

identity::~identity() { std::fill(secret_.begin(), secret_.end(), 0); }

result<identity> parse_identity(std::string_view text)
{
    text = trim(text);
    if (text.substr(0, 11) == "AGE-PLUGIN-")
        return bad("age plugin identities (AGE-PLUGIN-...) are not supported; use an X25519 key made by age-keygen");
    if (text.substr(0, 18) == "AGE-SECRET-KEY-PQ-")
        return bad("post-quantum age identities (AGE-SECRET-KEY-PQ-1...) are not supported yet; use an X25519 "
                   "key made by age-keygen without -pq");
    if (text.substr(0, 15) != "AGE-SECRET-KEY-")
        return bad("not an age identity: it must start with \"AGE-SECRET-KEY-1\" (as age-keygen writes it)");
    auto decoded = encoding::bech32_decode(text);
    if (!decoded || decoded->hrp != "age-secret-key-" || decoded->data.size() != 32)
        return bad("malformed age identity: its Bech32 encoding or checksum is wrong; copy the whole "
                   "AGE-SECRET-KEY-1... line again");
    std::array<unsigned char, 32> secret{};
    std::memcpy(secret.data(), decoded->data.data(), 32);
    crypto::cleanse(decoded->data);
    identity id(secret);
    std::fill(secret.begin(), secret.end(), 0);
    if (id.recipient().empty()) return bad("malformed age identity: not a valid X25519 key");
    return id;
}

result<std::vector<identity>> parse_identities(std::string_view text, std::string_view name)
{
    std::vector<identity> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        auto id = parse_identity(line);
        if (!id) return id.err().wrap(fmt::format("{}: line {}", name, line_no));
        out.push_back(std::move(*id));
    }
    if (out.empty())
        return bad(fmt::format("{}: no age identity found; it must hold an AGE-SECRET-KEY-1... line", name));
    return out;
}

identity generate_identity()
{
    std::string s = crypto::random_bytes(32);
    std::array<unsigned char, 32> secret{};
    std::memcpy(secret.data(), s.data(), 32);
    crypto::cleanse(s);
    identity id(secret);
    std::fill(secret.begin(), secret.end(), 0);
    return id;
}

std::string format_identity(const identity& id)
{
    return encoding::bech32_encode("age-secret-key-", bytes_of(id.secret()), true);
}

result<std::string> decrypt(std::string_view input, const std::vector<identity>& identities, std::string_view name)
{
    WEIR_TRY_ASSIGN(std::string binary, to_binary(input));
    auto h = parse_header(binary);
    if (!h) return h.err().wrap(name);
    for (const auto& s : h->stanzas)
        if (s.type == "scrypt")
            return bad(fmt::format("{}: the age file is encrypted with a passphrase, not to an age key; "
                                   "encrypt it to the recipient of your age key instead",
                                   name));
    std::optional<std::string> file_key;
    for (const auto& s : h->stanzas) {
        if (s.type != "X25519") continue; // other recipient types (ssh, plugins, grease) are not ours
        WEIR_TRY_ASSIGN(std::string share, x25519_share(s, name));
        for (const auto& id : identities) {
            file_key = try_x25519(s, share, id);
            if (file_key) break;
        }
        if (file_key) break;
    }
    if (!file_key) {
        std::string tried;
        for (const auto& id : identities) tried += (tried.empty() ? "" : ", ") + id.recipient();
        return terminal_error(
            fmt::format("{}: no age identity matches the recipients of this file (stanzas: {}; identities tried: "
                        "{}); add the matching key to the decryption secret as <name>.agekey",
                        name, stanza_types(*h), tried.empty() ? std::string("none") : tried),
            "DecryptionFailed");
    }
    WEIR_TRY(verify_mac(binary, *h, *file_key, name));
    auto plain = decrypt_payload(*file_key, std::string_view(binary).substr(h->payload_offset), name);
    crypto::cleanse(*file_key);
    return plain;
}

result<std::string> decrypt_with_passphrase(std::string_view input, std::string_view passphrase,
                                            std::string_view name, int max_log_n)
{
    WEIR_TRY_ASSIGN(std::string binary, to_binary(input));
    auto h = parse_header(binary);
    if (!h) return h.err().wrap(name);
    if (h->stanzas.size() != 1 || h->stanzas[0].type != "scrypt")
        return bad(fmt::format("{}: not a passphrase-encrypted age file (a scrypt stanza must be its only "
                               "stanza)",
                               name));
    const stanza& s = h->stanzas[0];
    auto salt = s.args.size() == 2 ? encoding::base64_decode(s.args[0], false) : std::nullopt;
    int log_n = 0;
    const std::string& wf = s.args.size() == 2 ? s.args[1] : std::string();
    auto [p, ec] = std::from_chars(wf.data(), wf.data() + wf.size(), log_n);
    if (!salt || salt->size() != 16 || ec != std::errc{} || p != wf.data() + wf.size() || wf.empty() ||
        wf[0] == '0' || log_n <= 0 || s.body.size() != 32)
        return bad(fmt::format("{}: age scrypt stanza is malformed", name));
    if (log_n > max_log_n)
        return bad(fmt::format("{}: age scrypt work factor 2^{} exceeds the limit 2^{}", name, log_n, max_log_n));
    auto wrap = crypto::scrypt(passphrase, std::string(scrypt_label) + *salt, log_n, 32);
    if (!wrap) return bad(fmt::format("{}: scrypt failed (work factor too large for this machine)", name));
    auto file_key = crypto::chacha20poly1305_open(*wrap, std::string(12, '\0'), s.body);
    crypto::cleanse(*wrap);
    if (!file_key || file_key->size() != 16)
        return bad(fmt::format("{}: incorrect passphrase for this age file", name));
    WEIR_TRY(verify_mac(binary, *h, *file_key, name));
    auto plain = decrypt_payload(*file_key, std::string_view(binary).substr(h->payload_offset), name);
    crypto::cleanse(*file_key);
    return plain;
}

result<std::string> encrypt(std::string_view plaintext, const std::vector<std::string>& recipients, bool armored)
{
    if (recipients.empty()) return bad("age encryption needs at least one recipient");
    std::string file_key = crypto::random_bytes(16);
    std::vector<stanza> stanzas;
    for (const auto& r : recipients) {
        auto pub = encoding::bech32_decode(trim(r));
        if (!pub || pub->hrp != "age" || pub->data.size() != 32)
            return bad(fmt::format("invalid age recipient \"{}\": it must be an age1... key", r));
        std::string eph = crypto::random_bytes(32);
        auto share = crypto::x25519_public(eph);
        auto shared = crypto::x25519(eph, pub->data);
        crypto::cleanse(eph);
        if (!share || !shared) return bad(fmt::format("invalid age recipient \"{}\"", r));
        std::string wrap = crypto::hkdf_sha256(*shared, *share + pub->data, x25519_label, 32);
        stanzas.push_back({"X25519", {encoding::base64_encode(*share, false)},
                           crypto::chacha20poly1305_seal(wrap, std::string(12, '\0'), file_key)});
        crypto::cleanse(wrap);
    }
    std::string out = seal_file(plaintext, file_key, stanzas, armored);
    crypto::cleanse(file_key);
    return out;
}

result<std::string> encrypt_with_passphrase(std::string_view plaintext, std::string_view passphrase, int log_n,
                                            bool armored)
{
    std::string file_key = crypto::random_bytes(16);
    std::string salt = crypto::random_bytes(16);
    auto wrap = crypto::scrypt(passphrase, std::string(scrypt_label) + salt, log_n, 32);
    if (!wrap) return bad("scrypt failed");
    std::vector<stanza> stanzas{{"scrypt",
                                 {encoding::base64_encode(salt, false), std::to_string(log_n)},
                                 crypto::chacha20poly1305_seal(*wrap, std::string(12, '\0'), file_key)}};
    std::string out = seal_file(plaintext, file_key, stanzas, armored);
    crypto::cleanse(file_key);
    return out;
}

} // namespace weir::sops::age
