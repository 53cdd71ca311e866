// Private: the SOPS metadata block, the data key, and single values.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/sops/sops.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::sops::detail {

struct age_key {
    std::string recipient;
    std::string enc; // armored age file holding the 32-byte data key
};

struct metadata {
    std::vector<std::vector<age_key>> groups; // key groups (one for files without key_groups)
    std::vector<std::string> other_key_types; // "pgp", "kms", ... present in the file
    int shamir_threshold = 0;
    std::string lastmodified;
    std::string mac;
    std::string unencrypted_suffix;
    std::string encrypted_suffix;
    std::string unencrypted_regex;
    std::string encrypted_regex;
    bool comment_regex = false; // encrypted_/unencrypted_comment_regex set: comments decide
    bool mac_only_encrypted = false;
};

error failure(std::string message);

result<metadata> read_metadata(const value& sops, std::string_view name);
// Recovers the 32-byte data key with the age identities.
result<std::string> data_key(const metadata& md, const keys& k, std::string_view name);

// Opens one ENC[...] value; `plain` receives the plaintext bytes (for the MAC).
result<value> decrypt_scalar(std::string_view text, std::string_view key, std::string_view aad, std::string& plain);
// The bytes SOPS hashes for a plaintext scalar (Go's formatting of int, float64 and bool).
std::string mac_bytes(const value& v);
// lastmodified as Go's time.Format(time.RFC3339) prints it after time.Parse (the MAC's AAD).
result<std::string> normalize_rfc3339(std::string_view text);
// The `sops` mapping of a dotenv file from its flattened sops_* entries (prefix removed).
result<value> unflatten(const std::vector<std::pair<std::string, std::string>>& entries);

} // namespace weir::sops::detail
