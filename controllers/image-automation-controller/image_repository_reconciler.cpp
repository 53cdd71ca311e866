#include "image_repository_reconciler.hpp"

#include "kinds.hpp"
#include "registry_access.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/core/json.hpp>
#include <weir/kube/time.hpp>
#include <weir/oci/tag_policy.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/predicates.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <zlib.h>

namespace weir::image {
namespace cond = runtime::conditions;
using api::image_v1::image_repository_spec;

namespace {

value string_array(const std::vector<std::string>& v)
{
    array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return a;
}

bool reconcile_requested(const value& obj)
{
    const value* a = obj.find_path({"metadata", "annotations", "reconcile.fluxcd.io/requestedAt"});
    if (!a || !a->is_string()) return false;
    const value* h = obj.find_path({"status", "lastHandledReconcileAt"});
    return !h || !h->is_string() || h->as_string() != a->as_string();
}

// Time left until the next scan is due, or nullopt when a scan is due now.
std::optional<std::chrono::milliseconds> scan_not_due(const value& obj, const image_repository_spec& spec,
                                                      const std::string& canonical, bool have_tags)
{
    if (!have_tags || reconcile_requested(obj)) return std::nullopt;
    const value* gen = obj.find_path({"metadata", "generation"});
    if (!gen || !gen->is_int() || cond::observed_generation(obj) != gen->as_int()) return std::nullopt;
    const value* cin = obj.find_path({"status", "canonicalImageName"});
    if (!cin || !cin->is_string() || cin->as_string() != canonical) return std::nullopt;
    const value* observed = obj.find_path({"status", "observedExclusionList"});
    if (!observed || *observed != string_array(spec.exclusion_list)) return std::nullopt;
    const value* scan_time = obj.find_path({"status", "lastScanResult", "scanTime"});
    if (!scan_time || !scan_time->is_string()) return std::nullopt;
    auto t = kube::parse_time(scan_time->as_string());
    if (!t) return std::nullopt;
    auto next = *t + spec.interval;
    auto now = std::chrono::system_clock::now();
    if (next <= now) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(next - now);
}

// Flux's lastScanResult.revision: the decimal Adler-32 of the tags as a JSON array.
std::string tags_checksum(const std::vector<std::string>& tags)
{
    std::string json = "[";
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i) json += ',';
        json += json_quote(tags[i]);
    }
    json += ']';
    uLong a = adler32(0L, Z_NULL, 0);
    a = adler32(a, reinterpret_cast<const Bytef*>(json.data()), static_cast<uInt>(json.size()));
    return std::to_string(a);
}

} // namespace

result<runtime::action> image_repository_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) {
        WEIR_TRY(tags_.remove(req.key()));
        return runtime::action::await_change();
    }
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj, req.key());
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, image_repository_spec::from(obj));
    value updated = obj;
    auto fail = [&](error e, std::string_view reason) -> result<runtime::action> {
        if (e.reason.empty()) e.reason = std::string(reason);
        cond::mark_failed(updated, e.reason, e.message);
        cond::set_observed_generation(updated);
        runtime::acknowledge_reconcile_request(updated);
        WEIR_TRY(write_status(obj, updated));
        mgr_.events().warning(obj, e.reason, e.message);
        return e;
    };

    auto image = oci::parse_image_name(spec.image);
    if (!image) return image.err(); // terminal: Stalled until the spec changes
    auto exclusions = oci::tag_exclusions::compile(spec.exclusion_list);
    if (!exclusions) return exclusions.err();
    tag_list stored = tags_.get(req.key());
    if (auto wait = scan_not_due(obj, spec, image->canonical(), stored != nullptr))
        return runtime::action::requeue(*wait);

    WEIR_TRY(check_provider(spec));
    auto target = connect_registry(mgr_.client(), req.namespace_, spec);
    if (!target) {
        error e = target.err().wrap("failed to configure authentication options");
        e.reason = "AuthenticationFailed";
        return fail(e, "AuthenticationFailed");
    }
    auto listed = target->client->list_tags(image->repository);
    if (!listed) {
        // Flux's reason for every failed scan; the message keeps what the registry said.
        error e = listed.err().wrap(fmt::format("scan failed: {}", image->canonical()));
        e.kind = error_kind::transient; // fixed outside this object (registry, Secret): keep retrying
        e.reason = "ReadOperationFailed";
        return fail(e, "ReadOperationFailed");
    }
    std::vector<std::string> tags = exclusions->filter(std::move(*listed));
    // Descending, as Flux stores them: the checksum below must match Flux's for the same tags.
    std::sort(tags.begin(), tags.end(), std::greater<>());
    bool changed = !stored || *stored != tags;
    std::size_t count = tags.size();
    std::string revision = tags_checksum(tags);
    value latest = string_array(oci::latest_tags(tags));
    if (changed) {
        if (auto s = tags_.put(req.key(), std::move(tags)); !s)
            return fail(s.err(), "StorageOperationFailed");
    }

    value& st = updated["status"];
    st["canonicalImageName"] = image->canonical();
    st["observedExclusionList"] = string_array(spec.exclusion_list);
    value scan = object{};
    scan["revision"] = revision;
    scan["tagCount"] = static_cast<std::int64_t>(count);
    scan["scanTime"] = kube::format_time(std::chrono::system_clock::now());
    scan["latestTags"] = std::move(latest);
    st["lastScanResult"] = std::move(scan);
    std::string message = fmt::format("successful scan: found {} tags with checksum {}", count, revision);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    runtime::acknowledge_reconcile_request(updated);
    WEIR_TRY(write_status(obj, updated));
    if (changed) mgr_.events().normal(obj, "Succeeded", message);
    return runtime::action::requeue(to_ms(spec.interval));
}

result<runtime::action> image_repository_reconciler::finalize(const value& obj, const std::string& key)
{
    WEIR_TRY(tags_.remove(key));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

status image_repository_reconciler::write_status(const value& original, value& updated)
{
    auto r = runtime::patch_status(mgr_.client(), original, updated);
    if (!r) return r.err().wrap("failed to update status");
    return ok();
}

} // namespace weir::image
