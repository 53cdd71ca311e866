#include <weir/sops/sops.hpp>

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include "crypto.hpp"
#include "emit.hpp"
#include "encoding.hpp"
#include "sops_detail.hpp"

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <memory>

#include <re2/re2.h>

namespace weir::sops {
namespace {

using detail::failure;

std::string hex_upper(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The MACOnlyEncrypted initialization: sha256("sops"), as SOPS writes it first into the hash.
constexpr unsigned char mac_only_init[32] = {0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34,
                                             0xf3, 0xd1, 0x47, 0xbe, 0x0b, 0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f,
                                             0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69};

// Walks a document as SOPS does (mapping keys extend the path, list items do not), decrypting
// leaves and feeding the plaintext of each into the MAC.
class tree_decryptor {
public:
    // Check regex_ok() after construction: an invalid encrypted_regex/unencrypted_regex fails open().
    tree_decryptor(detail::metadata md, std::string key, std::string_view name)
        : md_(std::move(md)), key_(std::move(key)), name_(name)
    {
        if (md_.mac_only_encrypted) mac_.update(std::string_view(reinterpret_cast<const char*>(mac_only_init), 32));
        compile(md_.unencrypted_regex, unencrypted_re_);
        compile(md_.encrypted_regex, encrypted_re_);
    }
    tree_decryptor(const tree_decryptor&) = delete;
    tree_decryptor& operator=(const tree_decryptor&) = delete;
    ~tree_decryptor()
    {
        crypto::cleanse(key_);
    }

    // Decrypts a document's branch (its top-level mapping, `sops` excluded by the caller).
    status walk(value& v)
    {
        if (v.is_object()) {
            for (auto& [k, child] : v.as_object()) {
                path_.push_back(k);
                WEIR_TRY(walk(child));
                path_.pop_back();
            }
            return ok();
        }
        if (v.is_array()) {
            for (auto& item : v.as_array()) WEIR_TRY(walk(item));
            return ok();
        }
        if (v.is_null()) return ok(); // SOPS neither encrypts nor hashes nulls
        return leaf(v);
    }

    // Decrypts a dotenv comment line's text (comments are not part of the MAC; a comment that does
    // not decrypt was written in the clear, as SOPS assumes).
    std::string comment(const std::string& text)
    {
        std::string plain;
        auto v = detail::decrypt_scalar(text, key_, ":", plain);
        return v && v->is_string() ? v->as_string() : text;
    }

    bool regex_ok() const
    {
        return (!unencrypted_re_ || unencrypted_re_->ok()) && (!encrypted_re_ || encrypted_re_->ok());
    }

    status verify_mac()
    {
        auto aad = detail::normalize_rfc3339(md_.lastmodified);
        if (!aad) return aad.err().wrap(name_);
        std::string stored;
        auto mac = detail::decrypt_scalar(md_.mac, key_, *aad, stored);
        if (!mac)
            return failure(fmt::format("{}: the sops MAC cannot be decrypted ({}): the metadata was modified or the "
                                       "data key is wrong; re-encrypt the file with sops",
                                       name_, mac.err().message));
        std::string computed = hex_upper(mac_.finish());
        if (!crypto::equal_constant_time(stored, computed))
            return failure(fmt::format("{}: sops MAC mismatch: the file was modified after encryption (a value was "
                                       "changed, added, removed or reordered without sops); re-encrypt it with sops",
                                       name_));
        return ok();
    }

private:
    static void compile(const std::string& pattern, std::unique_ptr<RE2>& out)
    {
        if (pattern.empty()) return;
        out = std::make_unique<RE2>(pattern, RE2::Quiet);
    }

    // Go's regexp.Match: unanchored search.
    bool any_matches(const std::unique_ptr<RE2>& re) const
    {
        for (const auto& p : path_)
            if (RE2::PartialMatch(p, *re)) return true;
        return false;
    }

    // SOPS's shouldBeEncrypted, in its order: each rule present overrides the previous ones.
    bool should_be_encrypted() const
    {
        bool encrypted = true;
        if (!md_.unencrypted_suffix.empty())
            for (const auto& p : path_)
                if (ends_with(p, md_.unencrypted_suffix)) encrypted = false;
        if (!md_.encrypted_suffix.empty()) {
            encrypted = false;
            for (const auto& p : path_)
                if (ends_with(p, md_.encrypted_suffix)) encrypted = true;
        }
        if (unencrypted_re_ && any_matches(unencrypted_re_)) encrypted = false;
        if (encrypted_re_) encrypted = any_matches(encrypted_re_);
        return encrypted;
    }

    std::string aad() const
    {
        std::string out;
        for (const auto& p : path_) out += p + ":";
        return out;
    }

    std::string where() const
    {
        std::string out;
        for (const auto& p : path_) out += (out.empty() ? "" : ".") + p;
        return out;
    }

    status leaf(value& v)
    {
        bool encrypted = should_be_encrypted();
        // Comment regexes make encryption depend on comments, which weir's YAML reader drops: trust
        // the value's own form instead.
        if (md_.comment_regex)
            encrypted = v.is_string() && (v.as_string().empty() || v.as_string().rfind("ENC[AES256_GCM,", 0) == 0);
        if (encrypted) {
            if (!v.is_string())
                return failure(fmt::format("{}: value at {} should be encrypted but is a {}; the file was edited "
                                           "without sops",
                                           name_, where(), v.type_name()));
            std::string plain;
            auto out = detail::decrypt_scalar(v.as_string(), key_, aad(), plain);
            if (!out)
                return failure(fmt::format("{}: cannot decrypt the value at {}: {} (the value was modified, moved "
                                           "to another key, or encrypted with another data key); re-encrypt the "
                                           "file with sops",
                                           name_, where(), out.err().message));
            mac_.update(plain);
            crypto::cleanse(plain);
            v = std::move(*out);
            return ok();
        }
        if (!md_.mac_only_encrypted) mac_.update(detail::mac_bytes(v));
        return ok();
    }

    detail::metadata md_;
    std::string key_;
    std::string_view name_;
    crypto::sha512_stream mac_;
    std::vector<std::string> path_;
    std::unique_ptr<RE2> unencrypted_re_;
    std::unique_ptr<RE2> encrypted_re_;
};

result<std::unique_ptr<tree_decryptor>> open(const value& sops_md, const keys& k, std::string_view name)
{
    WEIR_TRY_ASSIGN(auto md, detail::read_metadata(sops_md, name));
    WEIR_TRY_ASSIGN(std::string key, detail::data_key(md, k, name));
    auto dec = std::make_unique<tree_decryptor>(std::move(md), std::move(key), name);
    if (!dec->regex_ok())
        return failure(fmt::format("{}: the sops metadata has an encrypted_regex or unencrypted_regex that is not a "
                                   "valid regular expression",
                                   name));
    return dec;
}

const value* metadata_of(const value& doc)
{
    const value* md = doc.is_object() ? doc.find("sops") : nullptr;
    return md && md->is_object() ? md : nullptr;
}

// Decrypts several documents sharing one sops metadata block (a YAML stream), as one tree.
result<std::vector<value>> decrypt_documents(std::vector<value> docs, const keys& k, std::string_view name,
                                             bool verify_mac = true)
{
    const value* md = docs.empty() ? nullptr : metadata_of(docs.front());
    if (!md)
        return failure(fmt::format("{}: no sops metadata found (a top-level \"sops\" key); the file is not "
                                   "encrypted with sops, or its metadata was removed",
                                   name));
    WEIR_TRY_ASSIGN(auto dec, open(*md, k, name));
    for (auto& d : docs) {
        if (!d.is_object()) return failure(fmt::format("{}: a sops-encrypted document must be a mapping", name));
        d.as_object().erase("sops");
        WEIR_TRY(dec->walk(d));
    }
    if (verify_mac) WEIR_TRY(dec->verify_mac());
    return docs;
}

struct dotenv_line {
    bool comment = false;
    std::string key;
    std::string text;
};

std::string replace_all(std::string s, std::string_view from, std::string_view to)
{
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    return s;
}

struct dotenv_result {
    value doc = object{}; // comments dropped
    std::string text;     // as SOPS writes it, comments kept
};

result<dotenv_result> decrypt_dotenv(std::string_view text, const keys& k, std::string_view name)
{
    std::vector<dotenv_line> lines;
    std::vector<std::pair<std::string, std::string>> meta;
    std::size_t line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.empty()) continue;
        if (line.front() == '#') {
            lines.push_back({true, {}, std::string(line.substr(1))});
            continue;
        }
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return failure(fmt::format("{}: line {} is not a KEY=value dotenv line", name, line_no));
        std::string key(line.substr(0, eq));
        std::string val = replace_all(std::string(line.substr(eq + 1)), "\\n", "\n");
        if (key.rfind("sops_", 0) == 0) meta.emplace_back(key.substr(5), std::move(val));
        else lines.push_back({false, std::move(key), std::move(val)});
    }
    if (meta.empty())
        return failure(fmt::format("{}: no sops metadata found (sops_* lines); the file is not encrypted with sops",
                                   name));
    WEIR_TRY_ASSIGN(value md, detail::unflatten(meta));
    WEIR_TRY_ASSIGN(auto dec, open(md, k, name));
    dotenv_result out;
    for (auto& l : lines) {
        if (l.comment) {
            out.text += "#" + dec->comment(l.text) + "\n";
            continue;
        }
        value one = object{{l.key, value(std::move(l.text))}};
        WEIR_TRY(dec->walk(one));
        WEIR_TRY_ASSIGN(std::string line, detail::emit_dotenv(one, name));
        out.text += line;
        out.doc.as_object().set(l.key, std::move(*one.find(l.key)));
    }
    WEIR_TRY(dec->verify_mac());
    return out;
}

result<std::vector<value>> parse_docs(std::string_view text, format f, std::string_view name)
{
    if (f == format::yaml) {
        auto docs = parse_yaml_stream(text);
        if (!docs) return failure(fmt::format("{}: invalid YAML: {}", name, docs.err().message));
        return std::move(*docs);
    }
    auto doc = parse_json(text);
    if (!doc) return failure(fmt::format("{}: invalid JSON: {}", name, doc.err().message));
    return std::vector<value>{std::move(*doc)};
}

} // namespace

