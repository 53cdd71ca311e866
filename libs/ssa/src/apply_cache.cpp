#include <weir/core/json.hpp>
#include <weir/ssa/apply_cache.hpp>

#include <functional>

namespace weir::ssa {

std::optional<apply_cache::entry> apply_cache::get(const std::string& key) const
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

void apply_cache::put(const std::string& key, entry e)
{
    std::lock_guard lock(mutex_);
    // A bound, not an eviction policy: past it, start over (every object then costs one read once).
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) entries_.clear();
    entries_[key] = std::move(e);
}

void apply_cache::erase(const std::string& key)
{
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

std::size_t apply_cache::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::size_t content_hash(const value& obj)
{
    value copy = obj;
    if (value* md = copy.find("metadata"); md && md->is_object()) {
        auto& m = md->as_object();
        m.erase("managedFields");
        m.erase("resourceVersion");
        m.erase("generation");
    }
    return std::hash<std::string>{}(to_json(copy));
}

} // namespace weir::ssa
