#include "dev_env.hpp"

#include "cli_manifests.hpp"

#include <weir/core/yaml.hpp>
#include <weir/gitserve/http_server.hpp>
#include <weir/kube/config.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace weir::cli {
namespace embedded_crds {
const std::vector<std::pair<std::string_view, std::string_view>>& files();
}

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const kube::gvk git_repository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const kube::gvk kustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};

// Runs a command, returning its output; a non-zero exit is an error carrying that output.
result<std::string> run(const std::string& command)
{
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return transient_error("cannot run: " + command);
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    if (::pclose(p) != 0) return terminal_error(fmt::format("'{}' failed: {}", command, out));
    return out;
}

std::string condition(const value& obj, std::string_view type, std::string_view field)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return "";
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == type) return std::string(c.get_string(field));
    return "";
}

} // namespace

dev_env::dev_env(dev_options options) : options_(std::move(options))
{
    bin_dir_ = fs::read_symlink("/proc/self/exe").parent_path();
}

dev_env::~dev_env()
{
    down();
}

process::child& dev_env::spawn(const std::string& name, std::vector<std::string> args)
{
    return spawn_peer(name, bin_dir_ / name, std::move(args), {{"RUNTIME_NAMESPACE", "flux-system"}});
}

process::child& dev_env::spawn_peer(const std::string& name, const fs::path& binary,
                                    std::vector<std::string> args, std::map<std::string, std::string> env)
{
    fs::create_directories(options_.dir / "logs");
    children_.push_back(std::make_unique<process::child>(process::child_options{
        .binary = binary,
        .args = std::move(args),
        .env = std::move(env),
        .log = options_.dir / "logs" / (name + ".log"),
        .new_session = true, // Ctrl-C reaches us, and we stop the children in order
    }));
    return *children_.back();
}

status dev_env::start_apiserver()
{
    fs::path kubeconfig = options_.dir / "kubeconfig";
    fs::remove(kubeconfig);
    WEIR_TRY(spawn("weir-apiserver", {"--data-dir", (options_.dir / "apiserver").string(), "--listen",
                                      "127.0.0.1:0", "--write-kubeconfig", kubeconfig.string()})
                 .start());
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(kubeconfig)) {
            auto cfg = kube::load_config({.kubeconfig = kubeconfig.string()});
            if (cfg) {
                auto c = kube::client::create(*cfg);
                if (c && (*c)->get_path("/version")) {
                    client_ = *c;
                    return ok();
                }
            }
        }
        if (!children_.back()->running())
            return terminal_error("weir-apiserver exited; see " +
                                  (options_.dir / "logs/weir-apiserver.log").string());
        std::this_thread::sleep_for(100ms);
    }
    return transient_error("weir-apiserver did not start within 30s");
}

