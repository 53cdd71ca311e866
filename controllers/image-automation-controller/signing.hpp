// Signed automation commits (spec.git.commit.signingKey): OpenPGP keys from a Secret's `git.asc`
// (+ `passphrase`) signed with gpg, or SSH keys from `identity` signed with `ssh-keygen -Y sign`.
// Each signature runs in a private scratch GNUPGHOME that is removed afterwards, with its agent
// stopped, so no key outlives the commit.
#pragma once

#include <weir/core/result.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace weir::image {

struct signing_key {
    std::string type; // "gpg" or "ssh"
    std::string key;
    std::string passphrase;
};

// From the Secret's data; terminal errors name the missing key.
result<signing_key> signing_key_from(const std::map<std::string, std::string>& secret_data, const std::string& type,
                                     const std::string& secret_name);

// The armored detached signature of `buffer`. Scratch files go in a fresh directory under
// `scratch_parent` (the controller's storage: the root filesystem may be read-only); keep that path
// short, gpg-agent's socket lives there.
result<std::string> sign_buffer(const signing_key& key, const std::string& buffer,
                                const std::filesystem::path& scratch_parent);

} // namespace weir::image
