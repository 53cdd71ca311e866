// A throw-away GnuPG home for tests: real keys made by the `gpg` CLI, exported armored, and
// signatures made by it. The agent it starts is stopped by gpgconf in the destructor.
#pragma once

#include "../../support/git_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace weir::test {

class gpg_home {
public:
    gpg_home()
    {
        std::string tmpl = "/tmp/wpgp-XXXXXX"; // short: gpg-agent's socket path must fit
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
    }
    ~gpg_home()
    {
        try {
            run({"gpgconf", "--homedir", dir_.string(), "--kill", "gpg-agent"});
        } catch (...) {
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    gpg_home(const gpg_home&) = delete;
    gpg_home& operator=(const gpg_home&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    std::string env() const { return "GNUPGHOME=" + dir_.string(); }

    std::string gpg(std::vector<std::string> args) const
    {
        std::vector<std::string> argv{"gpg",       "--batch",      "--yes",
                                      "--homedir", dir_.string(),  "--pinentry-mode",
                                      "loopback",  "--passphrase", ""};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    // A new key (algo: rsa2048, ed25519, nistp256, nistp384; usage: sign, cert, ...); its fingerprint.
    std::string generate(const std::string& uid, const std::string& algo, const std::string& usage = "sign")
    {
        gpg({"--quick-gen-key", uid, algo, usage, "never"});
        return fingerprint_of(uid);
    }
    void add_subkey(const std::string& fpr, const std::string& algo, const std::string& usage)
    {
        gpg({"--quick-add-key", fpr, algo, usage, "never"});
    }
    std::string fingerprint_of(const std::string& uid) const
    {
        std::istringstream lines(gpg({"--with-colons", "--list-keys", uid}));
        for (std::string line; std::getline(lines, line);)
            if (line.starts_with("fpr:")) return line.substr(12, 40);
        throw std::runtime_error("no key for " + uid);
    }
    std::string export_key(const std::string& fpr) const { return gpg({"--armor", "--export", fpr}); }

    // An armored detached signature of `data` by `fpr` (extra: e.g. {"--textmode"}).
    std::string sign(const std::string& fpr, const std::string& data,
                     std::vector<std::string> extra = {}) const
    {
        auto in = dir_ / "payload";
        auto out = dir_ / "payload.asc";
        std::ofstream(in, std::ios::binary) << data;
        std::vector<std::string> args{"--armor", "--local-user", fpr, "--output", out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("--detach-sign");
        args.push_back(in.string());
        gpg(args);
        return slurp(out);
    }

    static std::string slurp(const std::filesystem::path& p)
    {
        std::ifstream in(p, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    std::filesystem::path dir_;
};

} // namespace weir::test