status dev_env::start_controllers()
{
    std::string kubeconfig = (options_.dir / "kubeconfig").string();
    std::string storage = fmt::format("127.0.0.1:{}", process::free_tcp_port());
    // With a notification-controller in this build, every controller sends it its events.
    bool notifications = fs::exists(bin_dir_ / "notification-controller");
    std::string events = notifications ? fmt::format("127.0.0.1:{}", process::free_tcp_port()) : "";
    // Health ports are chosen here so that `weir install`/`check` can find them in <dir>/controllers.
    std::vector<std::pair<std::string, std::string>> health;
    auto health_addr = [&](const std::string& name) {
        health.emplace_back(name, fmt::format("127.0.0.1:{}", process::free_tcp_port()));
        return health.back().second;
    };
    std::string next_name = "source-controller";
    auto common = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"--kubeconfig",   kubeconfig,      "--metrics-addr",
                                      "127.0.0.1:0",    "--health-addr", health_addr(next_name),
                                      "--log-encoding", "json"};
        if (notifications) args.insert(args.end(), {"--events-addr", "http://" + events + "/"});
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    fs::create_directories(options_.dir / "tmp");
    WEIR_TRY(spawn("source-controller", common({"--storage-path", (options_.dir / "storage").string(),
                                                "--storage-addr", storage, "--storage-adv-addr", storage}))
                 .start());
    next_name = "kustomize-controller";
    WEIR_TRY(
        spawn("kustomize-controller", common({"--scratch-dir", (options_.dir / "tmp").string()})).start());
    // The other controllers of the component table, when this build has them (each is built on its
    // own): the common flags on loopback ports plus what each needs to keep its files under --dir.
    for (const auto& comp : components()) {
        if (comp.name == "source-controller" || comp.name == "kustomize-controller") continue;
        if (!fs::exists(bin_dir_ / comp.name)) continue;
        next_name = comp.name;
        std::vector<std::string> args = common({});
        if (comp.name == "notification-controller") {
            // Its --events-addr is where it listens (Flux's meaning for this binary).
            args = {"--kubeconfig",    kubeconfig,
                    "--metrics-addr",  "127.0.0.1:0",
                    "--health-addr",   health.back().second,
                    "--log-encoding",  "json",
                    "--events-addr",   events,
                    "--receiver-addr", fmt::format("127.0.0.1:{}", process::free_tcp_port())};
        } else if (comp.name == "helm-controller") {
            args.insert(args.end(), {"--scratch-dir", (options_.dir / "tmp").string()});
        } else if (comp.name == "image-automation-controller") {
            args.insert(args.end(), {"--storage-path", (options_.dir / "image-storage").string()});
        }
        WEIR_TRY(spawn(comp.name, std::move(args)).start());
    }
    {
        std::ofstream endpoints(options_.dir / "controllers");
        for (const auto& [name, address] : health)
            endpoints << name << " " << address << "\n";
    }
    return ok();
}

result<std::string> dev_env::serve_repository(std::string& branch)
{
    fs::path repo = fs::absolute(options_.repo).lexically_normal();
    if (repo.filename().empty()) repo = repo.parent_path();
    if (!fs::is_directory(repo))
        return terminal_error(fmt::format("--repo {}: no such directory", repo.string()));
    if (fs::exists(repo / ".git")) {
        WEIR_TRY_ASSIGN(auto head,
                        run(fmt::format("git -C '{}' rev-parse --abbrev-ref HEAD", repo.string())));
        branch = head.substr(0, head.find('\n'));
    } else {
        // A plain directory: commit a copy, so the loop runs on exactly what the user sees.
        fs::path fleet = fs::absolute(options_.dir / "fleet");
        fs::remove_all(fleet);
        fs::create_directories(fleet);
        fs::copy(repo, fleet, fs::copy_options::recursive);
        WEIR_TRY(run(fmt::format(
            "git -C '{0}' init -q -b main && git -C '{0}' add -A && git -C '{0}' -c user.name=weir "
            "-c user.email=weir@localhost commit -q -m 'weir dev up'",
            fleet.string())));
        branch = "main";
        repo = fleet;
    }
    // Served over smart HTTP with pushes on, from a directory holding only a link to it (so nothing
    // else next to the repository is exposed). A push to the checked-out branch also updates the
    // working tree when it is clean (updateInstead): the user sees weir's image updates in their
    // checkout. That setting reaches git through the environment; the repository is not touched.
    fs::path served = fs::absolute(options_.dir / "git");
    fs::remove_all(served);
    fs::create_directories(served);
    fs::create_directory_symlink(repo, served / "fleet");
    git_ = std::make_unique<gitserve::http_server>(gitserve::http_server_options{
        .base = served, .git_config = {{"receive.denyCurrentBranch", "updateInstead"}}});
    WEIR_TRY(git_->start());
    return git_->url("fleet");
}

