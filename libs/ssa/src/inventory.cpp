#include <weir/api/meta.hpp>
#include <weir/ssa/inventory.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace weir::ssa {
namespace {

// Splits an inventory id "<ns>_<name>_<group>_<kind>" where names may contain "__" for ":".
// Kinds and groups never contain "_", so the last two fields are taken from the right.
result<object_ref> parse_id(std::string_view id, std::string_view version)
{
    auto bad = [&] {
        return terminal_error(fmt::format("inventory entry \"{}\" is not <namespace>_<name>_<group>_<kind>", id),
                              "InvalidInventory");
    };
    auto last = id.rfind('_');
    if (last == std::string_view::npos || last == 0) return bad();
    auto group_sep = id.rfind('_', last - 1);
    if (group_sep == std::string_view::npos) return bad();
    auto ns_sep = id.find('_');
    if (ns_sep >= group_sep) return bad();
    object_ref r;
    r.kind = std::string(id.substr(last + 1));
    r.group = std::string(id.substr(group_sep + 1, last - group_sep - 1));
    r.namespace_ = std::string(id.substr(0, ns_sep));
    std::string_view encoded = id.substr(ns_sep + 1, group_sep - ns_sep - 1);
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '_' && i + 1 < encoded.size() && encoded[i + 1] == '_') {
            r.name += ':';
            ++i;
        } else {
            r.name += encoded[i];
        }
    }
    r.version = std::string(version);
    if (r.kind.empty() || r.name.empty()) return bad();
    return r;
}

} // namespace

object_ref object_ref::of(const value& obj)
{
    object_ref r;
    std::string_view api = obj.get_string("apiVersion");
    r.group = std::string(api::api_group(api));
    r.version = std::string(api.substr(api.find('/') == std::string_view::npos ? 0 : api.find('/') + 1));
    r.kind = std::string(obj.get_string("kind"));
    if (const value* md = obj.find("metadata")) {
        r.namespace_ = std::string(md->get_string("namespace"));
        r.name = std::string(md->get_string("name"));
    }
    return r;
}

std::string object_ref::api_version() const { return group.empty() ? version : group + "/" + version; }

std::string object_ref::str() const
{
    return namespace_.empty() ? fmt::format("{}/{}", kind, name) : fmt::format("{}/{}/{}", kind, namespace_, name);
}

std::string object_ref::id() const { return api::inventory_id(namespace_, name, group, kind); }

inventory inventory::of(const std::vector<value>& objects)
{
    inventory inv;
    inv.entries_.reserve(objects.size());
    for (const auto& o : objects) inv.entries_.push_back(object_ref::of(o));
    // Flux keeps the entries sorted by id, so the status does not churn when build order changes.
    std::sort(inv.entries_.begin(), inv.entries_.end(),
              [](const object_ref& a, const object_ref& b) { return a.id() < b.id(); });
    return inv;
}

result<inventory> inventory::from_status(const value* inventory_value)
{
    inventory inv;
    if (!inventory_value || inventory_value->is_null()) return inv;
    const value* entries = inventory_value->find("entries");
    if (!entries || entries->is_null()) return inv;
    if (!entries->is_array()) return terminal_error("status.inventory.entries must be a list", "InvalidInventory");
    for (const auto& e : entries->as_array()) {
        WEIR_TRY_ASSIGN(auto ref, parse_id(e.get_string("id"), e.get_string("v")));
        inv.entries_.push_back(std::move(ref));
    }
    return inv;
}

value inventory::to_value() const
{
    array entries;
    entries.reserve(entries_.size());
    for (const auto& r : entries_) entries.push_back(object{{"id", r.id()}, {"v", r.version}});
    return object{{"entries", std::move(entries)}};
}

std::vector<object_ref> inventory::difference(const inventory& newer) const
{
    std::set<std::string> keep;
    for (const auto& r : newer.entries_) keep.insert(r.id());
    std::vector<object_ref> out;
    for (const auto& r : entries_)
        if (!keep.count(r.id())) out.push_back(r);
    return out;
}

} // namespace weir::ssa
