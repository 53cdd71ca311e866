#include "detail/exec_plugin.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/time.hpp>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

extern char** environ;

namespace weir::kube::detail {

bool exec_credential::expired() const
{
    return expires && std::chrono::system_clock::now() + std::chrono::seconds(10) >= *expires;
}

result<exec_credential> parse_exec_credential(std::string_view json, std::string_view command)
{
    std::string what = "exec plugin " + std::string(command);
    auto doc = parse_json(json);
    if (!doc) return transient_error(what + ": output is not an ExecCredential: " + doc.err().message, "ExecPluginFailed");
    const weir::value* status = doc->find("status");
    if (doc->get_string("kind") != "ExecCredential" || !status || !status->is_object())
        return transient_error(what + ": output is not an ExecCredential with a status", "ExecPluginFailed");
    exec_credential out;
    out.token = std::string(status->get_string("token"));
    out.client_cert_pem = std::string(status->get_string("clientCertificateData"));
    out.client_key_pem = std::string(status->get_string("clientKeyData"));
    if (out.token.empty() && out.client_cert_pem.empty())
        return transient_error(what + ": ExecCredential has neither a token nor a client certificate", "ExecPluginFailed");
    if (auto exp = status->get_string("expirationTimestamp"); !exp.empty()) {
        WEIR_TRY_ASSIGN(out.expires, parse_time(exp));
    }
    return out;
}

result<exec_credential> run_exec_plugin(const exec_config& exec, std::string_view server)
{
    std::string what = "exec plugin " + exec.command;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return transient_error(what + ": pipe: " + std::strerror(errno), "ExecPluginFailed");

    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
    for (const auto& [k, v] : exec.env) env_store.push_back(k + "=" + v);
    env_store.push_back("KUBERNETES_EXEC_INFO={\"apiVersion\":\"" + exec.api_version +
                        "\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false,\"cluster\":{\"server\":\"" +
                        std::string(server) + "\"}}}");
    std::vector<char*> envp, argv;
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args{exec.command};
    args.insert(args.end(), exec.args.begin(), exec.args.end());
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return transient_error(what + ": cannot start: " + std::strerror(rc), "ExecPluginFailed");
    }
    // Bounded: a plugin that hangs must not block the client forever.
    std::string out;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool timed_out = false;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) { timed_out = true; break; }
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    if (timed_out) kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (timed_out) return transient_error(what + ": no credential within 30s", "ExecPluginFailed");
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        return transient_error(what + ": exited with status " + std::to_string(WEXITSTATUS(wstatus)), "ExecPluginFailed");
    return parse_exec_credential(out, exec.command);
}

} // namespace weir::kube::detail