status dev_env::start_registry()
{
    const fs::path binary = "/usr/bin/docker-registry";
    if (!fs::exists(binary)) {
        std::cerr << "weir: " << binary.string()
                  << " is not installed: the example fleet's image policy will not become Ready "
                     "(apt-get install docker-registry)"
                  << std::endl;
        return ok();
    }
    unsigned short port = process::free_tcp_port();
    fs::create_directories(options_.dir / "registry");
    fs::path config = options_.dir / "registry.yml";
    WEIR_TRY(write_registry_config(config, options_.dir / "registry", port));
    WEIR_TRY(spawn_peer("docker-registry", binary, {"serve", config.string()}).start());
    registry_host_ = fmt::format("127.0.0.1:{}", port);
    // The example app's releases: its policy picks the newest 6.x, one above what Git says.
    return seed_registry(registry_host_, "stefanprodan/podinfo", {"6.7.0", "6.7.1", "6.8.0", "7.0.0-rc.1"});
}

status dev_env::apply_sync(const std::string& url, const std::string& branch)
{
    // Where this machine's peers listen, for the fleet's postBuild.substituteFrom (a cluster's
    // "cluster-vars" ConfigMap in a real fleet).
    std::string manifests = fmt::format(R"(apiVersion: v1
kind: Namespace
metadata: {{name: flux-system}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: dev-endpoints, namespace: flux-system}}
data:
  dev_registry: "{}"
  dev_alert_url: "http://127.0.0.1:{}/"
  dev_charts_url: "{}"
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec:
  url: {}
  interval: 1m
  ref: {{branch: {}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: flux-system, namespace: flux-system}}
spec:
  interval: 10m
  path: {}
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
)",
                                        registry_host_.empty() ? "127.0.0.1:1" : registry_host_,
                                        http_->port(), http_->charts_url(), url, branch, options_.path);
    WEIR_TRY_ASSIGN(auto docs, parse_yaml_stream(manifests));
    for (const auto& d : docs) {
        auto r = client_->apply(d, {.field_manager = "weir", .force = true});
        if (!r) return r.err().wrap("applying the sync manifests");
    }
    return ok();
}

status dev_env::up()
{
    if (fs::exists(options_.dir / "pids"))
        return terminal_error(
            fmt::format("an instance may be running with {}; stop it with 'weir dev down --dir {}'",
                        options_.dir.string(), options_.dir.string()));
    // Each run starts from a clean cluster: artifacts and objects of a previous run would point at
    // ports and paths that are gone.
    for (auto sub : {"apiserver", "storage", "image-storage", "tmp", "fleet", "logs", "registry", "charts"})
        fs::remove_all(options_.dir / sub);
    fs::remove(options_.dir / "alerts.log");
    fs::create_directories(options_.dir);
    WEIR_TRY(start_apiserver());
    for (const auto& [name, text] : embedded_crds::files()) {
        WEIR_TRY_ASSIGN(auto crd, parse_yaml(text));
        auto r = client_->apply(crd, {.field_manager = "weir", .force = true});
        if (!r) return r.err().wrap(fmt::format("installing {}", name));
    }
    WEIR_TRY(start_controllers());
    std::string branch;
    WEIR_TRY_ASSIGN(auto url, serve_repository(branch));
    http_ = std::make_unique<dev_http_server>(options_.dir / "alerts.log");
    WEIR_TRY(http_->publish_charts(fs::absolute(options_.dir / "git" / "fleet" / "charts"),
                                   options_.dir / "charts"));
    WEIR_TRY(http_->start());
    WEIR_TRY(start_registry());
    {
        std::ofstream pids(options_.dir / "pids");
        for (const auto& c : children_)
            pids << c->pid() << "\n";
        // `weir dev down` asks this process to stop first, so the children stop in order.
        std::ofstream(options_.dir / "pid") << ::getpid() << "\n";
    }
    return apply_sync(url, branch);
}

