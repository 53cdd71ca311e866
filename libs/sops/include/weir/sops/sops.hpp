// SOPS decryption (https://github.com/getsops/sops file format) with age keys, as Flux's
// kustomize-controller does for `decryption.provider: sops`: YAML and JSON documents, dotenv
// files, and binary files (stored by SOPS as a document with a single `data` key). Values of the
// form ENC[AES256_GCM,data:...,iv:...,tag:...,type:...] are opened with AES-256-GCM under the data
// key, with the value's path ("key:sub:" -- list indices are not part of it) as additional data,
// and the document's MAC (SHA-512 over every plaintext value, stored encrypted under the data key
// with `lastmodified` as additional data) is verified before anything is returned.
//
//   WEIR_TRY_ASSIGN(sops::keys k, sops::keys_from_secret({{"age.agekey", key_text}}, "flux-system/sops-age"));
//   if (sops::has_metadata(obj)) { WEIR_TRY_ASSIGN(obj, sops::decrypt_document(obj, k, "Secret default/db")); }
//   WEIR_TRY_ASSIGN(std::string env, sops::decrypt_file(text, sops::format::dotenv, k, "app.env"));
//
// Plaintext stays in memory: the API takes and returns strings and values, and touches no file.
// Only age master keys are supported; files encrypted only for PGP, KMS, Vault or Azure Key Vault
// fail with an error saying so. Errors are terminal, reason "DecryptionFailed", and name the file.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/sops/age.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::sops {

enum class format { yaml, json, dotenv, binary };

// SOPS's rule: .yaml/.yml, .json, .env by extension, anything else binary.
format format_for_path(std::string_view path);

// The keys of a decryption Secret.
struct keys {
    std::vector<age::identity> age;
    // Entries present for providers weir does not support (e.g. "pgp.asc", "sops.aws-kms"), so
    // that errors can say why a file encrypted only for those cannot be opened.
    std::vector<std::string> unsupported;
};

// Reads a decryption Secret's entries (name, already base64-decoded content): every `*.agekey`
// holds age identities; `*.asc` and `sops.aws-kms|azure-kv|gcp-kms|vault-token` are recorded as
// unsupported. `secret` (e.g. "flux-system/sops-keys") goes into errors.
result<keys> keys_from_secret(const std::vector<std::pair<std::string, std::string>>& entries,
                              std::string_view secret);

// True when the document has a top-level `sops` mapping with a `mac` (a SOPS-encrypted document).
bool has_metadata(const value& doc);
// True when the text looks SOPS-encrypted in the given format (cheap check, no parsing for dotenv).
bool looks_encrypted(std::string_view text, format f);

// Decrypts a SOPS-encrypted YAML/JSON document held as a value; returns it without its `sops` key,
// keys in their original order.
// verify_mac=false skips the whole-document MAC (each value is still authenticated by AES-GCM with
// its path): for objects that a kustomize build changed after encryption (a namespace, labels).
result<value> decrypt_document(const value& doc, const keys& k, std::string_view name, bool verify_mac = true);

// Decrypts a SOPS-encrypted file and returns the plaintext in the same format: YAML (as weir
// writes it; a stream of several documents stays a stream), JSON (as SOPS writes it: Go's escapes,
// tab indents, final newline), dotenv (KEY=value lines with "\n" escaped, comments kept), or the
// raw bytes of a binary file.
result<std::string> decrypt_file(std::string_view text, format f, const keys& k, std::string_view name);
// The same, reading format `in` and writing format `out` (as `sops -d --input-type --output-type`).
result<std::string> decrypt_file(std::string_view text, format in, format out, const keys& k,
                                 std::string_view name);

// True when the object is annotated kustomize.toolkit.fluxcd.io/decrypt: disabled (any case).
bool decryption_disabled(const value& obj);

// What Flux's kustomize-controller does to each object of a build: an object with sops metadata is
// decrypted whole; a Secret's `data` entries that hold SOPS-encrypted files (dotenv, JSON or YAML,
// recognized by their MAC line, e.g. from a kustomize secretGenerator) are decrypted and written in
// the format their key's extension names (".dockerconfigjson" is JSON). Objects opted out with
// decryption_disabled are left alone. Returns true when the object changed.
// Built objects carry kustomize's edits of unencrypted fields, so the controller passes
// verify_mac=false for whole encrypted objects, as Flux does after a build.
result<bool> decrypt_object(value& obj, const keys& k, bool verify_mac = true);

// One ENC[...] value, parsed; exposed for tests and fuzzing.
struct encrypted_value {
    std::string data; // ciphertext without the tag
    std::string iv;
    std::string tag;
    std::string type; // str, int, float, bool, bytes, time, comment
};
result<encrypted_value> parse_encrypted_value(std::string_view text);

} // namespace weir::sops
