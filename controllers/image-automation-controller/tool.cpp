#include "tool.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace weir::image {
namespace fs = std::filesystem;

scratch_dir::scratch_dir(const fs::path& parent)
{
    std::error_code ec;
    fs::create_directories(parent, ec);
    std::string tmpl = (parent / "sign-XXXXXX").string();
    if (char* p = ::mkdtemp(tmpl.data())) path_ = p;
}

scratch_dir::~scratch_dir()
{
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
}

void write_private(const fs::path& p, const std::string& text)
{
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), 0600);
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

int run_tool(const std::vector<std::string>& argv, const fs::path& log, const std::vector<std::string>& env)
{
    // The child's environment: ours, with `env` overriding entries of the same name.
    std::vector<std::string> merged;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        std::string_view name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& x : env)
            overridden = overridden || x.compare(0, name.size() + 1, std::string(name) + "=") == 0;
        if (!overridden) merged.emplace_back(entry);
    }
    merged.insert(merged.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : merged)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

} // namespace weir::image
