#include "cli_git.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/git/mirror.hpp>
#include <weir/git/push.hpp>

#include <fmt/format.h>
#include <git2.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace weir::cli {

namespace fs = std::filesystem;

namespace {

error git_failure(std::string_view what, const fs::path& dir)
{
    const git_error* e = git_error_last();
    return terminal_error(
        fmt::format("{} in {}: {}", what, dir.string(), e && e->message ? e->message : "unknown error"));
}

struct repo_handle {
    git_repository* r = nullptr;
    ~repo_handle() { git_repository_free(r); }
};

} // namespace

result<bool> open_worktree(const std::string& url, const std::string& branch, const fs::path& dir,
                           const git::auth_options& auth)
{
    git_libgit2_init();
    WEIR_TRY_ASSIGN(auto refs, git::ls_remote(url, auth));
    bool has_branch = false;
    for (const auto& r : refs)
        has_branch = has_branch || r.name == "refs/heads/" + branch;
    if (has_branch) {
        // Through a mirror (libs/git's tested fetch and auth), then a local clone of it: libgit2 1.5's
        // git_clone fails on remotes whose HEAD names a branch that does not exist (a bare
        // repository made with `git init --bare` and pushed a "main" branch).
        git::mirror_cache mirrors(dir.parent_path() / ".mirror");
        WEIR_TRY(mirrors.sync(url, {.branch = branch}, auth));
        fs::path mirror = mirrors.mirror_path(url);
        {
            repo_handle m;
            if (git_repository_open(&m.r, mirror.c_str()) < 0)
                return git_failure("cannot open the mirror", mirror);
            std::string head = "refs/heads/" + branch;
            if (git_repository_set_head(m.r, head.c_str()) < 0) return git_failure("cannot set HEAD", mirror);
        }
        git_clone_options co = GIT_CLONE_OPTIONS_INIT;
        co.checkout_branch = branch.c_str();
        repo_handle wt;
        if (git_clone(&wt.r, mirror.c_str(), dir.c_str(), &co) < 0)
            return git_failure("cannot check out " + branch, dir);
        if (git_remote_set_url(wt.r, "origin", url.c_str()) < 0)
            return git_failure("cannot set the origin URL", dir);
        return true;
    }
    repo_handle repo;
    if (git_repository_init(&repo.r, dir.c_str(), 0) < 0)
        return git_failure("cannot initialise a repository", dir);
    git_remote* remote = nullptr;
    if (git_remote_create(&remote, repo.r, "origin", url.c_str()) < 0)
        return git_failure("cannot add remote origin", dir);
    git_remote_free(remote);
    std::string head = "refs/heads/" + branch;
    if (git_repository_set_head(repo.r, head.c_str()) < 0)
        return git_failure("cannot set HEAD to " + head, dir);
    return false;
}

result<std::string> head_commit(const fs::path& dir)
{
    git_libgit2_init();
    repo_handle repo;
    if (git_repository_open(&repo.r, dir.c_str()) < 0) return git_failure("cannot open repository", dir);
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo.r, "HEAD") < 0) return std::string{};
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &oid);
    return std::string(hex);
}

result<std::string> scan_known_hosts(const std::string& url)
{
    // ssh://[user@]host[:port]/path, or scp-like user@host:path
    std::string rest = url, host, port;
    if (rest.starts_with("ssh://")) {
        rest = rest.substr(6);
        std::string authority = rest.substr(0, rest.find('/'));
        if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
        if (!authority.empty() && authority[0] == '[') {
            auto close = authority.find(']');
            host = authority.substr(1, close - 1);
            if (close + 1 < authority.size() && authority[close + 1] == ':')
                port = authority.substr(close + 2);
        } else if (auto colon = authority.find(':'); colon != std::string::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        } else {
            host = authority;
        }
    } else {
        std::string authority = rest.substr(0, rest.find(':'));
        if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
        host = authority;
    }
    if (host.empty()) return terminal_error("cannot find the host in " + url);
    for (char ch : host + port)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != ':')
            return terminal_error("unexpected character in the host of " + url);
    std::string cmd = "ssh-keyscan -T 10 " + (port.empty() ? "" : "-p " + port + " ") + host + " 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return transient_error("cannot run ssh-keyscan");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    ::pclose(p);
    if (out.empty())
        return transient_error(
            fmt::format("no SSH host key from {}{}: pass --known-hosts-file or check the host", host,
                        port.empty() ? "" : ":" + port));
    return out;
}

} // namespace weir::cli

namespace weir::cli {

result<ssh_key_pair> generate_ssh_key(const std::string& algorithm, const std::string& ecdsa_curve,
                                      int rsa_bits)
{
    std::string type_args;
    if (algorithm == "ecdsa") {
        static const std::map<std::string, int> bits{{"p256", 256}, {"p384", 384}, {"p521", 521}};
        auto b = bits.find(ecdsa_curve);
        if (b == bits.end())
            return terminal_error("--ssh-ecdsa-curve: want p256, p384 or p521, got \"" + ecdsa_curve + "\"");
        type_args = fmt::format("-t ecdsa -b {}", b->second);
    } else if (algorithm == "ed25519") {
        type_args = "-t ed25519";
    } else if (algorithm == "rsa") {
        if (rsa_bits < 2048 || rsa_bits > 8192)
            return terminal_error(fmt::format("--ssh-rsa-bits: want 2048 to 8192, got {}", rsa_bits));
        type_args = fmt::format("-t rsa -b {}", rsa_bits);
    } else {
        return terminal_error("--ssh-key-algorithm: want ecdsa, ed25519 or rsa, got \"" + algorithm + "\"");
    }
    temp_dir dir(std::filesystem::temp_directory_path(), "weir-key");
    std::string key = (dir.path() / "identity").string();
    // PEM for ECDSA and RSA (what every libssh2 reads); ed25519 exists only in OpenSSH's format.
    std::string format = algorithm == "ed25519" ? "" : "-m PEM ";
    std::string cmd = fmt::format("ssh-keygen -q {} {}-N '' -C weir -f '{}' 2>&1", type_args, format, key);
    if (std::system(cmd.c_str()) != 0)
        return terminal_error("cannot generate an SSH key with ssh-keygen (install openssh-client, or pass "
                              "--private-key-file)");
    ssh_key_pair pair;
    std::ifstream priv(key), pub(key + ".pub");
    std::stringstream a, b;
    a << priv.rdbuf();
    b << pub.rdbuf();
    pair.private_pem = a.str();
    pair.public_line = b.str();
    while (!pair.public_line.empty() && pair.public_line.back() == '\n')
        pair.public_line.pop_back();
    if (pair.private_pem.empty() || pair.public_line.empty())
        return terminal_error("ssh-keygen wrote no key");
    return pair;
}

} // namespace weir::cli
