// The weir CLI end to end: the real `weir` binary against a real weir-apiserver with the real
// source- and kustomize-controllers, and real Git servers (file, sshd) on loopback. weir-apiserver
// runs no pods, so the controllers of the bootstrapped Deployments are the local processes; what
// the tests check is what weir writes to Git and to the API.
#include "support/git_server.hpp"
#include "support/local_cluster.hpp"
#include "support/paths.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/core/yaml.hpp>
#include <weir/kube/errors.hpp>
#include <weir/process/child.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

using namespace weir;
namespace fs = std::filesystem;

namespace {

const kube::gvk deployment{"apps", "v1", "Deployment"};
const kube::gvk config_map{"", "v1", "ConfigMap"};
const kube::gvk crd_kind{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"};

struct outcome {
    int rc = -1;
    std::string out; // stdout and stderr
};

std::string quote(const std::string& s)
{
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

outcome weir_cli(const std::vector<std::string>& args)
{
    std::string cmd = "env -u KUBECONFIG " + quote(WEIR_CLI_BIN);
    for (const auto& a : args) cmd += " " + quote(a);
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    outcome o;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) o.out.append(buf, n);
    int st = ::pclose(p);
    o.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return o;
}

test::local_cluster_options binaries()
{
    return {WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, WEIR_KUSTOMIZE_CONTROLLER_BIN};
}

// Clones, writes the files (an empty text deletes one), commits and pushes; returns the new HEAD.
std::string push_change(const fs::path& bare, const std::map<std::string, std::string>& files, const std::string& msg)
{
    temp_dir wt(fs::temp_directory_path(), "cli-e2e-wt");
    fs::path w = wt.path() / "w";
    test::run({"git", "clone", "-q", bare.string(), w.string()});
    for (const auto& [path, text] : files) {
        if (text.empty()) {
            fs::remove(w / path);
            continue;
        }
        fs::create_directories((w / path).parent_path());
        std::ofstream(w / path, std::ios::binary | std::ios::trunc) << text;
    }
    test::run({"git", "-C", w.string(), "add", "-A"});
    test::run({"git", "-C", w.string(), "-c", "user.name=e2e", "-c", "user.email=e2e@localhost", "commit", "-q", "-m", msg});
    test::run({"git", "-C", w.string(), "push", "-q", "origin", "HEAD:refs/heads/main"});
    return test::run({"git", "-C", w.string(), "rev-parse", "HEAD"}).substr(0, 40);
}

std::string head_of(const fs::path& bare) { return test::run({"git", "-C", bare.string(), "rev-parse", "main"}).substr(0, 40); }
int commit_count(const fs::path& bare)
{
    return std::stoi(test::run({"git", "-C", bare.string(), "rev-list", "--count", "main"}));
}

std::string cm_yaml(const std::string& name, const std::string& v)
{
    return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  namespace: default\ndata:\n  value: \"{}\"\n",
                       name, v);
}

std::string cm_value(test::local_cluster& c, const std::string& name)
{
    auto o = c.client().get(config_map, "default", name);
    return o ? test::string_at(*o, {"data", "value"}) : "<" + o.err().reason + ">";
}

std::string args_of(test::local_cluster& c, const std::string& name)
{
    auto d = c.client().get(deployment, "flux-system", name);
    if (!d) return "<" + d.err().reason + ">";
    std::string out;
    const value* cs = d->find_path({"spec", "template", "spec", "containers"});
    if (cs && cs->is_array())
        for (const auto& a : cs->as_array()[0].find("args")->as_array()) out += a.as_string() + " ";
    return out;
}

struct bootstrapped {
    test::local_cluster cluster{binaries()};
    test::git_repos repos;
    std::string kubeconfig;

    outcome bootstrap(const std::vector<std::string>& extra = {})
    {
        std::vector<std::string> a{"bootstrap", "git", "--url", repos.file_url("fleet"), "--branch", "main", "--path",
                                   "clusters/dev", "--kubeconfig", kubeconfig, "--timeout", "90s"};
        a.insert(a.end(), extra.begin(), extra.end());
        return weir_cli(a);
    }
    std::vector<std::string> k(std::vector<std::string> a) const
    {
        a.insert(a.end(), {"--kubeconfig", kubeconfig});
        return a;
    }

