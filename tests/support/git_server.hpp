// Real Git peers on loopback for tests: repositories made with the `git` CLI, served by
// `git daemon` (git://), by `git http-backend` behind a small Beast front (http/https, basic or
// bearer auth), and by a real `sshd` (ssh, generated host and user keys). Ports are chosen free at
// run time; every process started here is stopped by its PID in the destructor.
//
//   weir::test::git_repos repos;                        // a scratch dir with bare repositories
//   auto sha = repos.commit("app", "main", {{"a.yaml", "x"}}, "first");
//   weir::test::git_daemon daemon(repos.root());
//   std::string url = daemon.url("app");                // git://127.0.0.1:<port>/app.git
//
// Test-only code: failures throw std::runtime_error (the test fails with the command's output).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::test {

// Runs argv (no shell); returns stdout+stderr; throws when the exit status is not 0.
std::string run(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});
// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();
// Waits until something accepts on 127.0.0.1:port (start-up readiness, not a timing assertion).
void wait_for_port(std::uint16_t port);

// A peer daemon (git daemon, sshd) stopped (SIGTERM, then SIGKILL) by its PID on destruction.
// (Not child_process.hpp: that one runs weir binaries with logs; this one is fire-and-forget.)
class peer_process {
public:
    peer_process() = default;
    explicit peer_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
    ~peer_process() { stop(); }
    peer_process(peer_process&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
    peer_process& operator=(peer_process&& o) noexcept;
    void stop();
    int pid() const { return pid_; }

private:
    int pid_ = -1;
};

class git_repos {
public:
    git_repos();
    ~git_repos();
    const std::filesystem::path& root() const { return root_; }   // holds <name>.git bare repos
    std::filesystem::path bare(const std::string& name) const { return root_ / (name + ".git"); }
    std::string file_url(const std::string& name) const { return "file://" + bare(name).string(); }

    // An empty bare repository.
    void create(const std::string& name);
    // Writes files (path -> content) on `branch`,
    // commits and pushes; creates the repository and branch as needed. Returns the commit sha.
    std::string commit(const std::string& name, const std::string& branch,
                       const std::map<std::string, std::string>& files, const std::string& message);
    // A symlink in the next commit.
    void add_symlink(const std::string& name, const std::string& path, const std::string& target);
    // Adds repository `sub` (also in root()) as a submodule of `name` at `path`, by the relative
    // URL "../<sub>.git"; committed with the next commit().
    void add_submodule(const std::string& name, const std::string& path, const std::string& sub);
    // Tags `sha` (annotated when `message` is not empty) and pushes the tag.
    void tag(const std::string& name, const std::string& tag, const std::string& sha, const std::string& message = {});
    // Replaces the tip of `branch` with a new commit on its parent and force-pushes.
    std::string force_push(const std::string& name, const std::string& branch,
                           const std::map<std::string, std::string>& files, const std::string& message);
    std::string head(const std::string& name, const std::string& branch);

private:
    std::filesystem::path work(const std::string& name);
    std::filesystem::path root_, scratch_;
};

class git_daemon {
public:
    explicit git_daemon(const std::filesystem::path& base);
    std::string url(const std::string& name) const;
    std::uint16_t port() const { return port_; }
    // An outage: stop() the daemon, start() it again on the same port.
    void stop() { proc_.stop(); }
    void start();

private:
    std::filesystem::path base_;
    std::uint16_t port_ = 0;
    peer_process proc_;
};

struct git_http_options {
    std::string username, password; // basic auth required when set
    std::string bearer_token;       // bearer auth accepted when set
    bool tls = false;
    std::uint16_t port = 0; // 0: a free port; a fixed one to bring a stopped server back
};

// git http-backend as CGI behind a Beast server (one thread per connection).
class git_http_server {
public:
    git_http_server(const std::filesystem::path& base, git_http_options options = {});
    ~git_http_server();
    std::string url(const std::string& name) const;
    std::uint16_t port() const;
    // PEM of the CA that signed the server certificate (tls only).
    const std::string& ca_pem() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class ssh_server {
public:
    explicit ssh_server(const std::filesystem::path& base);
    ~ssh_server();
    std::string url(const std::string& name) const; // ssh://root@127.0.0.1:<port>/<abs path>
    std::uint16_t port() const { return port_; }
    std::string known_hosts() const;                 // "[127.0.0.1]:<port> <type> <key>"
    std::string user_key() const;                     // PEM, no passphrase
    std::string user_key_with_passphrase() const;     // PEM, passphrase "secret"
    std::string other_known_hosts() const;            // a different host key for the same host
    // The file of public keys allowed to log in, re-read by sshd on each connection: a test appends
    // a key to grant it access, as a user adds a deploy key on their Git host.
    std::filesystem::path authorized_keys_file() const { return dir_ / "authorized_keys"; }

private:
    std::filesystem::path base_, dir_;
    std::uint16_t port_ = 0;
    peer_process proc_;
};

} // namespace weir::test