format format_for_path(std::string_view path)
{
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return format::yaml;
    if (ends_with(path, ".json")) return format::json;
    if (ends_with(path, ".env")) return format::dotenv;
    return format::binary;
}

result<keys> keys_from_secret(const std::vector<std::pair<std::string, std::string>>& entries,
                              std::string_view secret)
{
    keys out;
    for (const auto& [entry, content] : entries) {
        if (ends_with(entry, ".agekey")) {
            // Post-quantum identities are set aside (and reported) so the classic keys next to them work.
            std::string classic;
            bool pq = false;
            for (std::string_view rest = content; !rest.empty();) {
                std::size_t nl = rest.find('\n');
                std::string_view line = rest.substr(0, nl);
                rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
                std::size_t b = line.find_first_not_of(" \t");
                if (b != std::string_view::npos && line.substr(b).rfind("AGE-SECRET-KEY-PQ-", 0) == 0) {
                    pq = true;
                    classic += "#\n"; // keeps line numbers in errors
                    continue;
                }
                classic.append(line);
                classic += '\n';
            }
            if (pq) out.unsupported.push_back(entry + " (post-quantum age key)");
            if (pq && classic.find("AGE-SECRET-KEY-") == std::string::npos) continue;
            WEIR_TRY_ASSIGN(auto ids, age::parse_identities(classic, fmt::format("secret {} key {}", secret, entry)));
            for (auto& id : ids) out.age.push_back(std::move(id));
        } else if (ends_with(entry, ".asc") || entry == "sops.aws-kms" || entry == "sops.azure-kv" ||
                   entry == "sops.gcp-kms" || entry == "sops.vault-token") {
            out.unsupported.push_back(entry);
        }
    }
    return out;
}