    bootstrapped()
    {
        kubeconfig = cluster.apiserver().kubeconfig_path().string();
        repos.create("fleet");
    }
};

// Objects as data: mapping keys in sorted order, so key order does not count.
value canonical(const value& v)
{
    if (v.is_array()) {
        array out;
        for (const auto& e : v.as_array()) out.push_back(canonical(e));
        return out;
    }
    if (!v.is_object()) return v;
    std::vector<std::pair<std::string, value>> items;
    for (const auto& [k, e] : v.as_object()) items.emplace_back(k, canonical(e));
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    object out;
    for (auto& [k, e] : items) out.push_back(k, std::move(e));
    return out;
}

std::string applied_revision(test::local_cluster& c)
{
    auto ks = c.client().get(test::kustomization_kind, "flux-system", "flux-system");
    return ks ? test::string_at(*ks, {"status", "lastAppliedRevision"}) : "";
}

} // namespace

TEST_CASE("bootstrap git commits weir's manifests to an empty repository, installs them and applies the pushed revision, then "
          "a second run makes no commit")
{
    bootstrapped b;
    auto first = b.bootstrap();
    INFO(first.out);
    REQUIRE(first.rc == 0);
    fs::path bare = b.repos.bare("fleet");
    std::string head = head_of(bare);
    CHECK(applied_revision(b.cluster) == "main@sha1:" + head);
    CHECK(commit_count(bare) == 2); // components, then sync
    std::string log = test::run({"git", "-C", bare.string(), "log", "--format=%s", "main"});
    CHECK(log.find("Add weir v0.1.0 component manifests") != std::string::npos);
    CHECK(log.find("Add weir sync manifests") != std::string::npos);
    std::string files = test::run({"git", "-C", bare.string(), "ls-tree", "-r", "--name-only", "main"});
    CHECK(files == "clusters/dev/flux-system/gotk-components.yaml\nclusters/dev/flux-system/gotk-sync.yaml\n"
                   "clusters/dev/flux-system/kustomization.yaml\n");
    std::string components = test::run({"git", "-C", bare.string(), "show", "main:clusters/dev/flux-system/gotk-components.yaml"});
    CHECK(components.find("# This manifest was generated by weir. DO NOT EDIT.") != std::string::npos);
    CHECK(args_of(b.cluster, "source-controller").find("--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE)") !=
          std::string::npos);

    auto second = b.bootstrap();
    INFO(second.out);
    REQUIRE(second.rc == 0);
    CHECK(head_of(bare) == head);
    CHECK(second.out.find("no new commit") != std::string::npos);

    // Another path would point the running sync somewhere else: refused, nothing pushed.
    auto other = weir_cli(b.k({"bootstrap", "git", "--url", b.repos.file_url("fleet"), "--path", "clusters/other"}));
    INFO(other.out);
    CHECK(other.rc != 0);
    CHECK(other.out.find("already syncs path ./clusters/dev") != std::string::npos);
    CHECK(head_of(bare) == head);
}

TEST_CASE("bootstrap commits an upgrade when the CLI's manifests differ from the repository's, and the cluster applies it")
{
    bootstrapped b;
    REQUIRE(b.bootstrap().rc == 0);
    fs::path bare = b.repos.bare("fleet");
    // An older weir wrote these components: the source-controller had no --log-level flag.
    std::string current = test::run({"git", "-C", bare.string(), "show", "main:clusters/dev/flux-system/gotk-components.yaml"});
    std::string older = current;
    auto deployment_at = older.find("kind: Deployment\nmetadata:\n  name: source-controller\n");
    REQUIRE(deployment_at != std::string::npos);
    auto at = older.find("        - --log-level=info\n", deployment_at);
    REQUIRE(at != std::string::npos);
    older.erase(at, std::string("        - --log-level=info\n").size());
    push_change(bare, {{"clusters/dev/flux-system/gotk-components.yaml", older}}, "weir v0.0.9 components");
    REQUIRE(weir_cli(b.k({"reconcile", "ks", "flux-system", "--with-source"})).rc == 0);
    REQUIRE(args_of(b.cluster, "source-controller").find("--log-level=info") == std::string::npos);

    int before = commit_count(bare);
    auto up = b.bootstrap();
    INFO(up.out);
    REQUIRE(up.rc == 0);
    CHECK(commit_count(bare) == before + 1);
    CHECK(test::run({"git", "-C", bare.string(), "log", "-1", "--format=%s", "main"}) ==
          "Add weir v0.1.0 component manifests\n");
    CHECK(test::run({"git", "-C", bare.string(), "show", "main:clusters/dev/flux-system/gotk-components.yaml"}) == current);
    CHECK(applied_revision(b.cluster) == "main@sha1:" + head_of(bare));
    CHECK(args_of(b.cluster, "source-controller").find("--log-level=info") != std::string::npos);
}

