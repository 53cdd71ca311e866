// weir create <kind> <name> [flags] [--export]: make a Flux object from flags, apply it and wait for
// it to be ready, or print it as YAML with --export (as `flux create`).
#include "cli_reconcile.hpp"

#include <weir/core/duration.hpp>
#include <weir/core/yaml.hpp>

#include <fmt/format.h>

#include <iostream>

namespace {

using namespace weir;

// "Kind/name.namespace", "Kind/name" or "name" (kind defaults to `default_kind`).
value cross_ref(const std::string& text, const std::string& default_kind)
{
    value r = object{};
    std::string rest = text, kind = default_kind;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        kind = rest.substr(0, slash);
        rest = rest.substr(slash + 1);
    }
    r["kind"] = kind;
    if (auto dot = rest.find('.'); dot != std::string::npos) {
        r["name"] = rest.substr(0, dot);
        r["namespace"] = rest.substr(dot + 1);
    } else {
        r["name"] = rest;
    }
    return r;
}

value name_ref(const std::string& name)
{
    value r = object{};
    r["name"] = name;
    return r;
}

result<value> spec_for(const cli::flux_kind& k, const cli::parsed_args& f)
{
    value spec = object{};
    auto interval = [&](const char* def) {
        spec["interval"] = f.get("interval", def);
    };
    auto ignore_paths = [&] {
        if (!f.has("ignore-paths")) return;
        std::string ignore;
        for (const auto& p : f.list("ignore-paths")) ignore += p + "\n";
        spec["ignore"] = ignore;
    };
    auto need = [&](const char* flag) -> status {
        if (f.get(flag).empty()) return terminal_error(fmt::format("create {}: --{} is required", k.words, flag));
        return ok();
    };
    if (k.kind == "GitRepository") {
        WEIR_TRY(need("url"));
        interval("1m0s");
        spec["url"] = f.get("url");
        value ref = object{};
        if (f.has("commit")) ref["commit"] = f.get("commit");
        else if (f.has("tag-semver")) ref["semver"] = f.get("tag-semver");
        else if (f.has("tag")) ref["tag"] = f.get("tag");
        else ref["branch"] = f.get("branch", "master");
        spec["ref"] = ref;
        if (f.has("secret-ref")) spec["secretRef"] = name_ref(f.get("secret-ref"));
        ignore_paths();
    } else if (k.kind == "Bucket") {
        WEIR_TRY(need("bucket-name"));
        WEIR_TRY(need("endpoint"));
        interval("1m0s");
        spec["bucketName"] = f.get("bucket-name");
        spec["endpoint"] = f.get("endpoint");
        spec["provider"] = f.get("provider", "generic");
        if (f.has("region")) spec["region"] = f.get("region");
        if (f.has("insecure")) spec["insecure"] = true;
        if (f.has("secret-ref")) spec["secretRef"] = name_ref(f.get("secret-ref"));
        ignore_paths();
    } else if (k.kind == "HelmRepository" || k.kind == "OCIRepository") {
        WEIR_TRY(need("url"));
        interval("1m0s");
        spec["url"] = f.get("url");
        if (k.kind == "OCIRepository") {
            value ref = object{};
            if (f.has("tag-semver")) ref["semver"] = f.get("tag-semver");
            else if (f.has("digest")) ref["digest"] = f.get("digest");
            else ref["tag"] = f.get("tag", "latest");
            spec["ref"] = ref;
        }
        if (k.kind == "HelmRepository" && f.get("url").starts_with("oci://")) spec["type"] = "oci";
        if (f.has("secret-ref")) spec["secretRef"] = name_ref(f.get("secret-ref"));
    } else if (k.kind == "Kustomization") {
        WEIR_TRY(need("source"));
        interval("1m0s");
        spec["path"] = f.get("path", "./");
        spec["prune"] = f.get("prune", "false") == "true" || (f.has("prune") && f.get("prune").empty());
        spec["sourceRef"] = cross_ref(f.get("source"), "GitRepository");
        if (f.has("target-namespace")) spec["targetNamespace"] = f.get("target-namespace");
        if (f.has("wait")) spec["wait"] = true;
        if (f.has("health-check-timeout")) spec["timeout"] = f.get("health-check-timeout");
        if (f.has("service-account")) spec["serviceAccountName"] = f.get("service-account");
        if (f.has("depends-on")) {
            value deps = array{};
            for (const auto& d : f.list("depends-on")) {
                value r = cross_ref(d, "");
                r.as_object().erase("kind");
                deps.as_array().push_back(r);
            }
            spec["dependsOn"] = deps;
        }
    } else if (k.kind == "HelmRelease") {
        WEIR_TRY(need("source"));
        WEIR_TRY(need("chart"));
        interval("1m0s");
        value chart_spec = object{};
        chart_spec["chart"] = f.get("chart");
        if (f.has("chart-version")) chart_spec["version"] = f.get("chart-version");
        chart_spec["sourceRef"] = cross_ref(f.get("source"), "HelmRepository");
        spec["chart"] = object{};
        spec["chart"]["spec"] = chart_spec;
        if (f.has("target-namespace")) spec["targetNamespace"] = f.get("target-namespace");
        if (f.has("release-name")) spec["releaseName"] = f.get("release-name");
    } else if (k.kind == "Provider") {
        WEIR_TRY(need("type"));
        spec["type"] = f.get("type");
        if (f.has("channel")) spec["channel"] = f.get("channel");
        if (f.has("address")) spec["address"] = f.get("address");
        if (f.has("username")) spec["username"] = f.get("username");
        if (f.has("secret-ref")) spec["secretRef"] = name_ref(f.get("secret-ref"));
    } else if (k.kind == "Alert") {
        WEIR_TRY(need("provider-ref"));
        WEIR_TRY(need("event-source"));
        spec["providerRef"] = name_ref(f.get("provider-ref"));
        spec["eventSeverity"] = f.get("event-severity", "info");
        value sources = array{};
        for (const auto& s : f.list("event-source")) sources.as_array().push_back(cross_ref(s, ""));
        spec["eventSources"] = sources;
    } else if (k.kind == "Receiver") {
        WEIR_TRY(need("type"));
        WEIR_TRY(need("secret-ref"));
        WEIR_TRY(need("resource"));
        spec["type"] = f.get("type");
        if (f.has("event")) {
            array events;
            for (const auto& e : f.list("event")) events.emplace_back(std::string_view(e));
            spec["events"] = value(std::move(events));
        }
        value resources = array{};
        for (const auto& r : f.list("resource")) {
            value ref = cross_ref(r, "");
            ref["apiVersion"] = cli::kind_named(ref.get_string("kind"))
                                    ? cli::kind_named(ref.get_string("kind"))->gvk.api_version()
                                    : "";
            if (ref.get_string("apiVersion").empty()) ref.as_object().erase("apiVersion");
            resources.as_array().push_back(ref);
        }
        spec["resources"] = resources;
        spec["secretRef"] = name_ref(f.get("secret-ref"));
    } else if (k.kind == "ImageRepository") {
        WEIR_TRY(need("image"));
        interval("1m0s");
        spec["image"] = f.get("image");
        if (f.has("secret-ref")) spec["secretRef"] = name_ref(f.get("secret-ref"));
    } else if (k.kind == "ImagePolicy") {
        WEIR_TRY(need("image-ref"));
        spec["imageRepositoryRef"] = name_ref(f.get("image-ref"));
        value policy = object{};
        if (f.has("select-semver")) {
            policy["semver"] = object{};
            policy["semver"]["range"] = f.get("select-semver");
        } else if (f.has("select-alpha")) {
            policy["alphabetical"] = object{};
            policy["alphabetical"]["order"] = f.get("select-alpha");
        } else if (f.has("select-numeric")) {
            policy["numerical"] = object{};
            policy["numerical"]["order"] = f.get("select-numeric");
        } else {
            return terminal_error("create image policy: one of --select-semver, --select-alpha, --select-numeric is required");
        }
        spec["policy"] = policy;
        if (f.has("filter-regex")) {
            spec["filterTags"] = object{};
            spec["filterTags"]["pattern"] = f.get("filter-regex");
            if (f.has("filter-extract")) spec["filterTags"]["extract"] = f.get("filter-extract");
        }
    } else if (k.kind == "ImageUpdateAutomation") {
        WEIR_TRY(need("git-repo-ref"));
        interval("1m0s");
        value src = object{};
        src["kind"] = "GitRepository";
        src["name"] = f.get("git-repo-ref");
        spec["sourceRef"] = src;
        value git = object{};
        git["checkout"] = object{};
        git["checkout"]["ref"] = object{};
        git["checkout"]["ref"]["branch"] = f.get("checkout-branch", "main");
        git["commit"] = object{};
        git["commit"]["author"] = object{};
        git["commit"]["author"]["name"] = f.get("author-name", "weir");
        git["commit"]["author"]["email"] = f.get("author-email", "weir@users.noreply.weir.dev");
        if (f.has("commit-template")) git["commit"]["messageTemplate"] = f.get("commit-template");
        if (f.has("push-branch")) {
            git["push"] = object{};
            git["push"]["branch"] = f.get("push-branch");
        }
        spec["git"] = git;
        spec["update"] = object{};
        spec["update"]["strategy"] = "Setters";
        spec["update"]["path"] = f.get("git-repo-path", "./");
    }
    if (spec.find("interval")) {
        if (auto d = parse_duration(spec.get_string("interval")); !d)
            return terminal_error("--interval: " + d.err().message);
    }
    return spec;
}

