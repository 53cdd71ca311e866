// weir bootstrap git: commit weir's own manifests to a Git repository, install them, and point weir
// at that repository so that from then on it manages itself from Git (an upgrade is a commit).
// The steps follow flux's bootstrap: components commit, install, credentials Secret, sync commit,
// apply the sync objects, wait for the revision just pushed.
#include "cli_common.hpp"
#include "cli_git.hpp"
#include "cli_manifests.hpp"
#include "cli_reconcile.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/core/yaml.hpp>
#include <weir/git/push.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

using namespace weir;
namespace fs = std::filesystem;

struct settings {
    std::string url, branch, path, secret_name, interval, author_name, author_email, appendix;
    std::string public_key; // of a deploy key generated here
    cli::install_options install;
    git::auth_options auth;
    bool has_credentials = false;
    std::chrono::milliseconds timeout{};
};

result<std::string> read_file(const std::string& path, const std::string& flag)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return terminal_error(fmt::format("{} {}: cannot read the file", flag, path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// As flux does without --private-key-file: a new key pair for the cluster, whose public half the
// user adds to the repository as a deploy key (with write access) before we go on. Here the CLI
// pushes with it too, so no SSH agent is needed.
status use_new_deploy_key(const cli::parsed_args& f, settings& s)
{
    int rsa_bits = 0;
    std::string bits = f.get("ssh-rsa-bits", "2048");
    if (std::from_chars(bits.data(), bits.data() + bits.size(), rsa_bits).ec != std::errc{})
        return terminal_error("--ssh-rsa-bits: want a number, got \"" + bits + "\"");
    WEIR_TRY_ASSIGN(auto key, cli::generate_ssh_key(f.get("ssh-key-algorithm", "ecdsa"),
                                                    f.get("ssh-ecdsa-curve", "p384"), rsa_bits));
    s.auth.ssh_private_key = key.private_pem;
    s.public_key = key.public_line;
    std::cout << "Please give the key access to your repository (a deploy key with write access):\n"
              << key.public_line << std::endl;
    if (!f.boolean("silent")) {
        std::cout << "Have you given the key access to your repository? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes")
            return terminal_error("the deploy key was not confirmed; nothing was changed");
    }
    if (f.has("known-hosts-file")) {
        WEIR_TRY_ASSIGN(s.auth.known_hosts, read_file(f.get("known-hosts-file"), "--known-hosts-file"));
    } else {
        WEIR_TRY_ASSIGN(s.auth.known_hosts, cli::scan_known_hosts(s.url));
    }
    s.has_credentials = true;
    return ok();
}

result<settings> parse_settings(const cli::parsed_args& f)
{
    settings s;
    s.url = f.get("url");
    if (s.url.empty()) return terminal_error("bootstrap git: --url is required");
    if (!s.url.starts_with("ssh://") && !s.url.starts_with("https://") && !s.url.starts_with("http://") &&
        !s.url.starts_with("file://"))
        return terminal_error("bootstrap git: --url must start with ssh://, https:// or file://, got " +
                              s.url);
    s.branch = f.get("branch", "main");
    s.path = f.get("path");
    if (s.path.empty()) return terminal_error("bootstrap git: --path is required (e.g. clusters/my-cluster)");
    while (s.path.starts_with("./"))
        s.path = s.path.substr(2);
    while (s.path.ends_with("/"))
        s.path.pop_back();
    if (s.path.empty() || s.path.starts_with("/") || s.path.find("..") != std::string::npos)
        return terminal_error("bootstrap git: --path must be a relative path inside the repository, got " +
                              f.get("path"));
    s.secret_name = f.get("secret-name", "flux-system");
    s.interval = f.get("interval", "1m");
    s.author_name = f.get("author-name", "weir");
    s.author_email = f.get("author-email", "weir@users.noreply.weir.dev");
    s.appendix = f.get("commit-message-appendix");
    WEIR_TRY_ASSIGN(s.install.components,
                    cli::select_components(f.list("components"), f.list("components-extra")));
    s.install.namespace_ = f.namespace_();
    s.install.registry = f.get("registry");
    s.install.network_policy = f.get("network-policy", "true") != "false";
    s.install.watch_all_namespaces = f.get("watch-all-namespaces", "true") != "false";
    WEIR_TRY_ASSIGN(s.timeout, f.timeout());
    if (f.has("private-key-file")) {
        if (!s.url.starts_with("ssh://")) return terminal_error("--private-key-file needs an ssh:// --url");
        WEIR_TRY_ASSIGN(s.auth.ssh_private_key, read_file(f.get("private-key-file"), "--private-key-file"));
        s.auth.ssh_passphrase = f.get("password");
        if (f.has("known-hosts-file")) {
            WEIR_TRY_ASSIGN(s.auth.known_hosts, read_file(f.get("known-hosts-file"), "--known-hosts-file"));
        } else {
            WEIR_TRY_ASSIGN(s.auth.known_hosts, cli::scan_known_hosts(s.url));
        }
        s.has_credentials = true;
    } else if (s.url.starts_with("ssh://")) {
        WEIR_TRY(use_new_deploy_key(f, s));
    } else if (f.boolean("token-auth") || f.boolean("with-bearer-token")) {
        if (f.get("password").empty()) return terminal_error("--token-auth needs the token in --password");
        if (f.boolean("with-bearer-token"))
            s.auth.bearer_token = f.get("password");
        else {
            s.auth.username = f.get("username", "git");
            s.auth.password = f.get("password");
        }
        s.has_credentials = true;
    } else if (f.has("username") || f.has("password")) {
        if (f.get("username").empty() || f.get("password").empty())
            return terminal_error("bootstrap git: --username and --password go together");
        s.auth.username = f.get("username");
        s.auth.password = f.get("password");
        s.has_credentials = true;
    }
    if (f.has("ca-file")) {
        WEIR_TRY_ASSIGN(s.auth.ca_pem, read_file(f.get("ca-file"), "--ca-file"));
    }
    return s;
}

std::string sync_yaml(const settings& s, bool with_secret)
{
    const std::string& ns = s.install.namespace_;
    std::string secret = with_secret ? fmt::format("  secretRef:\n    name: {}\n", s.secret_name) : "";
    return fmt::format(R"(# This manifest was generated by weir. DO NOT EDIT.
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: {0}
spec:
  interval: {1}
  ref:
    branch: {2}
{3}  url: {4}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: {0}
spec:
  interval: 10m0s
  path: ./{5}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
)",
                       ns, s.interval, s.branch, secret, s.url, s.path);
}

