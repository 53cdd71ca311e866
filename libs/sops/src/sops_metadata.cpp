#include "sops_detail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace weir::sops::detail {
namespace {

// Master key types SOPS knows besides age; present (non-empty) lists are reported, not used.
constexpr std::pair<std::string_view, std::string_view> other_types[] = {
    {"pgp", "PGP"},           {"kms", "AWS KMS"},   {"gcp_kms", "GCP KMS"}, {"azure_kv", "Azure Key Vault"},
    {"hc_vault", "Vault"},    {"hckms", "HuaweiCloud KMS"},
};

std::string scalar_text(const value* v)
{
    if (!v) return {};
    if (v->is_string()) return v->as_string();
    if (v->is_int()) return std::to_string(v->as_int());
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    return {};
}

bool non_empty_list(const value* v) { return v && v->is_array() && !v->as_array().empty(); }

result<std::vector<age_key>> read_group(const value& group, std::vector<std::string>& others, std::string_view name)
{
    std::vector<age_key> keys;
    if (const value* age = group.find("age"); age && age->is_array()) {
        for (const auto& k : age->as_array()) {
            if (!k.is_object()) return failure(fmt::format("{}: sops metadata has a malformed age entry", name));
            age_key key{std::string(k.get_string("recipient")), std::string(k.get_string("enc"))};
            if (key.enc.empty())
                return failure(fmt::format("{}: sops metadata age entry for {} has no encrypted data key", name,
                                           key.recipient));
            keys.push_back(std::move(key));
        }
    }
    for (const auto& [field, label] : other_types)
        if (non_empty_list(group.find(field))) others.emplace_back(label);
    return keys;
}

// GF(2^8) arithmetic with the AES polynomial, as SOPS's (HashiCorp's) Shamir implementation.
std::uint8_t gf_mult(std::uint8_t a, std::uint8_t b)
{
    std::uint8_t acc = 0;
    for (int i = 7; i >= 0; --i) {
        std::uint8_t bit = static_cast<std::uint8_t>(-((b >> i) & 1));
        std::uint8_t reduce = static_cast<std::uint8_t>(-(acc >> 7)) & 0x1b;
        acc = static_cast<std::uint8_t>((a & bit) ^ (reduce ^ static_cast<std::uint8_t>(acc << 1)));
    }
    return acc;
}

std::uint8_t gf_inverse(std::uint8_t a)
{
    std::uint8_t r = 1; // a^254
    for (int i = 0; i < 254; ++i) r = gf_mult(r, a);
    return r;
}

// Lagrange interpolation at x = 0 of parts (y bytes followed by the x coordinate).
result<std::string> shamir_combine(const std::vector<std::string>& parts, std::string_view name)
{
    if (parts.size() < 2) return failure(fmt::format("{}: less than two Shamir parts cannot rebuild the data key", name));
    std::size_t len = parts.front().size();
    std::vector<std::uint8_t> xs;
    for (const auto& p : parts) {
        if (p.size() != len || len < 2) return failure(fmt::format("{}: Shamir parts differ in length", name));
        auto x = static_cast<std::uint8_t>(p.back());
        for (auto seen : xs)
            if (seen == x) return failure(fmt::format("{}: duplicate Shamir part", name));
        xs.push_back(x);
    }
    std::string secret(len - 1, '\0');
    for (std::size_t idx = 0; idx + 1 < len; ++idx) {
        std::uint8_t result = 0;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            std::uint8_t basis = 1;
            for (std::size_t j = 0; j < parts.size(); ++j) {
                if (i == j) continue;
                // (0 - x_j) / (x_i - x_j) in GF(2^8), where subtraction is xor.
                basis = gf_mult(basis, gf_mult(xs[j], gf_inverse(static_cast<std::uint8_t>(xs[i] ^ xs[j]))));
            }
            result ^= gf_mult(static_cast<std::uint8_t>(parts[i][idx]), basis);
        }
        secret[idx] = static_cast<char>(result);
    }
    return secret;
}

// One group's part: the first age key of the group that an identity opens.
result<std::string> group_part(const std::vector<age_key>& group, const keys& k, std::string_view name,
                               std::string& file_error)
{
    for (const auto& key : group) {
        auto plain = age::decrypt(key.enc, k.age, fmt::format("{}: data key for {}", name, key.recipient));
        if (plain) return std::move(*plain);
        // A file-level problem (damaged armor, MAC mismatch) is worth reporting over "no match".
        if (plain.err().message.find("no age identity matches") == std::string::npos && file_error.empty())
            file_error = plain.err().message;
    }
    return failure("no match");
}

} // namespace

