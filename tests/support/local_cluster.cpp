#include "local_cluster.hpp"

#include "paths.hpp"

#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace weir::test {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void git(const fs::path& repo, const std::string& args)
{
    std::string out;
    int rc = run_command(fmt::format("git -C {} -c user.name=weir-test -c user.email=test@weir.invalid {}",
                                     repo.string(), args),
                         &out);
    INFO("git " << args << ": " << out);
    REQUIRE(rc == 0);
}

std::vector<std::string> common_flags(const fs::path& kubeconfig)
{
    return {"--kubeconfig",  kubeconfig.string(), "--metrics-addr", "127.0.0.1:0",
            "--health-addr", "127.0.0.1:0",       "--log-level",    "debug"};
}

} // namespace

local_cluster::local_cluster(local_cluster_options options)
    : options_(std::move(options)),
      dir_(fs::temp_directory_path() / fmt::format("weir-e2e-{}", std::random_device{}())),
      api_(options_.apiserver, options_.apiserver_args)
{
    fs::create_directories(dir_);
    REQUIRE(api_.start());
    auto cfg = api_.config();
    REQUIRE(cfg);
    auto c = kube::client::create(*cfg);
    REQUIRE(c);
    client_ = *c;
    for (const auto& entry : fs::directory_iterator(source_dir() / "config" / "crd"))
        if (entry.path().extension() == ".yaml" && entry.path().filename() != "kustomization.yaml")
            apply_yaml(read_file(entry.path()));

    std::map<std::string, std::string> env{{"RUNTIME_NAMESPACE", "default"}};
    if (!options_.source_controller.empty()) {
        unsigned short port = free_port();
        auto args = common_flags(api_.kubeconfig_path());
        std::string addr = fmt::format("127.0.0.1:{}", port);
        storage_address_ = addr;
        args.insert(args.end(), {"--storage-path", (dir_ / "storage").string(), "--storage-addr", addr,
                                 "--storage-adv-addr", addr});
        source_ = std::make_unique<child_process>(options_.source_controller, args, env);
        REQUIRE(source_->start());
    }
    if (!options_.kustomize_controller.empty()) {
        auto args = common_flags(api_.kubeconfig_path());
        args.push_back("--scratch-dir");
        args.push_back(dir_.string());
        kustomize_ = std::make_unique<child_process>(options_.kustomize_controller, args, env);
        REQUIRE(kustomize_->start());
    }
    for (const auto& extra : options_.controllers) {
        auto args = common_flags(api_.kubeconfig_path());
        for (auto arg : extra.args)
            args.push_back(arg == "source_url" ? storage_address_ : arg);
        auto child = std::make_unique<child_process>(extra.binary, args, env);
        REQUIRE(child->start());
        extra_[extra.name] = std::move(child);
    }
}

child_process& local_cluster::controller(const std::string& name)
{
    auto it = extra_.find(name);
    REQUIRE(it != extra_.end());
    return *it->second;
}

local_cluster::~local_cluster()
{
    extra_.clear();
    kustomize_.reset();
    source_.reset();
    api_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

fs::path local_cluster::make_repo(const std::string& name, const std::map<std::string, std::string>& files)
{
    fs::path repo = dir_ / "repos" / name;
    fs::create_directories(repo);
    git(repo, "init -q -b main");
    commit(repo, files, "initial");
    return repo;
}

std::string local_cluster::commit(const fs::path& repo, const std::map<std::string, std::string>& files,
                                  const std::string& message)
{
    for (const auto& [path, text] : files) {
        if (text.empty()) {
            fs::remove(repo / path);
            continue;
        }
        fs::create_directories((repo / path).parent_path());
        std::ofstream(repo / path) << text;
    }
    git(repo, "add -A");
    git(repo, "commit -q --allow-empty -m '" + message + "'");
    return head(repo);
}

std::string local_cluster::head(const fs::path& repo)
{
    std::string out;
    run_command("git -C " + repo.string() + " rev-parse HEAD", &out);
    return out.substr(0, 40);
}

void local_cluster::apply_yaml(const std::string& yaml)
{
    auto docs = parse_yaml_stream(yaml);
    REQUIRE(docs);
    for (const auto& d : *docs) {
        auto r = client_->apply(d, {.field_manager = "e2e", .force = true});
        INFO((r ? "" : r.err().message));
        REQUIRE(r);
    }
}

value local_cluster::wait_for(const kube::gvk& kind, const std::string& ns, const std::string& name,
                              const std::function<bool(const value&)>& pred, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    value last;
    while (std::chrono::steady_clock::now() < deadline) {
        auto got = client_->get(kind, ns, name);
        if (got) {
            last = *got;
            if (pred(last)) return last;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO("object: " << to_yaml(last));
    std::string sources_text; // INFO is scoped: collect first, report once
    if (auto sources = client_->list(git_repository_kind))
        for (const auto& src : sources->items)
            sources_text +=
                "source status: " + to_yaml(src.find("status") ? *src.find("status") : value{}) + "\n";
    INFO(sources_text);
    INFO("controller logs:\n" << controller_logs());
    FAIL("condition not reached within " << limit.count() << "s: " << kind.kind << " " << ns << "/" << name);
    return last;
}

std::string local_cluster::controller_logs() const
{
    std::string out;
    if (source_) out += "--- source-controller\n" + source_->log();
    if (kustomize_) out += "--- kustomize-controller\n" + kustomize_->log();
    for (const auto& [name, child] : extra_)
        out += "--- " + name + "\n" + child->log();
    return out;
}

namespace {
const value* find_condition(const value& obj, std::string_view type)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return nullptr;
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == type) return &c;
    return nullptr;
}
} // namespace

std::string condition_status(const value& obj, std::string_view type)
{
    const value* c = find_condition(obj, type);
    return c ? std::string(c->get_string("status")) : "";
}

std::string condition_message(const value& obj, std::string_view type)
{
    const value* c = find_condition(obj, type);
    return c ? std::string(c->get_string("message")) : "";
}

std::string condition_reason(const value& obj, std::string_view type)
{
    const value* c = find_condition(obj, type);
    return c ? std::string(c->get_string("reason")) : "";
}

std::function<bool(const value&)> ready_is(std::string status)
{
    return [status](const value& o) { return condition_status(o, "Ready") == status; };
}

std::string string_at(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = obj.find_path(path);
    return v && v->is_string() ? v->as_string() : "";
}

void wait_until(const std::function<bool()>& done, const std::string& what, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) FAIL("timed out waiting for " + what);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void request_reconcile(local_cluster& c, const kube::gvk& kind, const std::string& name,
                       const std::string& token)
{
    auto r = c.client().patch(
        kind, "default", name, kube::patch_type::merge,
        fmt::format(R"({{"metadata":{{"annotations":{{"reconcile.fluxcd.io/requestedAt":"{}"}}}}}})", token));
    REQUIRE(r);
}

std::function<bool(const value&)> applied(const std::string& sha)
{
    return [sha](const value& o) {
        return string_at(o, {"status", "lastAppliedRevision"}) == "main@sha1:" + sha &&
               condition_status(o, "Ready") == "True";
    };
}

} // namespace weir::test
