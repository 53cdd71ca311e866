#include <weir/runtime/patch.hpp>
#include <weir/runtime/predicates.hpp>

#include <weir/patch/patch.hpp>

#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>

namespace weir::runtime {

weir::value merge_patch(const weir::value& from, const weir::value& to)
{
    if (!from.is_object() || !to.is_object()) return to;
    weir::object out;
    for (const auto& [k, v] : from.as_object())
        if (!to.find(k)) out.push_back(k, nullptr);
    for (const auto& [k, v] : to.as_object()) {
        const weir::value* old = from.find(k);
        if (old && *old == v) continue;
        if (old && old->is_object() && v.is_object()) out.push_back(k, merge_patch(*old, v));
        else out.push_back(k, v);
    }
    return out;
}

namespace {
weir::value status_of(const weir::value& obj)
{
    const weir::value* s = obj.find("status");
    return s ? *s : weir::value(weir::object{});
}

// Servers without JSON/merge patch on a subresource answer 415 or 405; PUT works everywhere.
bool patch_unsupported(const weir::error& e) { return e.code == 415 || e.code == 405; }
} // namespace

result<weir::value> patch_status(kube::client& client, const weir::value& original, const weir::value& modified,
                                 const status_patch_options& options)
{
    kube::gvk kind = kube::gvk::of(original);
    std::string ns(kube::namespace_of(original)), name(kube::name_of(original));
    weir::value base = original;
    weir::value want = status_of(modified);
    // What this caller changes; on a conflict it is replayed onto the fresh status, so fields
    // another writer set meanwhile (the reconciler's own status write before a Stalled mark, say)
    // are kept instead of being reverted to the stale values.
    const weir::value delta = merge_patch(status_of(original), want);
    for (int attempt = 0;; ++attempt) {
        weir::value from = status_of(base);
        if (from == want) return base;
        weir::value body = weir::object{};
        body["metadata"]["resourceVersion"] = std::string(kube::resource_version_of(base));
        body["status"] = merge_patch(from, want);
        auto r = client.patch(kind, ns, name, kube::patch_type::merge, to_json(body),
                              {.subresource = "status", .field_manager = options.field_manager});
        if (!r && patch_unsupported(r.err())) {
            weir::value put = base;
            put.as_object().set("status", want);
            r = client.update_status(put, {.field_manager = options.field_manager});
        }
        if (r) return r;
        if (!kube::is_conflict(r.err()) || attempt >= options.max_conflict_retries) return std::move(r).err();
        WEIR_TRY_ASSIGN(base, client.get(kind, ns, name));
        want = status_of(base);
        patch::apply_merge_patch(want, delta);
    }
}

status ensure_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer)
{
    if (has_finalizer(obj, finalizer)) return ok();
    auto r = add_finalizer(client, obj, finalizer);
    if (!r) return std::move(r).err();
    return ok();
}

bool being_deleted(const weir::value& obj) { return obj.find_path({"metadata", "deletionTimestamp"}) != nullptr; }

void acknowledge_reconcile_request(weir::value& obj)
{
    const weir::value* annotations = obj.find_path({"metadata", "annotations"});
    const weir::value* at = annotations ? annotations->find(requested_at_annotation) : nullptr;
    if (at && at->is_string()) obj["status"]["lastHandledReconcileAt"] = *at;
}

bool has_finalizer(const weir::value& obj, std::string_view finalizer)
{
    const weir::value* list = obj.find_path({"metadata", "finalizers"});
    if (!list || !list->is_array()) return false;
    for (const auto& f : list->as_array())
        if (f.is_string() && f.as_string() == finalizer) return true;
    return false;
}

weir::value add_finalizer_patch(const weir::value& obj, std::string_view finalizer)
{
    weir::array ops;
    ops.push_back(weir::object{{"op", "test"}, {"path", "/metadata/resourceVersion"},
                               {"value", std::string(kube::resource_version_of(obj))}});
    const weir::value* list = obj.find_path({"metadata", "finalizers"});
    if (list && list->is_array())
        ops.push_back(weir::object{{"op", "add"}, {"path", "/metadata/finalizers/-"}, {"value", finalizer}});
    else
        ops.push_back(weir::object{{"op", "add"}, {"path", "/metadata/finalizers"}, {"value", weir::array{finalizer}}});
    return ops;
}

weir::value remove_finalizer_patch(const weir::value& obj, std::string_view finalizer)
{
    weir::array ops;
    const weir::value* list = obj.find_path({"metadata", "finalizers"});
    if (!list || !list->is_array()) return ops;
    const auto& items = list->as_array();
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].is_string() && items[i].as_string() == finalizer) {
            std::string path = "/metadata/finalizers/" + std::to_string(i);
            ops.push_back(weir::object{{"op", "test"}, {"path", path}, {"value", finalizer}});
            ops.push_back(weir::object{{"op", "remove"}, {"path", path}});
            break;
        }
    return ops;
}

namespace {
result<weir::value> patch_finalizers(kube::client& client, const weir::value& obj, const weir::value& ops)
{
    kube::gvk kind = kube::gvk::of(obj);
    auto r = client.patch(kind, kube::namespace_of(obj), kube::name_of(obj), kube::patch_type::json, to_json(ops));
    if (!r && patch_unsupported(r.err())) {
        // No JSON patch: a merge patch guarded by resourceVersion is just as safe.
        weir::value body = weir::object{};
        body["metadata"]["resourceVersion"] = std::string(kube::resource_version_of(obj));
        weir::array list;
        for (const auto& op : ops.as_array())
            if (op.get_string("op") == "add") {
                if (const weir::value* old = obj.find_path({"metadata", "finalizers"}); old && old->is_array()) list = old->as_array();
                const weir::value* v = op.find("value");
                if (v->is_array()) list = v->as_array();
                else list.push_back(*v);
            } else if (op.get_string("op") == "remove") {
                list = obj.find_path({"metadata", "finalizers"})->as_array();
                std::string_view path = op.get_string("path");
                list.erase(list.begin() + std::stol(std::string(path.substr(path.rfind('/') + 1))));
            }
        body["metadata"]["finalizers"] = list;
        r = client.patch(kind, kube::namespace_of(obj), kube::name_of(obj), kube::patch_type::merge, to_json(body));
    }
    // The guard failing (a JSON patch "test" answered 422, or a stale resourceVersion 409) means
    // the object moved on under us: retry with the newer copy, this is no reason to stall.
    if (!r && (kube::is_invalid(r.err()) || kube::is_conflict(r.err()))) {
        error e = r.err();
        e.kind = error_kind::transient;
        return e;
    }
    return r;
}
} // namespace

result<weir::value> add_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer)
{
    if (has_finalizer(obj, finalizer)) return obj;
    return patch_finalizers(client, obj, add_finalizer_patch(obj, finalizer));
}

result<weir::value> remove_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer)
{
    if (!has_finalizer(obj, finalizer)) return obj;
    return patch_finalizers(client, obj, remove_finalizer_patch(obj, finalizer));
}

} // namespace weir::runtime