bool has_metadata(const value& doc)
{
    const value* md = metadata_of(doc);
    return md && md->find("mac") != nullptr;
}

bool looks_encrypted(std::string_view text, format f)
{
    switch (f) {
    case format::dotenv: return text.find("sops_mac=") != std::string_view::npos;
    case format::yaml:
    case format::json:
    case format::binary:
        return text.find("sops") != std::string_view::npos && text.find("ENC[AES256_GCM,") != std::string_view::npos;
    }
    return false;
}

result<value> decrypt_document(const value& doc, const keys& k, std::string_view name, bool verify_mac)
{
    WEIR_TRY_ASSIGN(auto docs, decrypt_documents({doc}, k, name, verify_mac));
    return std::move(docs.front());
}

result<std::string> decrypt_file(std::string_view text, format f, const keys& k, std::string_view name)
{
    return decrypt_file(text, f, f, k, name);
}

result<std::string> decrypt_file(std::string_view text, format in, format out, const keys& k, std::string_view name)
{
    std::vector<value> docs;
    if (in == format::dotenv) {
        WEIR_TRY_ASSIGN(auto env, decrypt_dotenv(text, k, name));
        if (out == format::dotenv) return std::move(env.text);
        docs.push_back(std::move(env.doc));
    } else {
        // A binary file is stored as JSON (or YAML, when its name told sops so) with one "data" key.
        format doc_format = in;
        if (in == format::binary) {
            std::size_t i = text.find_first_not_of(" \t\r\n");
            doc_format = i != std::string_view::npos && text[i] == '{' ? format::json : format::yaml;
        }
        WEIR_TRY_ASSIGN(docs, parse_docs(text, doc_format, name));
        WEIR_TRY_ASSIGN(docs, decrypt_documents(std::move(docs), k, name));
    }
    switch (out) {
    case format::yaml: return docs.size() == 1 ? to_yaml(docs.front()) : to_yaml_stream(docs);
    case format::json: return detail::emit_json(docs.front());
    case format::dotenv: return detail::emit_dotenv(docs.front(), name);
    case format::binary: {
        const value* data = docs.front().find("data");
        if (!data || !data->is_string())
            return failure(fmt::format("{}: a sops binary file must hold its content in a \"data\" string", name));
        return data->as_string();
    }
    }
    return failure("unreachable");
}