TEST_CASE("after bootstrap weir manages itself: a commit changing its Deployment is applied by reconcile --with-source")
{
    bootstrapped b;
    REQUIRE(b.bootstrap().rc == 0);
    fs::path bare = b.repos.bare("fleet");
    REQUIRE(args_of(b.cluster, "kustomize-controller").find("--concurrent=8") == std::string::npos);
    std::string sha = push_change(bare, {{"clusters/dev/flux-system/kustomization.yaml", R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- gotk-components.yaml
- gotk-sync.yaml
patches:
- target:
    kind: Deployment
    name: kustomize-controller
  patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --concurrent=8
)"}},
                                  "kustomize-controller: 8 workers");
    auto r = weir_cli(b.k({"reconcile", "kustomization", "flux-system", "--with-source", "--timeout", "60s"}));
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("applied revision main@sha1:" + sha) != std::string::npos);
    CHECK(args_of(b.cluster, "kustomize-controller").find("--concurrent=8") != std::string::npos);

    // Bootstrapping again keeps the user's kustomization.yaml and its patch: nothing to commit.
    auto again = b.bootstrap();
    INFO(again.out);
    REQUIRE(again.rc == 0);
    CHECK(head_of(bare) == sha);
}

TEST_CASE("suspend stops changes being applied, diff shows the pending change with exit code 1, resume applies it")
{
    bootstrapped b;
    REQUIRE(b.bootstrap().rc == 0);
    fs::path bare = b.repos.bare("fleet");
    push_change(bare, {{"clusters/dev/app/demo.yaml", cm_yaml("demo", "one")}}, "demo one");
    REQUIRE(weir_cli(b.k({"reconcile", "ks", "flux-system", "--with-source"})).rc == 0);
    REQUIRE(cm_value(b.cluster, "demo") == "one");

    auto s = weir_cli(b.k({"suspend", "kustomization", "flux-system"}));
    INFO(s.out);
    REQUIRE(s.rc == 0);
    std::string before = applied_revision(b.cluster);
    std::string two = push_change(bare, {{"clusters/dev/app/demo.yaml", cm_yaml("demo", "two")}}, "demo two");
    auto src = weir_cli(b.k({"reconcile", "source", "git", "flux-system"}));
    INFO(src.out);
    REQUIRE(src.rc == 0);
    CHECK(src.out.find("fetched revision main@sha1:" + two) != std::string::npos);
    auto refused = weir_cli(b.k({"reconcile", "ks", "flux-system"}));
    CHECK(refused.rc != 0);
    CHECK(refused.out.find("suspended") != std::string::npos);
    CHECK(cm_value(b.cluster, "demo") == "one");
    CHECK(applied_revision(b.cluster) == before);

    auto get = weir_cli(b.k({"get", "kustomizations"}));
    INFO(get.out);
    CHECK(get.rc == 0);
    CHECK(get.out.find("flux-system") != std::string::npos);
    CHECK(get.out.find("True") != std::string::npos); // SUSPENDED column

    temp_dir checkout(fs::temp_directory_path(), "cli-e2e-diff");
    test::run({"git", "clone", "-q", bare.string(), (checkout.path() / "w").string()});
    auto d = weir_cli(b.k({"diff", "kustomization", "flux-system", "--path", (checkout.path() / "w/clusters/dev").string()}));
    INFO(d.out);
    CHECK(d.rc == 1);
    CHECK(d.out.find("ConfigMap/default/demo drifted") != std::string::npos);
    CHECK(d.out.find("+   value: two") != std::string::npos);

    auto r = weir_cli(b.k({"resume", "kustomization", "flux-system"}));
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("applied revision main@sha1:" + two) != std::string::npos);
    CHECK(cm_value(b.cluster, "demo") == "two");
    auto clean = weir_cli(b.k({"diff", "kustomization", "flux-system", "--path", (checkout.path() / "w/clusters/dev").string()}));
    INFO(clean.out);
    CHECK(clean.rc == 0);

    auto tree = weir_cli(b.k({"tree", "kustomization", "flux-system"}));
    INFO(tree.out);
    CHECK(tree.rc == 0);
    CHECK(tree.out.find("└── ") != std::string::npos);
    CHECK(tree.out.find("ConfigMap/default/demo") != std::string::npos);
}

