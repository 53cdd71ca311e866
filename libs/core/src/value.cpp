#include <weir/core/value.hpp>

#include <algorithm>

namespace weir {

object::object(std::initializer_list<member> init) : items_(init) {}

value* object::find(std::string_view key)
{
    for (auto& m : items_)
        if (m.first == key) return &m.second;
    return nullptr;
}

const value* object::find(std::string_view key) const
{
    for (const auto& m : items_)
        if (m.first == key) return &m.second;
    return nullptr;
}

value& object::operator[](std::string_view key)
{
    if (value* v = find(key)) return *v;
    items_.emplace_back(std::string(key), value{});
    return items_.back().second;
}

void object::push_back(std::string key, value v) { items_.emplace_back(std::move(key), std::move(v)); }

void object::set(std::string_view key, value v) { (*this)[key] = std::move(v); }

bool object::erase(std::string_view key)
{
    auto it = std::find_if(items_.begin(), items_.end(), [&](const member& m) { return m.first == key; });
    if (it == items_.end()) return false;
    items_.erase(it);
    return true;
}

bool object::operator==(const object& other) const
{
    if (items_.size() != other.items_.size()) return false;
    for (const auto& m : items_) {
        const value* o = other.find(m.first);
        if (!o || !(*o == m.second)) return false;
    }
    return true;
}

double value::as_double() const
{
    if (is_int()) return static_cast<double>(as_int());
    return std::get<double>(v_);
}

value* value::find(std::string_view key) { return is_object() ? as_object().find(key) : nullptr; }

const value* value::find(std::string_view key) const
{
    return is_object() ? as_object().find(key) : nullptr;
}

value* value::find_path(std::initializer_list<std::string_view> path)
{
    value* cur = this;
    for (auto key : path)
        if (!(cur = cur->find(key))) return nullptr;
    return cur;
}

const value* value::find_path(std::initializer_list<std::string_view> path) const
{
    const value* cur = this;
    for (auto key : path)
        if (!(cur = cur->find(key))) return nullptr;
    return cur;
}

std::string_view value::get_string(std::string_view key, std::string_view fallback) const
{
    const value* v = find(key);
    return v && v->is_string() ? std::string_view(v->as_string()) : fallback;
}

value& value::operator[](std::string_view key)
{
    if (is_null()) v_ = weir::object{};
    return as_object()[key];
}

const char* value::type_name() const
{
    switch (type()) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::integer: return "integer";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
    }
    return "unknown";
}

bool value::operator==(const value& other) const { return v_ == other.v_; }

} // namespace weir
