#include <weir/runtime/object_store.hpp>

#include <mutex>

namespace weir::runtime {

weir::value compact(weir::value&& v)
{
    if (v.is_object()) {
        weir::object out;
        out.reserve(v.as_object().size());
        for (auto& [key, member] : v.as_object()) {
            std::string k = std::move(key);
            k.shrink_to_fit();
            out.push_back(std::move(k), compact(std::move(member)));
        }
        return out;
    }
    if (v.is_array()) {
        weir::array out;
        out.reserve(v.as_array().size());
        for (auto& item : v.as_array()) out.push_back(compact(std::move(item)));
        return out;
    }
    if (v.is_string()) v.as_string().shrink_to_fit();
    return std::move(v);
}

void object_store::add_indexer(std::string name, index_fn fn)
{
    std::unique_lock lock(mutex_);
    indexers_[name] = std::move(fn);
    auto& idx = indexes_[name];
    idx.clear();
    for (const auto& [key, obj] : items_)
        for (auto& v : indexers_[name](*obj)) idx[v].insert(key);
}

void object_store::index_locked(const std::string& key, const weir::value& obj, bool add)
{
    for (const auto& [name, fn] : indexers_) {
        auto& idx = indexes_[name];
        for (auto& v : fn(obj)) {
            if (add) {
                idx[v].insert(key);
            } else if (auto it = idx.find(v); it != idx.end()) {
                it->second.erase(key);
                if (it->second.empty()) idx.erase(it);
            }
        }
    }
}

object_ptr object_store::get(const std::string& key) const
{
    std::shared_lock lock(mutex_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : it->second;
}

std::vector<object_ptr> object_store::list() const
{
    std::shared_lock lock(mutex_);
    std::vector<object_ptr> out;
    out.reserve(items_.size());
    for (const auto& [k, v] : items_) out.push_back(v);
    return out;
}

std::vector<object_ptr> object_store::list_namespace(std::string_view ns) const
{
    std::shared_lock lock(mutex_);
    std::vector<object_ptr> out;
    for (const auto& [k, v] : items_)
        if (kube::namespace_of(*v) == ns) out.push_back(v);
    return out;
}

std::vector<object_ptr> object_store::by_index(const std::string& index, const std::string& value) const
{
    std::shared_lock lock(mutex_);
    std::vector<object_ptr> out;
    auto idx = indexes_.find(index);
    if (idx == indexes_.end()) return out;
    auto keys = idx->second.find(value);
    if (keys == idx->second.end()) return out;
    for (const auto& key : keys->second)
        if (auto it = items_.find(key); it != items_.end()) out.push_back(it->second);
    return out;
}

std::vector<std::string> object_store::keys() const
{
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& [k, v] : items_) out.push_back(k);
    return out;
}

std::size_t object_store::size() const
{
    std::shared_lock lock(mutex_);
    return items_.size();
}

object_ptr object_store::upsert(object_ptr obj)
{
    std::string key = kube::object_key::of(*obj).str();
    std::unique_lock lock(mutex_);
    auto& slot = items_[key];
    object_ptr old = std::move(slot);
    if (old) index_locked(key, *old, false);
    slot = std::move(obj);
    index_locked(key, *slot, true);
    return old;
}

object_ptr object_store::erase(const std::string& key)
{
    std::unique_lock lock(mutex_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    object_ptr old = std::move(it->second);
    items_.erase(it);
    index_locked(key, *old, false);
    return old;
}

} // namespace weir::runtime