TEST_CASE("uninstall removes what weir installed and leaves the workloads it applied and foreign objects")
{
    bootstrapped b;
    REQUIRE(b.bootstrap().rc == 0);
    push_change(b.repos.bare("fleet"), {{"clusters/dev/app/demo.yaml", cm_yaml("demo", "one")}}, "demo");
    REQUIRE(weir_cli(b.k({"reconcile", "ks", "flux-system", "--with-source"})).rc == 0);
    b.cluster.apply_yaml(cm_yaml("foreign", "mine"));

    auto u = weir_cli(b.k({"uninstall", "--silent"}));
    INFO(u.out);
    REQUIRE(u.rc == 0);
    for (auto name : {"source-controller", "kustomize-controller"}) {
        auto d = b.cluster.client().get(deployment, "flux-system", name);
        CHECK((!d && kube::is_not_found(d.err())));
    }
    auto crd = b.cluster.client().get(crd_kind, "", "kustomizations.kustomize.toolkit.fluxcd.io");
    CHECK((!crd && kube::is_not_found(crd.err())));
    CHECK(cm_value(b.cluster, "demo") == "one");
    CHECK(cm_value(b.cluster, "foreign") == "mine");
}

TEST_CASE("bootstrap git over SSH stores the deploy key and scanned host key in a Secret the source-controller uses")
{
    bootstrapped b;
    test::ssh_server sshd(b.repos.root());
    temp_dir keys(fs::temp_directory_path(), "cli-e2e-keys");
    std::ofstream(keys.path() / "id") << sshd.user_key();
    std::string url = sshd.url("fleet");
    auto r = weir_cli(b.k({"bootstrap", "git", "--url", url, "--path", "clusters/ssh", "--private-key-file",
                           (keys.path() / "id").string(), "--timeout", "90s"}));
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(applied_revision(b.cluster) == "main@sha1:" + head_of(b.repos.bare("fleet")));
    auto secret = b.cluster.client().get({"", "v1", "Secret"}, "flux-system", "flux-system");
    REQUIRE(secret);
    CHECK(secret->find_path({"data", "identity"}));
    CHECK(secret->find_path({"data", "known_hosts"}));
}

TEST_CASE("bootstrap git over SSH without a key generates a deploy key, waits for the user to grant it, and pushes "
          "with it; refusing changes nothing")
{
    bootstrapped b;
    test::ssh_server sshd(b.repos.root());
    temp_dir work(fs::temp_directory_path(), "cli-e2e-deploy-key");
    std::string cli = "env -u KUBECONFIG " + quote(WEIR_CLI_BIN) + " bootstrap git --url " + quote(sshd.url("fleet")) +
                      " --path clusters/ssh --timeout 90s --kubeconfig " + quote(b.kubeconfig);
    fs::path out = work.path() / "out";

    // Not confirmed: the key is printed, nothing is pushed or installed.
    REQUIRE(test::run_command("echo n | " + cli + " > " + quote(out.string()) + " 2>&1") != 0);
    auto slurp = [](const fs::path& p) {
        std::ifstream in(p);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    };
    std::string said = slurp(out);
    INFO(said);
    CHECK(said.find("ecdsa-sha2-nistp384 ") != std::string::npos);
    CHECK(said.find("the deploy key was not confirmed") != std::string::npos);
    CHECK(test::run_command("git -C " + quote(b.repos.bare("fleet").string()) + " rev-parse -q --verify main") != 0);

    // Confirmed once the printed key is authorized on the server, as a user adds a deploy key.
    std::string grant = "for i in $(seq 300); do grep -q '^ecdsa-sha2-nistp384 ' " + quote(out.string()) +
                        " && break; sleep 0.1; done; grep '^ecdsa-sha2-nistp384 ' " + quote(out.string()) + " >> " +
                        quote(sshd.authorized_keys_file().string()) + "; echo y";
    REQUIRE(test::run_command("(" + grant + ") | " + cli + " > " + quote(out.string()) + " 2>&1") == 0);
    said = slurp(out);
    INFO(said);
    CHECK(applied_revision(b.cluster) == "main@sha1:" + head_of(b.repos.bare("fleet")));
    auto secret = b.cluster.client().get({"", "v1", "Secret"}, "flux-system", "flux-system");
    REQUIRE(secret);
    auto pub = test::string_at(*secret, {"data", "identity.pub"});
    CHECK(said.find(base64_decode(pub).value().substr(0, 60)) != std::string::npos);
    CHECK(secret->find_path({"data", "identity"}));
}

