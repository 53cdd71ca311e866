#include "sops_detail.hpp"

#include <fmt/format.h>

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
    if (md.groups.size() > 1)
        return failure(fmt::format("{}: the file uses {} sops key groups (Shamir secret sharing), which weir does "
                                   "not support; encrypt it with a single key group of age recipients",
                                   name, md.groups.size()));
    const auto& group = md.groups.front();
    std::string recipients;
    for (const auto& key : group) recipients += (recipients.empty() ? "" : ", ") + key.recipient;
    if (group.empty()) {
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
    std::string first_error;
    for (const auto& key : group) {
        auto plain = age::decrypt(key.enc, k.age, fmt::format("{}: data key for {}", name, key.recipient));
        if (plain) {
            if (plain->size() != 32)
                return failure(fmt::format("{}: the data key for {} has {} bytes instead of 32; the file is damaged",
                                           name, key.recipient, plain->size()));
            return std::move(*plain);
        }
        // A file-level problem (damaged armor, MAC mismatch) is worth reporting over "no match".
        if (plain.err().message.find("no age identity matches") == std::string::npos && first_error.empty())
            first_error = plain.err().message;
    }
    if (!first_error.empty()) return failure(first_error);
    std::string tried;
    for (const auto& id : k.age) tried += (tried.empty() ? "" : ", ") + id.recipient();
    return failure(fmt::format("{}: no age identity matches the recipients of this file ({}; identities tried: "
                               "{}); add the key to the decryption secret as <name>.agekey",
                               name, recipients, tried));
}

} // namespace weir::sops::detail