const char* kustomization_yaml =
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    "- gotk-components.yaml\n- gotk-sync.yaml\n";

// Commits whatever changed in the work tree; "" when nothing did.
result<std::string> commit_changes(const fs::path& wt, const settings& s, const std::string& message)
{
    std::string full = s.appendix.empty() ? message : message + "\n\n" + s.appendix;
    WEIR_TRY_ASSIGN(
        auto sha,
        git::commit_all(wt, {.author_name = s.author_name, .author_email = s.author_email, .message = full}));
    if (sha.empty())
        cli::say_success("the manifests are up to date (no new commit)");
    else
        cli::say_success(fmt::format("committed \"{}\": {}", message, sha));
    return sha;
}

void write(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

status apply_secret(kube::client& c, const settings& s)
{
    value data = object{};
    if (!s.auth.ssh_private_key.empty()) {
        data["identity"] = s.auth.ssh_private_key;
        data["known_hosts"] = s.auth.known_hosts;
        if (!s.public_key.empty()) data["identity.pub"] = s.public_key + "\n";
        if (!s.auth.ssh_passphrase.empty()) data["password"] = s.auth.ssh_passphrase;
    } else if (!s.auth.bearer_token.empty()) {
        data["bearerToken"] = s.auth.bearer_token;
    } else {
        data["username"] = s.auth.username;
        data["password"] = s.auth.password;
    }
    if (!s.auth.ca_pem.empty()) data["ca.crt"] = s.auth.ca_pem;
    // `data` (base64) rather than stringData: the same bytes on every API server.
    for (auto& [k, v] : data.as_object())
        v = base64_encode(v.as_string());
    value secret = object{};
    secret["apiVersion"] = "v1";
    secret["kind"] = "Secret";
    secret["metadata"] = object{};
    secret["metadata"]["name"] = s.secret_name;
    secret["metadata"]["namespace"] = s.install.namespace_;
    secret["type"] = "Opaque";
    secret["data"] = data;
    auto r = c.apply(secret, {.field_manager = "weir", .force = true});
    if (!r) return r.err().wrap("creating the Git credentials Secret");
    cli::say_success(
        fmt::format("Secret {}/{} holds the Git credentials", s.install.namespace_, s.secret_name));
    return ok();
}

// Clones (or starts) the branch, writes the components and the sync manifests as two commits, as
// flux does, and pushes them (never forced). Returns the commit the branch is at.
result<std::string> write_to_git(const settings& s, const std::vector<value>& objects, bool with_secret)
{
    temp_dir work(fs::temp_directory_path(), "weir-bootstrap");
    fs::path wt = work.path() / "repo";
    cli::say_action("cloning branch \"" + s.branch + "\" from " + s.url);
    WEIR_TRY_ASSIGN(bool cloned, cli::open_worktree(s.url, s.branch, wt, s.auth));
    cli::say_success(cloned ? "cloned repository" : "the branch does not exist yet: starting it");
    fs::path dir = wt / s.path / "flux-system";
    cli::say_action("generating component manifests");
    write(dir / "gotk-components.yaml", cli::components_yaml(objects, s.install));
    WEIR_TRY_ASSIGN(auto c1,
                    commit_changes(wt, s, fmt::format("Add weir v{} component manifests", WEIR_VERSION)));
    cli::say_action("generating sync manifests");
    write(dir / "gotk-sync.yaml", sync_yaml(s, with_secret));
    // Only when absent: patches users add to it (self-upgrades, tuning) survive a new bootstrap.
    if (!fs::exists(dir / "kustomization.yaml")) write(dir / "kustomization.yaml", kustomization_yaml);
    WEIR_TRY_ASSIGN(auto c2, commit_changes(wt, s, "Add weir sync manifests"));
    if (!c1.empty() || !c2.empty()) {
        auto pushed = git::push(wt, s.branch, s.auth);
        if (!pushed) return pushed.err().wrap("push");
        cli::say_success("pushed to " + s.url + " branch " + s.branch);
    }
    return cli::head_commit(wt);
}

status bootstrap(const cli::parsed_args& f)
{
    WEIR_TRY_ASSIGN(auto s, parse_settings(f));
    WEIR_TRY_ASSIGN(auto client, cli::connect(f));
    const cli::flux_kind& ks_kind = *cli::kind_named("Kustomization");
    const cli::flux_kind& git_kind = *cli::kind_named("GitRepository");
    const std::string& ns = s.install.namespace_;

    // An existing sync with another path belongs to another cluster definition: refuse.
    auto existing = client->get(ks_kind.gvk, ns, "flux-system");
    if (existing) {
        std::string p = cli::string_at(*existing, {"spec", "path"});
        if (!p.empty() && p != "./" + s.path && p != s.path)
            return terminal_error(
                fmt::format("the flux-system Kustomization already syncs path {}, not ./{}; "
                            "uninstall first or use --path {}",
                            p, s.path, p));
    }

    WEIR_TRY_ASSIGN(auto objects, cli::render_install(s.install));
    // The Secret decides whether gotk-sync.yaml names it: new credentials, or one kept from before.
    bool has_secret = static_cast<bool>(client->get({"", "v1", "Secret"}, ns, s.secret_name));
    bool with_secret = s.has_credentials || has_secret;

    auto pushed = write_to_git(s, objects, with_secret);
    if (!pushed && pushed.err().reason == "NonFastForward") {
        cli::say_warning("the branch moved on while we worked: starting again from a fresh clone");
        pushed = write_to_git(s, objects, with_secret);
    }
    if (!pushed) return pushed.err();
    const std::string& head = *pushed;

    if (!existing || cli::string_at(*existing, {"status", "lastAppliedRevision"}).empty()) {
        WEIR_TRY(cli::apply_install(client, objects, s.install, s.timeout));
    } else {
        cli::say_action(
            "the flux-system Kustomization applies the components from Git: not installing directly");
    }
    if (s.has_credentials)
        WEIR_TRY(apply_secret(*client, s));
    else if (has_secret)
        cli::say_success("Secret " + ns + "/" + s.secret_name + " exists: keeping it");
    std::string sync = sync_yaml(s, with_secret);

    cli::say_action("applying sync manifests");
    WEIR_TRY_ASSIGN(auto docs, parse_yaml_stream(sync));
    // Objects that already exist may wait an interval before they look at Git again: ask for a
    // reconcile now. New ones reconcile on creation, and a patch racing their controller's first
    // update (it adds its finalizer) would only get in its way.
    std::vector<const cli::flux_kind*> kick;
    for (const auto* k : {&git_kind, &ks_kind})
        if (client->get(k->gvk, ns, "flux-system")) kick.push_back(k);
    for (const auto& d : docs) {
        auto r = client->apply(d, {.field_manager = "weir", .force = true});
        if (!r) return r.err().wrap("applying the sync manifests");
    }
    std::string token = cli::now_rfc3339_nano();
    std::string patch =
        fmt::format(R"({{"metadata":{{"annotations":{{"reconcile.fluxcd.io/requestedAt":"{}"}}}}}})", token);
    for (const auto* k : kick)
        if (auto p = client->patch(k->gvk, ns, "flux-system", kube::patch_type::merge, patch); !p)
            return p.err().wrap("requesting a reconcile of " + k->kind + " flux-system");

    std::string want = fmt::format("{}@sha1:{}", s.branch, head);
    cli::say_waiting("waiting for the Kustomization to apply " + want);
    value last;
    auto waited = cli::poll_until(
        s.timeout, "Kustomization " + ns + "/flux-system to apply " + want, [&]() -> result<bool> {
            auto o = client->get(ks_kind.gvk, ns, "flux-system");
            if (!o) return kube::is_not_found(o.err()) ? result<bool>(false) : result<bool>(o.err());
            last = std::move(*o);
            return cli::string_at(last, {"status", "lastAppliedRevision"}) == want;
        });
    if (!waited) {
        std::string why = cli::condition(last, "Ready", "message");
        if (auto src = client->get(git_kind.gvk, ns, "flux-system");
            src && cli::condition(*src, "Ready", "status") != "True")
            why += (why.empty() ? "" : "; ") + std::string("GitRepository: ") +
                   cli::condition(*src, "Ready", "message");
        return transient_error(waited.err().message + (why.empty() ? "" : "; Ready: " + why));
    }
    cli::say_success("reconciled sync configuration: applied revision " + want);
    cli::say_success("bootstrap finished");
    return ok();
}

int run(const cli::args& a)
{
    if (a.empty() || a[0] != "git")
        return cli::fail("usage: weir bootstrap git --url URL --path clusters/NAME [flags]");
    auto f = cli::parse(cli::args(a.begin() + 1, a.end()), {{"url", true},
                                                            {"branch", true},
                                                            {"path", true},
                                                            {"username", true},
                                                            {"password", true},
                                                            {"private-key-file", true},
                                                            {"known-hosts-file", true},
                                                            {"token-auth", false},
                                                            {"with-bearer-token", false},
                                                            {"ca-file", true},
                                                            {"components", true},
                                                            {"components-extra", true},
                                                            {"secret-name", true},
                                                            {"interval", true},
                                                            {"author-name", true},
                                                            {"author-email", true},
                                                            {"commit-message-appendix", true},
                                                            {"silent", false},
                                                            {"registry", true},
                                                            {"network-policy", true},
                                                            {"watch-all-namespaces", true},
                                                            {"ssh-key-algorithm", true},
                                                            {"ssh-ecdsa-curve", true},
                                                            {"ssh-rsa-bits", true}});
    if (!f) return cli::fail(f.err().message);
    if (!f->pos.empty()) return cli::fail("bootstrap git takes no arguments, got \"" + f->pos[0] + "\"");
    if (auto s = bootstrap(*f); !s) return cli::fail("bootstrap failed: " + s.err().message);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "bootstrap",
    .summary = "commit weir's manifests to a Git repository and make weir manage itself from it",
    .run = run,
}};

} // namespace
