#include "drift.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

namespace weir::helm_controller {

namespace {

constexpr std::string_view opt_out = "helm.toolkit.fluxcd.io/driftDetection";

bool disabled(const value& obj)
{
    for (auto where : {"labels", "annotations"})
        if (const value* m = obj.find_path({"metadata", where}); m && m->get_string(opt_out) == "disabled")
            return true;
    return false;
}

bool selects(const value& target, const value& obj)
{
    if (!target.is_object()) return true;
    auto ref = ssa::object_ref::of(obj);
    auto match = [&](const char* key, std::string_view have) {
        std::string_view want = target.get_string(key);
        return want.empty() || want == have;
    };
    return match("group", ref.group) && match("version", ref.version) && match("kind", ref.kind) &&
           match("name", ref.name) && match("namespace", ref.namespace_);
}

// What is compared: the object without server-maintained fields and ignored paths.
value comparable(value obj, const value& desired, const std::vector<api::helm_v2::drift_ignore_rule>& ignore)
{
    obj.as_object().erase("status");
    if (value* md = obj.find("metadata"); md && md->is_object())
        for (auto key : {"managedFields", "resourceVersion", "generation", "creationTimestamp", "uid"})
            md->as_object().erase(key);
    for (const auto& rule : ignore)
        if (selects(rule.target, desired))
            for (const auto& p : rule.paths)
                remove_pointer(obj, p);
    return obj;
}

} // namespace

void remove_pointer(value& obj, std::string_view pointer)
{
    if (pointer.empty() || pointer.front() != '/') return;
    value* cur = &obj;
    std::string_view rest = pointer.substr(1);
    while (cur) {
        auto slash = rest.find('/');
        std::string token(rest.substr(0, slash));
        for (std::size_t pos; (pos = token.find("~1")) != std::string::npos;)
            token.replace(pos, 2, "/");
        for (std::size_t pos; (pos = token.find("~0")) != std::string::npos;)
            token.replace(pos, 2, "~");
        bool last = slash == std::string_view::npos;
        if (cur->is_object()) {
            if (last) {
                cur->as_object().erase(token);
                return;
            }
            cur = cur->find(token);
        } else if (cur->is_array()) {
            std::size_t i = 0;
            if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) return;
            i = std::stoul(token);
            auto& arr = cur->as_array();
            if (i >= arr.size()) return;
            if (last) {
                arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(i));
                return;
            }
            cur = &arr[i];
        } else {
            return;
        }
        rest = rest.substr(slash + 1);
    }
}

std::string drift_report::str() const
{
    std::string out;
    for (const auto& d : descriptions)
        out += (out.empty() ? "" : ", ") + d;
    return out;
}

result<drift_report> detect_drift(kube::client& client, const std::vector<value>& objects,
                                  const std::vector<api::helm_v2::drift_ignore_rule>& ignore)
{
    drift_report report;
    for (const auto& obj : objects) {
        if (disabled(obj)) continue;
        auto ref = ssa::object_ref::of(obj);
        kube::gvk kind{ref.group, ref.version, ref.kind};
        auto live = client.get(kind, ref.namespace_, ref.name);
        if (!live) {
            if (!kube::is_not_found(live.err())) return live.err();
            report.drifted.push_back(obj);
            report.descriptions.push_back(ref.str() + " removed");
            continue;
        }
        auto planned =
            client.apply(obj, {.field_manager = "helm-controller", .force = true, .dry_run = true});
        if (!planned) return planned.err().wrap(ref.str() + " dry-run failed");
        if (comparable(*live, obj, ignore) == comparable(*planned, obj, ignore)) continue;
        report.drifted.push_back(obj);
        report.descriptions.push_back(ref.str() + " changed");
    }
    return report;
}

} // namespace weir::helm_controller