result<metadata> read_metadata(const value& sops, std::string_view name)
{
    if (!sops.is_object())
        return failure(fmt::format("{}: the sops metadata is not a mapping; the file is damaged", name));
    metadata md;
    md.mac = scalar_text(sops.find("mac"));
    md.lastmodified = scalar_text(sops.find("lastmodified"));
    if (md.mac.empty())
        return failure(fmt::format("{}: the sops metadata has no mac; the file was not encrypted by sops or was "
                                   "damaged",
                                   name));
    if (md.lastmodified.empty())
        return failure(fmt::format("{}: the sops metadata has no lastmodified; the file is damaged", name));
    md.unencrypted_suffix = scalar_text(sops.find("unencrypted_suffix"));
    md.encrypted_suffix = scalar_text(sops.find("encrypted_suffix"));
    md.unencrypted_regex = scalar_text(sops.find("unencrypted_regex"));
    md.encrypted_regex = scalar_text(sops.find("encrypted_regex"));
    md.comment_regex = !scalar_text(sops.find("unencrypted_comment_regex")).empty() ||
                       !scalar_text(sops.find("encrypted_comment_regex")).empty();
    std::string mac_only = scalar_text(sops.find("mac_only_encrypted"));
    md.mac_only_encrypted = mac_only == "true" || mac_only == "True" || mac_only == "1";
    if (const value* t = sops.find("shamir_threshold"); t && t->is_int())
        md.shamir_threshold = static_cast<int>(t->as_int());
    else if (auto s = scalar_text(t); !s.empty())
        md.shamir_threshold = std::atoi(s.c_str());

    // Top-level key lists form one group; otherwise key_groups (SOPS reads one or the other).
    WEIR_TRY_ASSIGN(auto top, read_group(sops, md.other_key_types, name));
    bool top_has_keys = !top.empty() || !md.other_key_types.empty();
    if (top_has_keys) {
        md.groups.push_back(std::move(top));
    } else if (const value* groups = sops.find("key_groups"); groups && groups->is_array()) {
        for (const auto& g : groups->as_array()) {
            if (!g.is_object()) return failure(fmt::format("{}: sops metadata has a malformed key group", name));
            WEIR_TRY_ASSIGN(auto keys, read_group(g, md.other_key_types, name));
            md.groups.push_back(std::move(keys));
        }
    }
    if (md.groups.empty())
        return failure(fmt::format("{}: the sops metadata lists no master keys; the file is damaged", name));
    return md;
}

result<std::string> data_key(const metadata& md, const keys& k, std::string_view name)
{
    std::string recipients;
    for (const auto& group : md.groups)
        for (const auto& key : group) recipients += (recipients.empty() ? "" : ", ") + key.recipient;
    if (recipients.empty()) {
        std::string types;
        for (const auto& t : md.other_key_types) types += (types.empty() ? "" : ", ") + t;
        return failure(fmt::format("{}: the file is encrypted only for {}, which weir does not support; add an age "
                                   "recipient to it (sops updatekeys, or sops --encrypt --age age1...) and put the "
                                   "age key in the decryption secret as <name>.agekey",
                                   name, types));
    }
    if (k.age.empty()) {
        std::string extra;
        if (!k.unsupported.empty()) {
            extra = "; the decryption secret holds only keys for unsupported providers (";
            for (std::size_t i = 0; i < k.unsupported.size(); ++i) extra += (i ? ", " : "") + k.unsupported[i];
            extra += ")";
        }
        return failure(fmt::format("{}: no age identity is available to decrypt this file (recipients: {}){}; add "
                                   "the key to the decryption secret as <name>.agekey",
                                   name, recipients, extra));
    }
    std::string file_error;
    std::vector<std::string> parts;
    for (const auto& group : md.groups) {
        auto part = group_part(group, k, name, file_error);
        if (part) parts.push_back(std::move(*part));
        if (md.groups.size() == 1) break;
    }
    if (md.groups.size() == 1 && parts.size() == 1) {
        if (parts.front().size() != 32)
            return failure(fmt::format("{}: the data key has {} bytes instead of 32; the file is damaged", name,
                                       parts.front().size()));
        return std::move(parts.front());
    }
    if (md.groups.size() > 1) {
        std::size_t needed = std::max<std::size_t>(2, static_cast<std::size_t>(std::max(md.shamir_threshold, 0)));
        if (parts.size() >= needed) {
            auto key = shamir_combine(parts, name);
            if (key && key->size() != 32)
                return failure(fmt::format("{}: the data key rebuilt from Shamir parts has the wrong size", name));
            return key;
        }
        if (!file_error.empty()) return failure(file_error);
        std::string tried;
        for (const auto& id : k.age) tried += (tried.empty() ? "" : ", ") + id.recipient();
        return failure(fmt::format("{}: the file uses {} sops key groups and needs the data key parts of {} of them, "
                                   "but the age identities open only {} (recipients: {}; identities tried: {}); add "
                                   "the keys of more groups to the decryption secret as <name>.agekey (groups of "
                                   "PGP, KMS or Vault keys cannot be used by weir)",
                                   name, md.groups.size(), needed, parts.size(), recipients, tried));
    }
    if (!file_error.empty()) return failure(file_error);
    std::string tried;
    for (const auto& id : k.age) tried += (tried.empty() ? "" : ", ") + id.recipient();
    return failure(fmt::format("{}: no age identity matches the recipients of this file ({}; identities tried: "
                               "{}); add the key to the decryption secret as <name>.agekey",
                               name, recipients, tried));
}

} // namespace weir::sops::detail
