// weir::value: the in-memory form of every JSON or YAML document in weir (Kubernetes objects,
// kustomization files, Helm values). A tree of null, bool, int64, double, string, array and
// object, where objects keep their keys in insertion order so that a document read and written
// again keeps the order its author chose.
//
//   value obj = object{};
//   obj["metadata"]["name"] = "podinfo";
//   if (const value* n = obj.find_path({"metadata", "name"})) use(n->as_string());
//
// Equality is data equality: objects compare without regard to key order, 1 and 1.0 differ.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace weir {

class value;
using array = std::vector<value>;

// An ordered map of string keys. Lookups are linear: Kubernetes objects have few keys per level,
// and a flat vector is both smaller and faster than a hash map for them.
class object {
public:
    using member = std::pair<std::string, value>;
    using iterator = std::vector<member>::iterator;
    using const_iterator = std::vector<member>::const_iterator;

    object() = default;
    object(std::initializer_list<member> init);

    value* find(std::string_view key);
    const value* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // The value at key, appended as null when absent.
    value& operator[](std::string_view key);
    // Appends without checking for an existing key: for parsers that have checked already.
    void push_back(std::string key, value v);
    // Sets key to v, keeping its position when it exists.
    void set(std::string_view key, value v);
    bool erase(std::string_view key);

    // Defined after value, which must be complete first.
    std::size_t size() const;
    bool empty() const;
    void reserve(std::size_t n);
    iterator begin();
    iterator end();
    const_iterator begin() const;
    const_iterator end() const;
    iterator erase(const_iterator it);

    bool operator==(const object& other) const;

private:
    std::vector<member> items_;
};

class value {
public:
    enum class kind : std::uint8_t { null, boolean, integer, number, string, array, object };

    value() = default;
    value(std::nullptr_t) {}
    value(bool b) : v_(b) {}
    value(int i) : v_(std::int64_t{i}) {}
    value(long i) : v_(std::int64_t{i}) {}
    value(long long i) : v_(std::int64_t{i}) {}
    value(unsigned i) : v_(std::int64_t{i}) {}
    value(double d) : v_(d) {}
    value(const char* s) : v_(std::string(s)) {}
    value(std::string s) : v_(std::move(s)) {}
    value(std::string_view s) : v_(std::string(s)) {}
    value(weir::array a) : v_(std::move(a)) {}
    value(weir::object o) : v_(std::move(o)) {}

    kind type() const { return static_cast<kind>(v_.index()); }
    bool is_null() const { return type() == kind::null; }
    bool is_bool() const { return type() == kind::boolean; }
    bool is_int() const { return type() == kind::integer; }
    bool is_double() const { return type() == kind::number; }
    bool is_number() const { return is_int() || is_double(); }
    bool is_string() const { return type() == kind::string; }
    bool is_array() const { return type() == kind::array; }
    bool is_object() const { return type() == kind::object; }

    // Accessors assume the caller checked the type; a wrong type is a bug (bad_variant_access).
    bool as_bool() const { return std::get<bool>(v_); }
    std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
    double as_double() const;
    const std::string& as_string() const { return std::get<std::string>(v_); }
    std::string& as_string() { return std::get<std::string>(v_); }
    const weir::array& as_array() const { return std::get<weir::array>(v_); }
    weir::array& as_array() { return std::get<weir::array>(v_); }
    const weir::object& as_object() const { return std::get<weir::object>(v_); }
    weir::object& as_object() { return std::get<weir::object>(v_); }

    // Object member lookup; nullptr when this is not an object or the key is absent.
    value* find(std::string_view key);
    const value* find(std::string_view key) const;
    value* find_path(std::initializer_list<std::string_view> path);
    const value* find_path(std::initializer_list<std::string_view> path) const;
    // The string at key, or `fallback` when absent or not a string.
    std::string_view get_string(std::string_view key, std::string_view fallback = {}) const;
    // Member access that turns a null into an object first (for building documents).
    value& operator[](std::string_view key);

    const char* type_name() const;
    bool operator==(const value& other) const;

private:
    std::variant<std::monostate, bool, std::int64_t, double, std::string, weir::array, weir::object> v_;
};

inline std::size_t object::size() const { return items_.size(); }
inline bool object::empty() const { return items_.empty(); }
inline void object::reserve(std::size_t n) { items_.reserve(n); }
inline object::iterator object::begin() { return items_.begin(); }
inline object::iterator object::end() { return items_.end(); }
inline object::const_iterator object::begin() const { return items_.begin(); }
inline object::const_iterator object::end() const { return items_.end(); }
inline object::iterator object::erase(const_iterator it) { return items_.erase(it); }

} // namespace weir