TEST_CASE("bootstrap git over HTTPS with basic auth and a private CA stores username, password and ca.crt for the source")
{
    bootstrapped b;
    test::git_http_server https(b.repos.root(), {.username = "bot", .password = "s3cret", .tls = true});
    temp_dir files(fs::temp_directory_path(), "cli-e2e-ca");
    std::ofstream(files.path() / "ca.crt") << https.ca_pem();
    auto r = weir_cli(b.k({"bootstrap", "git", "--url", https.url("fleet"), "--path", "clusters/https", "--username",
                           "bot", "--password", "s3cret", "--ca-file", (files.path() / "ca.crt").string(), "--timeout",
                           "90s"}));
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(applied_revision(b.cluster) == "main@sha1:" + head_of(b.repos.bare("fleet")));
    auto secret = b.cluster.client().get({"", "v1", "Secret"}, "flux-system", "flux-system");
    REQUIRE(secret);
    CHECK(test::string_at(*secret, {"data", "username"}) == base64_encode("bot"));
    CHECK(test::string_at(*secret, {"data", "password"}) == base64_encode("s3cret"));
    CHECK(secret->find_path({"data", "ca.crt"}));
    auto gitrepo = b.cluster.client().get(test::git_repository_kind, "flux-system", "flux-system");
    REQUIRE(gitrepo);
    CHECK(test::string_at(*gitrepo, {"spec", "secretRef", "name"}) == "flux-system");
}

TEST_CASE("CLI errors are one line and a non-zero exit code: no cluster, unknown kind, missing object, bad credentials")
{
    // Progress lines may come first (bootstrap); the error is the last line, and the only one
    // starting with "weir: ".
    auto one_line = [](const outcome& o) {
        INFO(o.out);
        CHECK(o.rc != 0);
        REQUIRE(o.out.ends_with("\n"));
        auto start = o.out.rfind('\n', o.out.size() - 2);
        std::string last = o.out.substr(start == std::string::npos ? 0 : start + 1);
        CHECK(last.starts_with("weir: "));
        CHECK(o.out.find("weir: ") == (start == std::string::npos ? 0 : start + 1));
    };
    temp_dir dir(fs::temp_directory_path(), "cli-e2e-errors");
    auto none = weir_cli({"get", "kustomizations", "--kubeconfig", (dir.path() / "missing").string()});
    one_line(none);
    CHECK(none.out.find("no cluster") != std::string::npos);

    std::ofstream(dir.path() / "closed") << fmt::format(R"(apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "https://127.0.0.1:{}", insecure-skip-tls-verify: true}}}}]
users: [{{name: u, user: {{token: x}}}}]
contexts: [{{name: c, context: {{cluster: c, user: u}}}}]
current-context: c
)",
                                                         test::free_port());
    auto closed = weir_cli({"get", "ks", "--kubeconfig", (dir.path() / "closed").string()});
    one_line(closed);
    CHECK(closed.out.find("cannot reach the cluster") != std::string::npos);

    test::local_cluster c(binaries());
    std::string kc = c.apiserver().kubeconfig_path().string();
    auto unknown = weir_cli({"get", "widgets", "--kubeconfig", kc});
    one_line(unknown);
    CHECK(unknown.out.find("unknown kind \"widgets\"") != std::string::npos);
    auto missing = weir_cli({"reconcile", "kustomization", "nope", "--kubeconfig", kc});
    one_line(missing);
    CHECK(missing.out.find("Kustomization 'flux-system/nope' not found") != std::string::npos);

    test::git_repos repos;
    repos.commit("fleet", "main", {{"README.md", "x"}}, "init");
    test::git_http_server http(repos.root(), {.username = "bot", .password = "right"});
    auto denied = weir_cli({"bootstrap", "git", "--url", http.url("fleet"), "--path", "clusters/x", "--username", "bot",
                            "--password", "wrong", "--kubeconfig", kc});
    one_line(denied);
    CHECK(denied.out.find("bootstrap failed") != std::string::npos);
}

