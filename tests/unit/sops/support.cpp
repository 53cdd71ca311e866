#include "support.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace weir::test {
namespace {

std::string b64(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string random(std::size_t n)
{
    std::string out(n, '\0');
    REQUIRE(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
    return out;
}

std::string run(const std::string& cmd)
{
    int rc = std::system(cmd.c_str());
    return rc == 0 ? "" : "<failed>";
}

std::string hex_upper(std::string_view s)
{
    static const char* d = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

std::string sha512(std::string_view s)
{
    std::string out(64, '\0');
    unsigned n = 0;
    EVP_Digest(s.data(), s.size(), reinterpret_cast<unsigned char*>(out.data()), &n, EVP_sha512(), nullptr);
    return out;
}

} // namespace

temp_dir::temp_dir()
{
    std::string tmpl = (std::filesystem::temp_directory_path() / "weir-sops-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, std::string_view content)
{
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

cli_key age_keygen()
{
    temp_dir dir;
    auto key = dir.path() / "key.txt";
    REQUIRE(run("age-keygen -o " + key.string() + " 2>/dev/null").empty());
    cli_key out{read_file(key), {}};
    std::smatch m;
    REQUIRE(std::regex_search(out.key_file, m, std::regex("# public key: (age1[a-z0-9]+)")));
    out.recipient = m[1];
    return out;
}

std::string age_cli_encrypt(std::string_view plaintext, const std::vector<std::string>& recipients, bool armor)
{
    temp_dir dir;
    write_file(dir.path() / "in", plaintext);
    std::string cmd = "age";
    if (armor) cmd += " -a";
    for (const auto& r : recipients) cmd += " -r " + r;
    cmd += " -o " + (dir.path() / "out").string() + " " + (dir.path() / "in").string();
    REQUIRE(run(cmd).empty());
    return read_file(dir.path() / "out");
}

std::string age_cli_decrypt(std::string_view ciphertext, const std::string& key_file)
{
    temp_dir dir;
    write_file(dir.path() / "in", ciphertext);
    write_file(dir.path() / "key", key_file);
    std::string cmd = "age -d -i " + (dir.path() / "key").string() + " -o " + (dir.path() / "out").string() + " " +
                      (dir.path() / "in").string() + " 2>/dev/null";
    if (!run(cmd).empty()) return "<failed>";
    return read_file(dir.path() / "out");
}

std::string go_bytes(const value& v)
{
    if (v.is_string()) return v.as_string();
    if (v.is_int()) return std::to_string(v.as_int());
    if (v.is_bool()) return v.as_bool() ? "True" : "False";
    std::ostringstream s;
    s.precision(17);
    s << v.as_double();
    return s.str(); // the tests use floats whose shortest form this prints (1.5, 0.25)
}

sops_writer::sops_writer(std::vector<std::string> recipients, sops_options opts)
    : recipients_(std::move(recipients)), opts_(std::move(opts)), data_key_(random(32))
{
    for (const auto& r : recipients_) encrypted_keys_.push_back(age_cli_encrypt(data_key_, {r}, true));
}

std::string sops_writer::encrypt_scalar(const value& v, const std::string& aad, std::string type) const
{
    std::string plain = go_bytes(v);
    if (type.empty())
        type = v.is_string() ? "str" : v.is_int() ? "int" : v.is_bool() ? "bool" : "float";
    std::string iv = random(32), tag(16, '\0'), out(plain.size(), '\0');
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 32, nullptr);
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(data_key_.data()),
                       reinterpret_cast<const unsigned char*>(iv.data()));
    EVP_EncryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()), static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                      reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    EVP_EncryptFinal_ex(ctx, nullptr, &n);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    EVP_CIPHER_CTX_free(ctx);
    return "ENC[AES256_GCM,data:" + b64(out) + ",iv:" + b64(iv) + ",tag:" + b64(tag) + ",type:" + type + "]";
}

bool sops_writer::should_encrypt(const std::vector<std::string>& path) const
{
    bool enc = true;
    auto ends = [](const std::string& s, const std::string& suf) {
        return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
    };
    if (!opts_.unencrypted_suffix.empty())
        for (const auto& p : path)
            if (ends(p, opts_.unencrypted_suffix)) enc = false;
    if (!opts_.encrypted_suffix.empty()) {
        enc = false;
        for (const auto& p : path)
            if (ends(p, opts_.encrypted_suffix)) enc = true;
    }
    if (!opts_.unencrypted_regex.empty())
        for (const auto& p : path)
            if (std::regex_search(p, std::regex(opts_.unencrypted_regex))) enc = false;
    if (!opts_.encrypted_regex.empty()) {
        enc = false;
        for (const auto& p : path)
            if (std::regex_search(p, std::regex(opts_.encrypted_regex))) enc = true;
    }
    return enc;
}

void sops_writer::walk(value& v, std::vector<std::string>& path, std::string& hashed) const
{
    if (v.is_object()) {
        for (auto& [k, child] : v.as_object()) {
            path.push_back(k);
            walk(child, path, hashed);
            path.pop_back();
        }
    } else if (v.is_array()) {
        for (auto& item : v.as_array()) walk(item, path, hashed);
    } else if (!v.is_null()) {
        bool enc = should_encrypt(path);
        if (!opts_.mac_only_encrypted || enc) hashed += go_bytes(v);
        if (enc && !(v.is_string() && v.as_string().empty())) {
            std::string aad;
            for (const auto& p : path) aad += p + ":";
            v = value(encrypt_scalar(v, aad));
        }
    }
}

value sops_writer::metadata(const std::string& hashed) const
{
    static const unsigned char init[32] = {0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34,
                                           0xf3, 0xd1, 0x47, 0xbe, 0x0b, 0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f,
                                           0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69};
    std::string input = opts_.mac_only_encrypted ? std::string(reinterpret_cast<const char*>(init), 32) : "";
    input += hashed;
    array ages;
    for (std::size_t i = 0; i < recipients_.size(); ++i)
        ages.push_back(object{{"recipient", recipients_[i]}, {"enc", encrypted_keys_[i]}});
    object md{{"age", std::move(ages)},
              {"lastmodified", opts_.lastmodified},
              {"mac", encrypt_scalar(value(hex_upper(sha512(input))), opts_.lastmodified)}};
    if (!opts_.unencrypted_suffix.empty()) md.push_back("unencrypted_suffix", opts_.unencrypted_suffix);
    if (!opts_.encrypted_suffix.empty()) md.push_back("encrypted_suffix", opts_.encrypted_suffix);
    if (!opts_.unencrypted_regex.empty()) md.push_back("unencrypted_regex", opts_.unencrypted_regex);
    if (!opts_.encrypted_regex.empty()) md.push_back("encrypted_regex", opts_.encrypted_regex);
    if (opts_.mac_only_encrypted) md.push_back("mac_only_encrypted", true);
    md.push_back("version", "3.9.0");
    return md;
}

value sops_writer::encrypt_document(const value& plain) const
{
    value doc = plain;
    std::vector<std::string> path;
    std::string hashed;
    walk(doc, path, hashed);
    doc["sops"] = metadata(hashed);
    return doc;
}

std::string sops_writer::encrypt_dotenv(const std::vector<std::pair<std::string, std::string>>& lines) const
{
    std::string out, hashed;
    for (const auto& [k, v] : lines) {
        bool enc = should_encrypt({k});
        if (!opts_.mac_only_encrypted || enc) hashed += v;
        std::string text = enc && !v.empty() ? encrypt_scalar(value(v), k + ":") : v;
        std::string escaped;
        for (char c : text) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
        out += k + "=" + escaped + "\n";
    }
    value md = metadata(hashed);
    auto flat = [&](const std::string& key, const std::string& v) {
        std::string escaped;
        for (char c : v) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
        out += "sops_" + key + "=" + escaped + "\n";
    };
    const auto& ages = md.find("age")->as_array();
    for (std::size_t i = 0; i < ages.size(); ++i) {
        flat("age__list_" + std::to_string(i) + "__map_enc", ages[i].find("enc")->as_string());
        flat("age__list_" + std::to_string(i) + "__map_recipient", ages[i].find("recipient")->as_string());
    }
    for (const auto& [k, v] : md.as_object())
        if (k != "age") flat(k, v.is_string() ? v.as_string() : std::string(v.as_bool() ? "true" : "false"));
    return out;
}

std::string sops_writer::encrypt_binary(std::string_view content) const
{
    return to_json(encrypt_document(object{{"data", std::string(content)}}), {.indent = 2});
}

} // namespace weir::test