std::string dev_env::status_table(bool& all_ready)
{
    struct shown_kind {
        kube::gvk kind;
        const char* controller; // the kind is shown when this build has the controller
    };
    static const shown_kind kinds[] = {
        {git_repository, "source-controller"},
        {kustomization, "kustomize-controller"},
        {{"helm.toolkit.fluxcd.io", "v2", "HelmRelease"}, "helm-controller"},
        {{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"}, "image-automation-controller"},
        {{"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"}, "image-automation-controller"},
    };
    all_ready = true;
    std::ostringstream out;
    out << fmt::format("{:<22} {:<28} {:<6} {}\n", "KIND", "NAMESPACE/NAME", "READY", "MESSAGE");
    std::size_t kustomizations = 0;
    for (const auto& [kind, controller] : kinds) {
        if (!fs::exists(bin_dir_ / controller)) continue;
        auto list = client_->list(kind);
        if (!list) {
            all_ready = false;
            continue;
        }
        for (const auto& o : list->items) {
            std::string ready = condition(o, "Ready", "status");
            if (ready != "True") all_ready = false;
            if (kind == kustomization) ++kustomizations;
            std::string message = condition(o, "Ready", "message");
            if (message.size() > 90) message = message.substr(0, 87) + "...";
            out << fmt::format("{:<22} {:<28} {:<6} {}\n", kind.kind,
                               fmt::format("{}/{}", o.find_path({"metadata", "namespace"})->as_string(),
                                           o.find_path({"metadata", "name"})->as_string()),
                               ready.empty() ? "-" : ready, message);
        }
    }
    if (kustomizations == 0) all_ready = false;
    if (http_)
        out << fmt::format("alerts received: {} (in {})\n", http_->alerts_received(),
                           (options_.dir / "alerts.log").string());
    return out.str();
}

status dev_env::watch(bool exit_when_ready, const std::function<bool()>& keep_going,
                      std::chrono::milliseconds every)
{
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    std::string last;
    while (keep_going()) {
        bool ready = false;
        std::string table = status_table(ready);
        if (table != last) std::cout << table << std::endl;
        last = table;
        if (exit_when_ready && ready) return ok();
        if (exit_when_ready && std::chrono::steady_clock::now() > deadline)
            return transient_error(fmt::format("not ready after {}s; logs are in {}",
                                               options_.timeout.count(), (options_.dir / "logs").string()));
        for (const auto& c : children_)
            if (!c->running())
                return terminal_error(fmt::format(
                    "{} exited; see {}", c->options().binary.filename().string(), c->options().log.string()));
        std::this_thread::sleep_for(every);
    }
    return ok();
}

void dev_env::down()
{
    if (git_) git_->stop();
    // Controllers first, the API server last, so nobody loses its server mid-request.
    for (auto it = children_.rbegin(); it != children_.rend(); ++it)
        (*it)->stop();
    children_.clear();
    std::error_code ec;
    fs::remove(options_.dir / "pids", ec);
    fs::remove(options_.dir / "pid", ec);
    fs::remove(options_.dir / "controllers", ec);
}

status dev_env::down_from_pid_file(const fs::path& dir)
{
    std::ifstream in(dir / "pids");
    if (!in)
        return terminal_error(fmt::format("no running instance: {} does not exist", (dir / "pids").string()));
    // The dev up process stops its children in order and cleans up; whatever outlives it (it was
    // killed, or hangs) is stopped from the pid list.
    if (pid_t up = 0; (std::ifstream(dir / "pid") >> up) && up > 0 && process::pid_alive(up))
        process::stop_pid(up, std::chrono::seconds(20));
    std::vector<pid_t> pids;
    for (pid_t p; in >> p;)
        pids.push_back(p);
    for (auto it = pids.rbegin(); it != pids.rend(); ++it)
        process::stop_pid(*it);
    std::error_code ec;
    fs::remove(dir / "pids", ec);
    fs::remove(dir / "pid", ec);
    fs::remove(dir / "controllers", ec);
    return ok();
}

} // namespace weir::cli
