#include "signing.hpp"

#include "tool.hpp"

#include <sys/stat.h>
#include <vector>

namespace weir::image {
namespace fs = std::filesystem;

namespace {

error tool_failed(std::string_view what, const fs::path& log)
{
    std::string out = slurp(log);
    if (out.size() > 400) out = out.substr(out.size() - 400);
    return transient_error("commit signing failed: " + std::string(what) + ": " + out, "SigningFailed");
}

result<std::string> sign_gpg(const signing_key& key, const std::string& buffer, const fs::path& dir)
{
    fs::path home = dir / "g", log = dir / "log";
    fs::create_directories(home);
    ::chmod(home.c_str(), 0700);
    write_private(dir / "key.asc", key.key);
    write_private(dir / "commit", buffer);
    std::vector<std::string> base{"gpg",         "--batch",         "--no-tty", "--homedir",
                                  home.string(), "--pinentry-mode", "loopback"};
    if (!key.passphrase.empty()) {
        write_private(dir / "pass", key.passphrase);
        base.push_back("--passphrase-file");
        base.push_back((dir / "pass").string());
    }
    auto with = [&](std::vector<std::string> extra) {
        auto v = base;
        v.insert(v.end(), extra.begin(), extra.end());
        return v;
    };
    int imported = run_tool(with({"--import", (dir / "key.asc").string()}), log);
    int signed_rc = imported == 0 ? run_tool(with({"--armor", "--detach-sign", "--output",
                                                   (dir / "commit.asc").string(), (dir / "commit").string()}),
                                             log)
                                  : -1;
    // The agent gpg started for this home would outlive it: stop it.
    run_tool({"gpgconf", "--homedir", home.string(), "--kill", "gpg-agent"}, dir / "agent.log");
    if (imported != 0) return tool_failed("cannot import the OpenPGP key (git.asc)", log);
    if (signed_rc != 0) return tool_failed("gpg could not sign (wrong passphrase?)", log);
    return slurp(dir / "commit.asc");
}

result<std::string> sign_ssh(const signing_key& key, const std::string& buffer, const fs::path& dir)
{
    if (!key.passphrase.empty())
        return terminal_error(
            "commit signing with a passphrase-protected SSH key is not supported: use a key without "
            "passphrase or an OpenPGP key",
            "InvalidSigningKey");
    fs::path log = dir / "log";
    std::string k = key.key;
    if (!k.empty() && k.back() != '\n') k += '\n';
    write_private(dir / "identity", k);
    write_private(dir / "commit", buffer);
    if (run_tool({"ssh-keygen", "-Y", "sign", "-n", "git", "-f", (dir / "identity").string(),
                  (dir / "commit").string()},
                 log) != 0)
        return tool_failed("ssh-keygen could not sign with the identity", log);
    return slurp(dir / "commit.sig");
}

} // namespace

result<signing_key> signing_key_from(const std::map<std::string, std::string>& data, const std::string& type,
                                     const std::string& secret_name)
{
    auto get = [&](const char* k) {
        auto it = data.find(k);
        return it == data.end() ? std::string() : it->second;
    };
    signing_key key;
    key.type = type.empty() ? "gpg" : type;
    if (key.type == "gpg") {
        key.key = get("git.asc");
        key.passphrase = get("passphrase");
        if (key.key.empty())
            return terminal_error("signing key secret '" + secret_name +
                                      "' has no 'git.asc' key (an armored OpenPGP "
                                      "private key)",
                                  "InvalidSigningKey");
    } else if (key.type == "ssh") {
        key.key = get("identity");
        key.passphrase = get("password");
        if (key.key.empty())
            return terminal_error("signing key secret '" + secret_name +
                                      "' has no 'identity' key (an SSH private key)",
                                  "InvalidSigningKey");
    } else {
        return terminal_error("spec.git.commit.signingKey.type must be gpg or ssh, not '" + type + "'",
                              "InvalidSigningKey");
    }
    return key;
}

result<std::string> sign_buffer(const signing_key& key, const std::string& buffer,
                                const fs::path& scratch_parent)
{
    scratch_dir dir(scratch_parent);
    if (dir.path().empty())
        return transient_error("commit signing failed: cannot create a scratch directory", "SigningFailed");
    return key.type == "ssh" ? sign_ssh(key, buffer, dir.path()) : sign_gpg(key, buffer, dir.path());
}

} // namespace weir::image
