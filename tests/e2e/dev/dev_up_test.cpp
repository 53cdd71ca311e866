// `weir dev up` as a newcomer meets it: the real weir binary starting weir-apiserver, every
// controller, a Git server, a registry and an alert webhook, reconciling the example fleet
// (manifests/examples). What is checked is what the README's first five minutes promise.
#include "support/child_process.hpp"

#include <weir/core/temp_dir.hpp>
#include <weir/kube/client.hpp>
#include <weir/kube/config.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <signal.h>
#include <sstream>
#include <thread>

using namespace weir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds patience)
{
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(200ms);
    }
    return done();
}

int weir_cli(const std::string& args, std::string* out = nullptr)
{
    return test::run_command(fmt::format("env -u KUBECONFIG '{}' {} 2>&1", WEIR_CLI_BIN, args), out);
}

std::string ready(kube::client& c, const kube::gvk& kind, const std::string& ns, const std::string& name)
{
    auto o = c.get(kind, ns, name);
    if (!o) return "";
    const value* conds = o->find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return "";
    for (const auto& cond : conds->as_array())
        if (cond.get_string("type") == "Ready") return std::string(cond.get_string("status"));
    return "";
}

const kube::gvk kustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
const kube::gvk deployment{"apps", "v1", "Deployment"};
const kube::gvk secret{"", "v1", "Secret"};

std::string podinfo_image(kube::client& c)
{
    auto d = c.get(deployment, "apps", "podinfo");
    if (!d) return "";
    const value* containers = d->find_path({"spec", "template", "spec", "containers"});
    return containers && containers->is_array() && !containers->as_array().empty()
               ? std::string(containers->as_array()[0].get_string("image"))
               : "";
}

} // namespace

TEST_CASE("weir dev up: the example fleet's Helm release, image update, alerts and a user's commit reach the "
          "cluster, and dev down stops it all",
          "[e2e][dev]")
{
    temp_dir dir(fs::temp_directory_path(), "weir-dev-e2e");
    fs::path state = dir.path() / ".weir";
    test::child_process up(WEIR_CLI_BIN, {"dev", "up", "--dir", state.string(), "--repo", WEIR_EXAMPLES_DIR,
                                          "--timeout", "150s"});
    REQUIRE(up.start());

    std::shared_ptr<kube::client> client;
    REQUIRE(eventually(
        [&] {
            if (!fs::exists(state / "pids")) return false; // written once every peer has started
            auto cfg = kube::load_config({.kubeconfig = (state / "kubeconfig").string()});
            if (!cfg) return false;
            auto c = kube::client::create(*cfg);
            if (!c) return false;
            client = *c;
            return true;
        },
        60s));
    INFO(up.log());
    REQUIRE(eventually([&] { return ready(*client, kustomization, "flux-system", "apps") == "True"; }, 90s));

    // The HelmRelease of the chart in the fleet repository, recorded as Helm 3 records it.
    CHECK(
        eventually([&] { return bool(client->get(secret, "apps", "sh.helm.release.v1.greeting.v1")); }, 60s));

    // The image policy picks 6.8.0 from the local registry and the automation commits it to the
    // fleet; the user's checkout is updated by the push.
    fs::path fleet = state / "fleet";
    REQUIRE(eventually(
        [&] {
            return slurp(fleet / "apps/podinfo/kustomization.yaml").find("newTag: 6.8.0 #") !=
                   std::string::npos;
        },
        90s));
    std::string log;
    REQUIRE(test::run_command(fmt::format("git -C '{}' log -1 --format='%an %s%n%b'", fleet.string()),
                              &log) == 0);
    CHECK(log.find("weir Update images") != std::string::npos);
    CHECK(log.find("6.7.1 -> 6.8.0") != std::string::npos);
    std::string out;
    CHECK(weir_cli(fmt::format("reconcile ks apps -n flux-system --with-source --kubeconfig '{}'",
                               (state / "kubeconfig").string()),
                   &out) == 0);
    INFO(out);
    CHECK(eventually([&] { return podinfo_image(*client) == "ghcr.io/stefanprodan/podinfo:6.8.0"; }, 60s));

    // Alerts reach the webhook, one JSON event per line.
    INFO("alerts: " << slurp(state / "alerts.log"));
    CHECK(eventually(
        [&] {
            std::string alerts = slurp(state / "alerts.log");
            return alerts.find(R"("kind":"Kustomization")") != std::string::npos &&
                   alerts.find(R"("name":"apps")") != std::string::npos;
        },
        60s));

    // The README's change: edit the fleet, commit, reconcile with the source.
    fs::path apps = fleet / "clusters/dev/apps.yaml";
    std::string text = slurp(apps);
    auto at = text.find("replicas: \"2\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 13, "replicas: \"3\"");
    std::ofstream(apps) << text;
    REQUIRE(
        test::run_command(fmt::format("git -C '{}' -c user.name=dev -c user.email=dev@localhost commit -qam "
                                      "'three replicas'",
                                      fleet.string())) == 0);
    CHECK(weir_cli(fmt::format("reconcile ks flux-system -n flux-system --with-source --kubeconfig '{}'",
                               (state / "kubeconfig").string())) == 0);
    CHECK(eventually(
        [&] {
            auto d = client->get(deployment, "apps", "podinfo");
            const value* r = d ? d->find_path({"spec", "replicas"}) : nullptr;
            return r && r->is_int() && r->as_int() == 3;
        },
        60s));

    // dev down stops every process dev up started; dev up then exits.
    std::vector<pid_t> pids;
    {
        std::ifstream in(state / "pids");
        for (pid_t p; in >> p;)
            pids.push_back(p);
    }
    CHECK(pids.size() ==
          7); // apiserver, five controllers, registry (the Git server and webhook are in-process)
    CHECK(weir_cli(fmt::format("dev down --dir '{}'", state.string())) == 0);
    CHECK(eventually([&] { return !up.running(); }, 30s));
    CHECK(up.log().find("weir: ") == std::string::npos); // stopped cleanly, not by its children dying
    for (pid_t p : pids)
        CHECK(::kill(p, 0) != 0);
}