TEST_CASE("create source git and create kustomization wait for Ready, then export prints them back, then delete removes them")
{
    test::local_cluster c(binaries());
    std::string kc = c.apiserver().kubeconfig_path().string();
    test::git_repos repos;
    std::string sha = repos.commit("apps", "main", {{"deploy/cm.yaml", cm_yaml("created", "yes")}}, "apps");
    auto src = weir_cli({"create", "source", "git", "apps", "--url", repos.file_url("apps"), "--branch", "main",
                         "--interval", "10m", "-n", "default", "--kubeconfig", kc});
    INFO(src.out);
    REQUIRE(src.rc == 0);
    CHECK(src.out.find("fetched revision main@sha1:" + sha) != std::string::npos);
    auto ks = weir_cli({"create", "kustomization", "apps", "--source", "GitRepository/apps", "--path", "./deploy",
                        "--prune", "--interval", "10m", "-n", "default", "--kubeconfig", kc});
    INFO(ks.out);
    REQUIRE(ks.rc == 0);
    CHECK(ks.out.find("applied revision main@sha1:" + sha) != std::string::npos);
    CHECK(cm_value(c, "created") == "yes");

    auto exported = weir_cli({"export", "kustomization", "apps", "-n", "default", "--kubeconfig", kc});
    INFO(exported.out);
    REQUIRE(exported.rc == 0);
    auto docs = parse_yaml_stream(exported.out);
    REQUIRE(docs);
    REQUIRE(docs->size() == 1);
    CHECK(test::string_at((*docs)[0], {"spec", "path"}) == "./deploy");
    CHECK(test::string_at((*docs)[0], {"spec", "sourceRef", "name"}) == "apps");
    CHECK(!(*docs)[0].find("status"));
    auto same = weir_cli({"create", "kustomization", "apps", "--source", "GitRepository/apps", "--path", "./deploy",
                          "--prune", "--interval", "10m", "-n", "default", "--export"});
    REQUIRE(same.rc == 0);
    // --export prints what create applies; the live object has the CRD's defaults on top.
    auto made = parse_yaml_stream(same.out);
    REQUIRE(made);
    REQUIRE(made->size() == 1);
    CHECK(*(*made)[0].find("metadata") == *(*docs)[0].find("metadata"));
    for (const auto& [key, v] : (*made)[0].find("spec")->as_object()) {
        INFO(key);
        CHECK(*(*docs)[0].find_path({"spec", key}) == v);
    }

    auto all = weir_cli({"get", "all", "-A", "--kubeconfig", kc});
    INFO(all.out);
    CHECK(all.rc == 0);
    CHECK(all.out.find("gitrepository/apps") != std::string::npos);
    CHECK(all.out.find("kustomization/apps") != std::string::npos);

    auto del = weir_cli({"delete", "kustomization", "apps", "-n", "default", "--wait", "--kubeconfig", kc});
    INFO(del.out);
    CHECK(del.rc == 0);
    auto gone = c.client().get(test::kustomization_kind, "default", "apps");
    CHECK((!gone && kube::is_not_found(gone.err())));
}

