#include "git_cli.hpp"

#include "tool.hpp"

#include <weir/core/encoding.hpp>

#include <fmt/format.h>

namespace weir::image {
namespace fs = std::filesystem;

namespace {

// No user or system configuration, no prompts: every setting comes from the command line.
std::vector<std::string> git_env(const fs::path& scratch)
{
    return {"HOME=" + scratch.string(),
            "XDG_CONFIG_HOME=" + scratch.string(),
            "GIT_CONFIG_NOSYSTEM=1",
            "GIT_TERMINAL_PROMPT=0",
            "GIT_ASKPASS=true",
            "SSH_ASKPASS=true",
            "LC_ALL=C"};
}

std::string tail(std::string s)
{
    if (s.size() > 600) s = s.substr(s.size() - 600);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// `-c` settings and environment that carry the credentials of `auth` to git.
result<std::vector<std::string>> auth_settings(const git::auth_options& auth, const fs::path& scratch,
                                               std::vector<std::string>& env)
{
    std::vector<std::string> cfg;
    if (!auth.bearer_token.empty())
        cfg.push_back("http.extraHeader=Authorization: Bearer " + auth.bearer_token);
    else if (!auth.username.empty() && auth.ssh_private_key.empty())
        cfg.push_back("http.extraHeader=Authorization: Basic " +
                      base64_encode(auth.username + ":" + auth.password));
    if (!auth.ca_pem.empty()) {
        write_private(scratch / "ca.crt", auth.ca_pem);
        cfg.push_back("http.sslCAInfo=" + (scratch / "ca.crt").string());
    }
    if (!auth.ssh_private_key.empty()) {
        if (!auth.ssh_passphrase.empty())
            return terminal_error(
                "push options over ssh with a passphrase-protected identity are not supported: use a "
                "key without passphrase, or https",
                "InvalidSourceConfiguration");
        std::string key = auth.ssh_private_key;
        if (key.back() != '\n') key += '\n';
        write_private(scratch / "identity", key);
        write_private(scratch / "known_hosts", auth.known_hosts);
        env.push_back(fmt::format("GIT_SSH_COMMAND=ssh -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} "
                                  "-o StrictHostKeyChecking=yes -o BatchMode=yes",
                                  (scratch / "identity").string(), (scratch / "known_hosts").string()));
    }
    return cfg;
}

} // namespace

status checkout_detached(const fs::path& dir, const std::string& branch, const std::string& commit,
                         const fs::path& scratch_parent)
{
    scratch_dir scratch(scratch_parent);
    if (scratch.path().empty())
        return transient_error("cannot create a scratch directory", "GitOperationFailed");
    fs::path log = scratch.path() / "log";
    int rc = run_tool({"git", "-C", dir.string(), "checkout", "-q", "-B", branch, commit}, log,
                      git_env(scratch.path()));
    if (rc != 0)
        return transient_error(
            fmt::format("cannot check out commit {} (is it reachable from a branch or a tag of the "
                        "repository?): {}",
                        commit, tail(slurp(log))),
            "GitOperationFailed");
    return ok();
}

status push_with_options(const fs::path& dir, const std::vector<std::string>& refspecs,
                         const std::map<std::string, std::string>& options, const git::auth_options& auth,
                         const fs::path& scratch_parent)
{
    for (const auto& r : refspecs)
        if (r.starts_with("+"))
            return terminal_error("refspec '" + r + "' forces the push; weir never force-pushes",
                                  "InvalidRefspec");
    scratch_dir scratch(scratch_parent);
    if (scratch.path().empty())
        return transient_error("cannot create a scratch directory", "GitOperationFailed");
    std::vector<std::string> env = git_env(scratch.path());
    WEIR_TRY_ASSIGN(auto cfg, auth_settings(auth, scratch.path(), env));
    std::vector<std::string> argv{"git"};
    for (const auto& c : cfg)
        argv.insert(argv.end(), {"-c", c});
    argv.insert(argv.end(), {"-C", dir.string(), "push", "--porcelain"});
    // A key without value is sent alone ("merge_request.create"), as GitLab's options are written.
    for (const auto& [k, v] : options)
        argv.insert(argv.end(), {"-o", v.empty() ? k : k + "=" + v});
    argv.push_back("origin");
    argv.insert(argv.end(), refspecs.begin(), refspecs.end());
    fs::path log = scratch.path() / "log";
    int rc = run_tool(argv, log, env);
    if (rc == 0) return ok();
    std::string out = slurp(log);
    // --porcelain marks a refused ref with '!'; "fetch first" / "non-fast-forward" mean the branch
    // moved on, anything else (a hook said no, no such remote) is another failure.
    for (std::size_t pos = 0; pos < out.size();) {
        std::size_t end = out.find('\n', pos);
        std::string line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? out.size() : end + 1;
        if (line.starts_with("!") && (line.find("fetch first") != std::string::npos ||
                                      line.find("non-fast-forward") != std::string::npos))
            return transient_error(
                "push rejected: " + line.substr(2) +
                    "; the remote branch moved on, fetch and apply the change again (weir never "
                    "force-pushes)",
                "NonFastForward");
    }
    return transient_error("git push with push options failed: " + tail(out), "GitOperationFailed");
}

} // namespace weir::image
