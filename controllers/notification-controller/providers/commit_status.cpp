// Commit status providers: the event's revision gets a status on the Git host (success for info,
// failure for error), named "<kind>/<name>/<first block of the Provider's uid>" so several
// clusters reporting on one commit do not overwrite each other. Events without a revision carry
// nothing to attach to and send nothing.
#include "provider.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace weir::notification::providers {
namespace {

bool is_error(const flux_event& ev)
{
    return ev.severity == "error";
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string status_id(const provider_config& cfg, const flux_event& ev)
{
    if (!cfg.commit_status_id.empty()) return cfg.commit_status_id;
    std::string uid_block = cfg.provider_uid.substr(0, cfg.provider_uid.find('-'));
    return lower(fmt::format("{}/{}/{}", ev.involved_object.kind, ev.involved_object.name, uid_block));
}

// "ReconciliationSucceeded" -> "Reconciliation succeeded".
std::string description(const flux_event& ev)
{
    std::string out;
    for (std::size_t i = 0; i < ev.reason.size(); ++i) {
        char c = ev.reason[i];
        if (i > 0 && std::isupper(static_cast<unsigned char>(c))) {
            out += ' ';
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        out += c;
    }
    if (out.empty()) out = ev.message;
    return out;
}

struct repo_address {
    parsed_url url;
    std::vector<std::string> path; // path segments without ".git"
};

result<repo_address> repo_of(const provider_config& cfg, std::size_t min_segments)
{
    WEIR_TRY(require(!cfg.address.empty(), cfg.type, "an address (the repository's HTTPS URL)"));
    WEIR_TRY_ASSIGN(auto u, parse_url(cfg.address));
    repo_address r{u, {}};
    std::string_view p = u.target;
    p = p.substr(0, p.find('?'));
    std::size_t start = 0;
    while (start < p.size()) {
        auto end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        if (end > start) r.path.emplace_back(p.substr(start, end - start));
        start = end + 1;
    }
    if (!r.path.empty() && r.path.back().ends_with(".git")) r.path.back().resize(r.path.back().size() - 4);
    if (r.path.size() < min_segments)
        return terminal_error(
            fmt::format("provider type {}: address \"{}\" does not name a repository", cfg.type, cfg.address),
            "InvalidProvider");
    return r;
}

std::string origin(const parsed_url& u)
{
    bool default_port = (u.scheme == "https" && u.port == "443") || (u.scheme == "http" && u.port == "80");
    return default_port ? u.scheme + "://" + u.host : u.scheme + "://" + u.host + ":" + u.port;
}

status need_token(const provider_config& cfg)
{
    return require(!cfg.token.empty() || !cfg.password.empty(), cfg.type, "a token in its secretRef");
}

} // namespace

requests github(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 2));
    WEIR_TRY(need_token(cfg));
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    std::string api = repo.url.host == "github.com" ? "https://api.github.com" : origin(repo.url) + "/api/v3";
    std::string owner = repo.path[repo.path.size() - 2], name = repo.path.back();
    std::string desc = description(ev).substr(0, 140); // GitHub's limit
    http_request r = json_post(fmt::format("{}/repos/{}/{}/statuses/{}", api, owner, name, sha),
                               weir::object{{"state", is_error(ev) ? "failure" : "success"},
                                            {"context", status_id(cfg, ev)},
                                            {"description", desc}});
    r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
    r.headers.emplace_back("Accept", "application/vnd.github+json");
    return std::vector{std::move(r)};
}

requests gitlab(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 2));
    WEIR_TRY(need_token(cfg));
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    std::string project;
    for (const auto& s : repo.path)
        project += (project.empty() ? "" : "/") + s;
    http_request r = json_post(
        fmt::format("{}/api/v4/projects/{}/statuses/{}", origin(repo.url), url_encode(project), sha),
        weir::object{{"state", is_error(ev) ? "failed" : "success"},
                     {"name", status_id(cfg, ev)},
                     {"description", description(ev)}});
    r.headers.emplace_back("PRIVATE-TOKEN", cfg.token.empty() ? cfg.password : cfg.token);
    return std::vector{std::move(r)};
}