TEST_CASE("under weir dev up, install and check verify the controller processes through their health endpoints")
{
    temp_dir dir(fs::temp_directory_path(), "cli-e2e-dev");
    process::child dev({.binary = WEIR_CLI_BIN,
                        .args = {"dev", "up", "--dir", (dir.path() / "d").string(), "--repo",
                                 (test::source_dir() / "manifests" / "examples").string()},
                        .log = dir.path() / "dev.log"});
    REQUIRE(dev.start());
    fs::path kubeconfig = dir.path() / "d" / "kubeconfig";
    // dev up writes the kubeconfig, then the controllers' endpoints and the pid file last.
    for (int i = 0; i < 600 && !fs::exists(dir.path() / "d" / "pids"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(fs::exists(dir.path() / "d" / "controllers"));
    auto install = weir_cli({"install", "--kubeconfig", kubeconfig.string(), "--timeout", "60s"});
    INFO(install.out);
    CHECK(install.rc == 0);
    CHECK(install.out.find("source-controller: process ready") != std::string::npos);
    CHECK(install.out.find("kustomize-controller: process ready") != std::string::npos);
    auto check = weir_cli({"check", "--kubeconfig", kubeconfig.string()});
    INFO(check.out);
    CHECK(check.rc == 0);
    CHECK(check.out.find("all checks passed") != std::string::npos);
    dev.stop();
}

TEST_CASE("install --export renders the embedded config for the chosen components and namespace")
{
    auto r = weir_cli({"install", "--export", "--namespace", "weir-system", "--components",
                       "source-controller,kustomize-controller"});
    INFO(r.out);
    REQUIRE(r.rc == 0);
    auto docs = parse_yaml_stream(r.out);
    REQUIRE(docs);
    int deployments = 0;
    for (const auto& d : *docs) {
        if (d.get_string("kind") == "Deployment") ++deployments;
        CHECK(to_yaml(d).find("flux-system") == std::string::npos);
    }
    CHECK(deployments == 2);
}

TEST_CASE("config/default builds to the same objects with kubectl kustomize and weir kustomize build")
{
    fs::path dir = test::source_dir() / "config" / "default";
    auto ours = weir_cli({"kustomize", "build", dir.string()});
    REQUIRE(ours.rc == 0);
    std::string theirs = test::run({"kubectl", "kustomize", dir.string()});
    auto a = parse_yaml_stream(ours.out), b = parse_yaml_stream(theirs);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(a->size() == b->size());
    for (std::size_t i = 0; i < a->size(); ++i) CHECK(to_yaml(canonical((*a)[i])) == to_yaml(canonical((*b)[i])));
}

TEST_CASE("config/crd/kustomization.yaml lists every CRD file in config/crd")
{
    std::ifstream in(test::source_dir() / "config" / "crd" / "kustomization.yaml");
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& e : fs::directory_iterator(test::source_dir() / "config" / "crd")) {
        std::string name = e.path().filename().string();
        if (name == "kustomization.yaml" || e.path().extension() != ".yaml") continue;
        CHECK(text.str().find("- " + name + "\n") != std::string::npos);
    }
}

TEST_CASE("weir logs --follow prints what the controllers write next, a whole line at a time, until stopped")
{
    temp_dir dir(fs::temp_directory_path(), "cli-e2e-logs");
    fs::create_directories(dir.path() / "logs");
    fs::path log = dir.path() / "logs/source-controller.log";
    std::ofstream(log) << R"({"level":"info","ts":"2026-01-01T00:00:00Z","msg":"first"})" << "\n";
    fs::path out = dir.path() / "out";
    process::child follow({.binary = WEIR_CLI_BIN, .args = {"logs", "--dir", dir.path().string(), "-f"}, .log = out});
    REQUIRE(follow.start());
    auto printed = [&] {
        std::ifstream in(out);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    };
    auto eventually = [](const std::function<bool()>& done) {
        for (int i = 0; i < 100 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return done();
    };
    CHECK(eventually([&] { return printed().find("info source-controller first") != std::string::npos; }));
    std::ofstream(log, std::ios::app) << R"({"level":"error","ts":"2026-01-01T00:00:01Z","msg":"second"})" << "\n"
                                      << R"({"level":"info","ts":"2026-01-01T00:00:02Z","msg":"thi)" << std::flush;
    CHECK(eventually([&] { return printed().find("error source-controller second") != std::string::npos; }));
    CHECK(printed().find("thi") == std::string::npos); // half a line waits for its end
    std::ofstream(log, std::ios::app) << R"(rd"})" << "\n";
    CHECK(eventually([&] { return printed().find("info source-controller third") != std::string::npos; }));
    CHECK(follow.running());
    follow.stop();
}
