#include "git_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace weir::test {
namespace fs = std::filesystem;

namespace {

fs::path make_temp_dir(const std::string& tag)
{
    std::random_device rd;
    auto p = fs::temp_directory_path() / ("weir-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(p);
    return p;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::vector<std::string> git_identity = {"-c", "user.name=weir test", "-c", "user.email=test@weir.invalid",
                                               "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false",
                                               "-c", "core.compression=1"};

std::vector<std::string> git(const fs::path& dir, std::vector<std::string> args)
{
    std::vector<std::string> argv = {"git", "-C", dir.string()};
    argv.insert(argv.end(), git_identity.begin(), git_identity.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

} // namespace

std::string run(const std::vector<std::string>& argv, const fs::path& cwd)
{
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipefd[1], 1);
        ::dup2(pipefd[1], 2);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string cmd;
        for (auto& a : argv) cmd += a + " ";
        throw std::runtime_error("command failed: " + cmd + "\n" + out);
    }
    return out;
}

// Weak: child_process.cpp defines the same helper, and a test may link both.
__attribute__((weak)) std::uint16_t free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

void wait_for_port(std::uint16_t port)
{
    for (int i = 0; i < 500; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (up) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("nothing listens on port " + std::to_string(port));
}

peer_process::peer_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env)
{
    pid_ = ::fork();
    if (pid_ == 0) {
        for (auto& e : extra_env) ::putenv(const_cast<char*>(e.c_str()));
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        // Readiness probes make daemons log "connection closed"; WEIR_TEST_PEER_LOGS=1 shows them.
        if (!::getenv("WEIR_TEST_PEER_LOGS")) {
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

peer_process& peer_process::operator=(peer_process&& o) noexcept
{
    stop();
    pid_ = o.pid_;
    o.pid_ = -1;
    return *this;
}

void peer_process::stop()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

git_repos::git_repos() : root_(make_temp_dir("git-repos")), scratch_(root_.string() + ".work")
{
    fs::create_directories(scratch_);
}

git_repos::~git_repos()
{
    std::error_code ec;
    fs::remove_all(root_, ec);
    fs::remove_all(scratch_, ec);
}

void git_repos::create(const std::string& name)
{
    if (fs::exists(bare(name))) return;
    run({"git", "init", "-q", "--bare", "-b", "main", bare(name).string()});
}

fs::path git_repos::work(const std::string& name)
{
    auto w = scratch_ / name;
    if (!fs::exists(w)) {
        create(name);
        run({"git", "clone", "-q", bare(name).string(), w.string()});
    }
    return w;
}

std::string git_repos::commit(const std::string& name, const std::string& branch,
                              const std::map<std::string, std::string>& files, const std::string& message)
{
    auto w = work(name);
    run(git(w, {"checkout", "-q", "-B", branch}));
    for (auto& [path, content] : files) {
        fs::create_directories((w / path).parent_path());
        std::ofstream(w / path, std::ios::binary | std::ios::trunc) << content;
    }
    run(git(w, {"add", "-A"}));
    run(git(w, {"commit", "-q", "--allow-empty", "-m", message}));
    run(git(w, {"push", "-q", "origin", "HEAD:refs/heads/" + branch}));
    return head(name, branch);
}

void git_repos::add_symlink(const std::string& name, const std::string& path, const std::string& target)
{
    auto w = work(name);
    fs::create_directories((w / path).parent_path());
    fs::create_symlink(target, w / path);
}

void git_repos::add_submodule(const std::string& name, const std::string& path, const std::string& sub)
{
    auto w = work(name);
    run(git(w, {"-c", "protocol.file.allow=always", "submodule", "add", "-q", "../" + sub + ".git", path}));
}

void git_repos::tag(const std::string& name, const std::string& tag, const std::string& sha, const std::string& message)
{
    auto w = work(name);
    if (message.empty()) run(git(w, {"tag", tag, sha}));
    else run(git(w, {"tag", "-a", tag, "-m", message, sha}));
    run(git(w, {"push", "-q", "origin", "refs/tags/" + tag}));
}

std::string git_repos::force_push(const std::string& name, const std::string& branch,
                                  const std::map<std::string, std::string>& files, const std::string& message)
{
    auto w = work(name);
    run(git(w, {"checkout", "-q", "-B", branch}));
    run(git(w, {"reset", "-q", "--hard", "HEAD~1"}));
    for (auto& [path, content] : files) std::ofstream(w / path, std::ios::binary | std::ios::trunc) << content;
    run(git(w, {"add", "-A"}));
    run(git(w, {"commit", "-q", "-m", message}));
    run(git(w, {"push", "-q", "-f", "origin", "HEAD:refs/heads/" + branch}));
    return head(name, branch);
}

std::string git_repos::head(const std::string& name, const std::string& branch)
{
    auto out = run({"git", "--git-dir", bare(name).string(), "rev-parse", "refs/heads/" + branch});
    return out.substr(0, 40);
}

git_daemon::git_daemon(const fs::path& base) : base_(base)
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_port();
        try {
            start();
            return;
        } catch (const std::exception&) {
            proc_.stop();
        }
    }
    throw std::runtime_error("git daemon did not start");
}

void git_daemon::start()
{
    proc_ = peer_process({"git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + std::to_string(port_),
                          "--base-path=" + base_.string(), "--export-all", "--enable=receive-pack", base_.string()});
    wait_for_port(port_);
}

std::string git_daemon::url(const std::string& name) const
{
    return "git://127.0.0.1:" + std::to_string(port_) + "/" + name + ".git";
}

ssh_server::ssh_server(const fs::path& base) : base_(base), dir_(make_temp_dir("sshd"))
{
    auto key = [&](const std::string& file, const std::string& pass) {
        run({"ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", pass, "-C", "weir-test", "-f",
             (dir_ / file).string()});
    };
    key("host_key", "");
    key("other_host_key", "");
    key("user_key", "");
    key("user_key_pass", "secret");
    std::ofstream(dir_ / "authorized_keys") << slurp(dir_ / "user_key.pub") << slurp(dir_ / "user_key_pass.pub");
    fs::create_directories("/run/sshd"); // privilege separation directory sshd insists on
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_port();
        proc_ = peer_process({"/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null",
                               "-o", "Port=" + std::to_string(port_), "-o", "ListenAddress=127.0.0.1",
                               "-o", "HostKey=" + (dir_ / "host_key").string(),
                               "-o", "PidFile=" + (dir_ / "sshd.pid").string(),
                               "-o", "AuthorizedKeysFile=" + (dir_ / "authorized_keys").string(),
                               "-o", "StrictModes=no", "-o", "UsePAM=no", "-o", "PasswordAuthentication=no",
                               "-o", "KbdInteractiveAuthentication=no", "-o", "PermitRootLogin=prohibit-password",
                               "-o", "LogLevel=ERROR"});
        try {
            wait_for_port(port_);
            return;
        } catch (const std::exception&) {
            proc_.stop();
        }
    }
    throw std::runtime_error("sshd did not start");
}

ssh_server::~ssh_server()
{
    proc_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string ssh_server::url(const std::string& name) const
{
    return "ssh://root@127.0.0.1:" + std::to_string(port_) + (base_ / (name + ".git")).string();
}

static std::string known_hosts_for(const fs::path& pub, std::uint16_t port)
{
    std::istringstream in(slurp(pub));
    std::string type, key;
    in >> type >> key;
    return "[127.0.0.1]:" + std::to_string(port) + " " + type + " " + key + "\n";
}

std::string ssh_server::known_hosts() const { return known_hosts_for(dir_ / "host_key.pub", port_); }
std::string ssh_server::other_known_hosts() const { return known_hosts_for(dir_ / "other_host_key.pub", port_); }
std::string ssh_server::user_key() const { return slurp(dir_ / "user_key"); }
std::string ssh_server::user_key_with_passphrase() const { return slurp(dir_ / "user_key_pass"); }

} // namespace weir::test
