#include <weir/runtime/predicates.hpp>

#include <string>
#include <utility>
#include <vector>

namespace weir::runtime {
namespace {

bool ignored_meta(std::string_view key) { return key == "resourceVersion" || key == "managedFields"; }

// Compares two objects' metadata member by member, skipping the ignored keys.
bool same_metadata(const weir::value* a, const weir::value* b)
{
    if (!a || !b || !a->is_object() || !b->is_object()) return (a == nullptr) == (b == nullptr) && (!a || *a == *b);
    std::size_t na = 0, nb = 0;
    for (const auto& [k, v] : a->as_object()) {
        if (ignored_meta(k)) continue;
        ++na;
        const weir::value* other = b->find(k);
        if (!other || !(*other == v)) return false;
    }
    for (const auto& [k, v] : b->as_object())
        if (!ignored_meta(k)) ++nb;
    return na == nb;
}

} // namespace

bool status_only_change(const weir::value& old_obj, const weir::value& new_obj)
{
    if (!old_obj.is_object() || !new_obj.is_object()) return false;
    std::size_t na = 0, nb = 0;
    for (const auto& [k, v] : old_obj.as_object()) {
        if (k == "status") continue;
        ++na;
        const weir::value* other = new_obj.find(k);
        if (!other) return false;
        if (k == "metadata" ? !same_metadata(&v, other) : !(*other == v)) return false;
    }
    for (const auto& [k, v] : new_obj.as_object())
        if (k != "status") ++nb;
    return na == nb;
}

bool spec_or_metadata_changed(const weir::value& old_obj, const weir::value& new_obj)
{
    return !status_only_change(old_obj, new_obj);
}

namespace {

std::int64_t generation_of(const weir::value& obj)
{
    const weir::value* g = obj.find_path({"metadata", "generation"});
    return g && g->is_int() ? g->as_int() : 0;
}

// The reconcile.fluxcd.io/* annotations, which ask for a reconcile (or a forced or reset one).
std::vector<std::pair<std::string, std::string>> reconcile_annotations(const weir::value& obj)
{
    std::vector<std::pair<std::string, std::string>> out;
    const weir::value* ann = obj.find_path({"metadata", "annotations"});
    if (!ann || !ann->is_object()) return out;
    for (const auto& [k, v] : ann->as_object())
        if (k.starts_with("reconcile.fluxcd.io/") && v.is_string()) out.emplace_back(k, v.as_string());
    return out;
}

} // namespace

bool generation_or_request_changed(const weir::value& old_obj, const weir::value& new_obj)
{
    if (generation_of(old_obj) != generation_of(new_obj)) return true;
    if (!is_being_deleted(old_obj) && is_being_deleted(new_obj)) return true;
    return reconcile_annotations(old_obj) != reconcile_annotations(new_obj);
}

bool reconcile_requested(const weir::value& obj)
{
    const weir::value* ann = obj.find_path({"metadata", "annotations"});
    if (!ann) return false;
    std::string_view requested = ann->get_string(requested_at_annotation);
    if (requested.empty()) return false;
    const weir::value* status = obj.find("status");
    return !status || status->get_string("lastHandledReconcileAt") != requested;
}

bool is_suspended(const weir::value& obj)
{
    const weir::value* s = obj.find_path({"spec", "suspend"});
    return s && s->is_bool() && s->as_bool();
}

bool is_being_deleted(const weir::value& obj)
{
    const weir::value* t = obj.find_path({"metadata", "deletionTimestamp"});
    return t && t->is_string() && !t->as_string().empty();
}

} // namespace weir::runtime