int create(const cli::args& a)
{
    auto f = cli::parse(a, {{"export", false}, {"url", true}, {"branch", true}, {"tag", true}, {"tag-semver", true},
                            {"commit", true}, {"digest", true}, {"interval", true}, {"secret-ref", true},
                            {"ignore-paths", true}, {"source", true}, {"path", true}, {"prune", false},
                            {"target-namespace", true}, {"wait", false}, {"health-check-timeout", true},
                            {"service-account", true}, {"depends-on", true}, {"chart", true},
                            {"chart-version", true}, {"release-name", true}, {"type", true}, {"channel", true},
                            {"address", true}, {"username", true}, {"provider-ref", true}, {"event-severity", true},
                            {"event-source", true}, {"event", true}, {"resource", true}, {"image", true},
                            {"image-ref", true}, {"select-semver", true}, {"select-alpha", true},
                            {"select-numeric", true}, {"filter-regex", true}, {"filter-extract", true},
                            {"git-repo-ref", true}, {"git-repo-path", true}, {"checkout-branch", true},
                            {"push-branch", true}, {"author-name", true}, {"author-email", true},
                            {"commit-template", true}, {"label", true}, {"bucket-name", true},
                            {"endpoint", true}, {"provider", true}, {"region", true}, {"insecure", false}});
    if (!f) return cli::fail(f.err().message);
    std::size_t i = 0;
    const cli::flux_kind* k = cli::take_kind(f->pos, i);
    if (!k) return cli::fail(f->pos.empty() ? "usage: weir create <kind> <name> [flags]; kinds: " + cli::kind_words_help()
                                            : "unknown kind \"" + f->pos[0] + "\"; known: " + cli::kind_words_help());
    if (k->kind == "HelmChart") return cli::fail("create source chart: HelmCharts are made by HelmReleases");
    if (i >= f->pos.size()) return cli::fail("create " + k->words + ": name is required");
    std::string name = f->pos[i], ns = f->namespace_();
    auto spec = spec_for(*k, *f);
    if (!spec) return cli::fail(spec.err().message);
    value obj = object{};
    obj["apiVersion"] = k->gvk.api_version();
    obj["kind"] = k->kind;
    obj["metadata"] = object{};
    obj["metadata"]["name"] = name;
    obj["metadata"]["namespace"] = ns;
    if (f->has("label")) {
        value labels = object{};
        for (const auto& l : f->list("label")) {
            auto eq = l.find('=');
            if (eq == std::string::npos) return cli::fail("--label " + l + ": want key=value");
            labels[l.substr(0, eq)] = l.substr(eq + 1);
        }
        obj["metadata"]["labels"] = labels;
    }
    obj["spec"] = *spec;
    if (f->boolean("export")) {
        std::cout << "---\n" << to_yaml(obj);
        return 0;
    }
    auto timeout = f->timeout();
    if (!timeout) return cli::fail(timeout.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    cli::say_action(fmt::format("applying {} {} in {} namespace", k->kind, name, ns));
    auto applied = (*c)->apply(obj, {.field_manager = "weir", .force = true});
    if (!applied) return cli::fail(applied.err().message);
    cli::say_success(k->kind + " created");
    if (!k->reconcilable) return 0; // Alerts and Providers have no status to wait for
    cli::say_waiting(k->kind + " reconciliation");
    auto done = cli::wait_ready(**c, *k, ns, name, *timeout);
    if (!done) return cli::fail(done.err().message);
    cli::say_success(k->kind + " " + name + " is ready");
    if (auto rev = cli::revision_of(*done); !rev.empty())
        cli::say_success((k->group == "sources" ? "fetched revision " : "applied revision ") + rev);
    return 0;
}

weir::cli::command_registration reg{{
    .name = "create",
    .summary = "create or update a source, Kustomization, HelmRelease, image or notification object",
    .run = create,
}};

} // namespace
