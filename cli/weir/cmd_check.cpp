// weir check [--pre]: the cluster's version, weir's CRDs and the controllers' health.
#include "cli_common.hpp"
#include "cli_manifests.hpp"

#include <weir/kube/errors.hpp>
#include <weir/ssa/kstatus.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace {

using namespace weir;

int check(const cli::args& a)
{
    auto f = cli::parse(a, {{"pre", false}, {"components", true}, {"components-extra", true}});
    if (!f) return cli::fail(f.err().message);
    auto c = cli::connect(*f);
    if (!c) return cli::fail(c.err().message);
    int failures = 0;
    cli::say_action("checking prerequisites");
    auto v = (*c)->get_path("/version");
    std::string version = v ? std::string(v->get_string("gitVersion")) : "unknown";
    cli::say_success("Kubernetes " + version + " >=1.30.0-0");
    if (f->boolean("pre")) {
        cli::say_success("prerequisites checks passed");
        return 0;
    }
    bool weir_api = cli::is_weir_apiserver(**c);
    // Under `weir dev up` the controllers are processes with health endpoints (no pods).
    auto endpoints = weir_api ? cli::dev_health_endpoints((*c)->cfg().source)
                              : std::vector<std::pair<std::string, std::string>>{};
    cli::say_action("checking controllers");
    auto comps = cli::select_components(f->list("components"), f->list("components-extra"));
    if (!comps) return cli::fail(comps.err().message);
    for (const auto& name : *comps) {
        auto d = (*c)->get({"apps", "v1", "Deployment"}, f->namespace_(), name);
        if (!d) {
            if (kube::is_not_found(d.err()) && name != "source-controller" && name != "kustomize-controller") continue;
            std::cerr << "✗ " << name << ": " << (kube::is_not_found(d.err()) ? "not installed" : d.err().message) << std::endl;
            ++failures;
            continue;
        }
        std::string image = cli::string_at(*d, {"spec", "template", "spec", "containers"});
        if (const value* cs = d->find_path({"spec", "template", "spec", "containers"}); cs && cs->is_array() && !cs->as_array().empty())
            image = std::string(cs->as_array()[0].get_string("image"));
        if (weir_api) {
            auto at = std::find_if(endpoints.begin(), endpoints.end(), [&](const auto& e) { return e.first == name; });
            if (at == endpoints.end()) {
                cli::say_success(name + ": installed (" + image + "); weir-apiserver runs no pods, the controller is a local process");
            } else if (cli::health_ready(at->second)) {
                cli::say_success(name + ": process ready (" + at->second + "/readyz)");
            } else {
                std::cerr << "✗ " << name << ": process not ready at " << at->second << "/readyz" << std::endl;
                ++failures;
            }
            continue;
        }
        auto h = ssa::compute_health(*d);
        if (h.status == ssa::health::current) cli::say_success(name + ": deployment ready");
        else {
            std::cerr << "✗ " << name << ": " << ssa::health_name(h.status) << " " << h.message << std::endl;
            ++failures;
        }
        std::cerr << "► " << image << std::endl;
    }
    cli::say_action("checking crds");
    auto crds = cli::embedded_crds_objects();
    if (!crds) return cli::fail(crds.err().message);
    for (const auto& crd : *crds) {
        std::string name = cli::string_at(crd, {"metadata", "name"});
        auto live = (*c)->get({"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}, "", name);
        if (!live) continue; // a CRD of a component that is not installed
        std::string storage;
        if (const value* vs = live->find_path({"spec", "versions"}); vs && vs->is_array())
            for (const auto& ver : vs->as_array())
                if (const value* st = ver.find("storage"); st && st->is_bool() && st->as_bool()) storage = std::string(ver.get_string("name"));
        cli::say_success(name + "/" + storage);
    }
    if (failures > 0) return cli::fail(fmt::format("check failed: {} controller(s) not ready", failures));
    cli::say_success("all checks passed");
    return 0;
}

weir::cli::command_registration reg{{
    .name = "check",
    .summary = "check the cluster version, the installed CRDs and the controllers' health",
    .run = check,
}};

} // namespace