requests gitea(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 2));
    WEIR_TRY(need_token(cfg));
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    std::string owner = repo.path[repo.path.size() - 2], name = repo.path.back();
    http_request r =
        json_post(fmt::format("{}/api/v1/repos/{}/{}/statuses/{}", origin(repo.url), owner, name, sha),
                  weir::object{{"state", is_error(ev) ? "failure" : "success"},
                               {"context", status_id(cfg, ev)},
                               {"description", description(ev)}});
    r.headers.emplace_back("Authorization", "token " + cfg.token);
    return std::vector{std::move(r)};
}

requests bitbucket(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 2));
    // Bitbucket Cloud authenticates with an app password: the token is "<user>:<app password>".
    auto colon = cfg.token.find(':');
    if (colon == std::string::npos)
        return terminal_error("provider type bitbucket needs a token of the form <username>:<app password>",
                              "InvalidProvider");
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    std::string owner = repo.path[repo.path.size() - 2], name = repo.path.back();
    std::string id = status_id(cfg, ev);
    const auto& io = ev.involved_object;
    http_request r =
        json_post(fmt::format("https://api.bitbucket.org/2.0/repositories/{}/{}/commit/{}/statuses/build",
                              owner, name, sha),
                  weir::object{{"state", is_error(ev) ? "FAILED" : "SUCCESSFUL"},
                               {"key", hex_sha1(id)}, // Bitbucket limits keys to 40 characters
                               {"name", lower(io.kind + "/" + io.name)},
                               {"description", description(ev)},
                               {"url", fmt::format("https://bitbucket.org/{}/{}", owner, name)}});
    r.headers.emplace_back("Authorization",
                           basic_auth(cfg.token.substr(0, colon), cfg.token.substr(colon + 1)));
    return std::vector{std::move(r)};
}

requests bitbucketserver(const provider_config& cfg, const flux_event& ev)
{
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 2));
    WEIR_TRY(
        require(!cfg.token.empty() || !cfg.username.empty(), cfg.type, "a token, or username and password"));
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    // https://host[/context]/scm/<project>/<repo>.git or .../projects/<project>/repos/<repo>
    std::string project = repo.path[repo.path.size() - 2], name = repo.path.back();
    std::string context;
    for (std::size_t i = 0; i + 2 < repo.path.size(); ++i) {
        if (repo.path[i] == "scm" || repo.path[i] == "projects") break;
        context += "/" + repo.path[i];
    }
    if (repo.path.size() >= 4 && repo.path[repo.path.size() - 2] == "repos")
        project = repo.path[repo.path.size() - 3];
    const auto& io = ev.involved_object;
    http_request r = json_post(fmt::format("{}{}/rest/api/latest/projects/{}/repos/{}/commits/{}/builds",
                                           origin(repo.url), context, project, name, sha),
                               weir::object{{"state", is_error(ev) ? "FAILED" : "SUCCESSFUL"},
                                            {"key", status_id(cfg, ev)},
                                            {"name", lower(io.kind + "/" + io.name)},
                                            {"description", description(ev)}});
    if (!cfg.token.empty())
        r.headers.emplace_back("Authorization", "Bearer " + cfg.token);
    else
        r.headers.emplace_back("Authorization", basic_auth(cfg.username, cfg.password));
    return std::vector{std::move(r)};
}

requests azuredevops(const provider_config& cfg, const flux_event& ev)
{
    // https://dev.azure.com/<org>/<project>/_git/<repo>
    WEIR_TRY_ASSIGN(auto repo, repo_of(cfg, 4));
    WEIR_TRY(need_token(cfg));
    auto git = std::find(repo.path.begin(), repo.path.end(), "_git");
    if (git == repo.path.end() || git + 1 == repo.path.end() || git - repo.path.begin() < 2)
        return terminal_error(
            "provider type azuredevops: address must be https://dev.azure.com/<org>/<project>/_git/<repo>",
            "InvalidProvider");
    std::string sha = event_commit_sha(ev);
    if (sha.empty()) return std::vector<http_request>{};
    std::string org = *(git - 2), project = *(git - 1), name = *(git + 1);
    http_request r =
        json_post(fmt::format("{}/{}/{}/_apis/git/repositories/{}/commits/{}/statuses?api-version=6.0",
                              origin(repo.url), org, project, name, sha),
                  weir::object{{"state", is_error(ev) ? "failed" : "succeeded"},
                               {"description", description(ev)},
                               {"context", weir::object{{"genre", "fluxcd"}, {"name", status_id(cfg, ev)}}}});
    r.headers.emplace_back("Authorization", basic_auth("", cfg.token));
    return std::vector{std::move(r)};
}

} // namespace weir::notification::providers