bool decryption_disabled(const value& obj)
{
    const value* a = obj.find_path({"metadata", "annotations"});
    const value* v = a ? a->find("kustomize.toolkit.fluxcd.io/decrypt") : nullptr;
    if (!v || !v->is_string()) return false;
    std::string s = v->as_string();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "disabled";
}

result<bool> decrypt_object(value& obj, const keys& k, bool verify_mac)
{
    if (!obj.is_object() || decryption_disabled(obj)) return false;
    std::string kind(obj.get_string("kind"));
    const value* meta = obj.find("metadata");
    std::string_view ns = meta ? meta->get_string("namespace") : std::string_view();
    std::string_view obj_name = meta ? meta->get_string("name") : std::string_view();
    std::string id = ns.empty() ? fmt::format("{} {}", kind.empty() ? "object" : kind, obj_name)
                                : fmt::format("{} {}/{}", kind.empty() ? "object" : kind, ns, obj_name);
    if (has_metadata(obj)) {
        WEIR_TRY_ASSIGN(obj, decrypt_document(obj, k, id, verify_mac));
        return true;
    }
    if (kind != "Secret") return false;
    value* data = obj.find("data");
    if (!data || !data->is_object()) return false;
    bool changed = false;
    for (auto& [key, v] : data->as_object()) {
        if (!v.is_string()) continue;
        auto raw = encoding::base64_decode(v.as_string(), true);
        if (!raw) continue; // left for the API server to refuse, as Flux does
        std::optional<format> in;
        if (raw->find("sops_mac=ENC[") != std::string::npos) in = format::dotenv;
        else if (raw->find("\"mac\": \"ENC[") != std::string::npos) in = format::json;
        else if (raw->find("mac: ENC[") != std::string::npos) in = format::yaml;
        if (!in) continue;
        format out = ends_with(key, ".dockerconfigjson") ? format::json : format_for_path(key);
        auto plain = decrypt_file(*raw, *in, out, k, fmt::format("{} field {}", id, key));
        crypto::cleanse(*raw);
        if (!plain) return plain.err();
        v = value(encoding::base64_encode(*plain, true));
        crypto::cleanse(*plain);
        changed = true;
    }
    return changed;
}

} // namespace weir::sops
