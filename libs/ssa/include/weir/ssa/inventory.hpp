// The inventory: which objects a Kustomization (or HelmRelease) applied, in Flux's status format
// `status.inventory.entries[] {id: "<ns>_<name>_<group>_<kind>", v: "<version>"}`, and what became
// stale between two applies.
//
//   auto inv = ssa::inventory::of(objects);
//   auto stale = old_inv.difference(inv);   // in old, not in new: candidates for pruning
//   status["inventory"] = inv.to_value();
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <vector>

namespace weir::ssa {

// An object by identity: group, version, kind, namespace, name.
struct object_ref {
    std::string group, version, kind, namespace_, name;

    static object_ref of(const value& obj);
    std::string api_version() const;
    // "Kind/namespace/name" (or "Kind/name" when cluster-scoped), as Flux's change logs write it.
    std::string str() const;
    std::string id() const; // the inventory id
    bool same_object(const object_ref& o) const
    {
        return group == o.group && kind == o.kind && namespace_ == o.namespace_ && name == o.name;
    }
};

class inventory {
public:
    static inventory of(const std::vector<value>& objects);
    // Reads status.inventory (null or absent gives an empty inventory).
    static result<inventory> from_status(const value* inventory_value);
    value to_value() const;

    // Entries in this inventory whose object is not in `newer` (by group, kind, namespace, name).
    std::vector<object_ref> difference(const inventory& newer) const;
    const std::vector<object_ref>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

private:
    std::vector<object_ref> entries_;
};

} // namespace weir::ssa
