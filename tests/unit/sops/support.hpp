// Test support for the sops tests: a temporary directory, the real `age` and `age-keygen` CLIs,
// and a SOPS-format encryptor written independently of libs/sops (straight from the format:
// AES-256-GCM with 32-byte IVs, the path as additional data, the SHA-512 MAC stored encrypted).
#pragma once

#include <weir/core/value.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace weir::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, std::string_view content);

// A key pair made by the real age-keygen: the key file text and its public key.
struct cli_key {
    std::string key_file;
    std::string recipient;
};
cli_key age_keygen();
// Encrypts with the real age CLI to the recipients (armored with -a).
std::string age_cli_encrypt(std::string_view plaintext, const std::vector<std::string>& recipients, bool armor);
// Decrypts with the real age CLI; returns the plaintext, or "<failed>" when age refuses.
std::string age_cli_decrypt(std::string_view ciphertext, const std::string& key_file);

struct sops_options {
    std::string lastmodified = "2025-01-02T03:04:05Z";
    std::string unencrypted_suffix = "_unencrypted";
    std::string encrypted_suffix;
    std::string unencrypted_regex;
    std::string encrypted_regex;
    bool mac_only_encrypted = false;
};

// Encrypts documents the way `sops --encrypt --age <recipients>` does, with a fixed data key whose
// age-encrypted copies (made with the real age CLI) go into the metadata.
class sops_writer {
public:
    sops_writer(std::vector<std::string> recipients, sops_options opts = {});

    const std::string& data_key() const { return data_key_; }
    // One value as ENC[AES256_GCM,...] under `aad` ("key:sub:"); strings, ints, floats, bools.
    std::string encrypt_scalar(const value& v, const std::string& aad, std::string type = "") const;
    // A document with its `sops` metadata appended.
    value encrypt_document(const value& plain) const;
    // A dotenv file (KEY=value lines) with its flattened sops_* metadata lines.
    std::string encrypt_dotenv(const std::vector<std::pair<std::string, std::string>>& lines) const;
    // A binary file: {"data": ENC[...], "sops": ...} as JSON.
    std::string encrypt_binary(std::string_view content) const;
    // The metadata mapping for a MAC over `hashed` (the concatenated plaintext values).
    value metadata(const std::string& hashed) const;

private:
    bool should_encrypt(const std::vector<std::string>& path) const;
    void walk(value& v, std::vector<std::string>& path, std::string& hashed) const;

    std::vector<std::string> recipients_;
    std::vector<std::string> encrypted_keys_; // armored age files of data_key_, one per recipient
    sops_options opts_;
    std::string data_key_;
};

// Go's formatting of a plaintext scalar for the MAC and for encryption.
std::string go_bytes(const value& v);

} // namespace weir::test
