// go_value: a value as Go's text/template sees it while it runs, with the Go type it would have.
//
// Templates behave differently by Go type: `indent` wants an `int` and refuses an `int64`,
// `typeOf` prints "[]interface {}", a missing map key is an invalid reflect.Value that prints
// "<no value>" while a nil inside a list prints "<nil>". go_value keeps that type so weir renders
// and fails exactly where Go does. Data comes in as weir::value (JSON-like) and becomes
// map[string]interface{}, []interface{}, string, int64, float64, bool and nil.
//
//   go_value v = go_value::from(doc);            // weir::value -> Go view, copied once
//   go_value n = go_value::of_int(3);            // a Go `int`, as `len` returns
//   if (v.is_map()) v.map_find("replicas");
//
// Lists and maps are shared by reference, as Go slices and maps are (Sprig's `set` mutates a dict
// that a variable also holds).
#pragma once

#include <weir/core/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace weir::gotemplate {

// The Go types weir's templates produce. `invalid` is the zero reflect.Value (a missing key);
// `nil` is a nil interface{} (JSON null, `nil` passed to a function).
enum class go_type : std::uint8_t {
    invalid,
    nil,
    bool_,
    int_,
    int32_, // rune, from a character constant inside a list or Sprig
    int64_,
    uint8_, // a byte, as `index` of a string returns
    uint32_,
    float64_,
    string_,
    list_any,    // []interface {}
    list_string, // []string
    list_int,    // []int
    list_list,   // [][]interface {} (Sprig's chunk)
    map_any,     // map[string]interface {}
    map_string,  // map[string]string
    time,        // time.Time, in the machine's local zone (Sprig's now, toDate)
};

class go_value;
// Functions bound to one value, called as its methods: `.Files.Get "x"` (defined in template.hpp).
struct method_set;
using go_list = std::vector<go_value>;
using go_map = std::map<std::string, go_value, std::less<>>;

class go_value {
public:
    go_value() = default; // invalid: a missing value
    static go_value nil() { return go_value(go_type::nil, std::monostate{}); }
    static go_value of_bool(bool b) { return go_value(go_type::bool_, b); }
    static go_value of_int(std::int64_t i) { return go_value(go_type::int_, i); }
    static go_value of_int64(std::int64_t i) { return go_value(go_type::int64_, i); }
    static go_value of_typed_int(go_type t, std::int64_t i) { return go_value(t, i); }
    static go_value of_float(double d) { return go_value(go_type::float64_, d); }
    // Nanoseconds since the Unix epoch.
    static go_value of_time(std::int64_t unix_nanos) { return go_value(go_type::time, unix_nanos); }
    static go_value of_string(std::string s) { return go_value(go_type::string_, std::move(s)); }
    static go_value of_list(go_list l, go_type t = go_type::list_any);
    static go_value of_map(go_map m, go_type t = go_type::map_any);
    // A nil []interface{} (Sprig's rest of an empty list): empty, but JSON null and %#v "(nil)".
    static go_value of_nil_list()
    {
        go_value v = of_list({});
        v.nil_slice_ = true;
        return v;
    }
    bool is_nil_slice() const { return nil_slice_; }
    // The value with methods attached (Helm's .Files, .Capabilities.APIVersions); a method name
    // wins over a map key of the same name, as in Go.
    static go_value with_methods(go_value v, std::shared_ptr<const method_set> m)
    {
        v.methods_ = std::move(m);
        return v;
    }
    const method_set* methods() const { return methods_.get(); }
    static go_value from(const weir::value& v);

    go_type type() const { return type_; }
    bool is_missing() const { return type_ == go_type::invalid; }
    bool is_nil() const { return type_ == go_type::nil; }
    bool is_bool() const { return type_ == go_type::bool_; }
    bool is_int() const;
    bool is_float() const { return type_ == go_type::float64_; }
    bool is_string() const { return type_ == go_type::string_; }
    bool is_list() const;
    bool is_map() const { return type_ == go_type::map_any || type_ == go_type::map_string; }
    bool is_time() const { return type_ == go_type::time; }
    std::int64_t as_time() const { return std::get<std::int64_t>(v_); }

    bool as_bool() const { return std::get<bool>(v_); }
    std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
    double as_float() const { return std::get<double>(v_); }
    const std::string& as_string() const { return std::get<std::string>(v_); }
    const go_list& as_list() const { return *std::get<std::shared_ptr<go_list>>(v_); }
    go_list& as_list() { return *std::get<std::shared_ptr<go_list>>(v_); }
    const go_map& as_map() const { return *std::get<std::shared_ptr<go_map>>(v_); }
    // Maps are shared: this edits every holder's map, as Go does.
    go_map& mutable_map() const { return *std::get<std::shared_ptr<go_map>>(v_); }
    const go_value* map_find(std::string_view key) const;

    // Go's name for the type, as %T and Sprig's typeOf print it ("[]interface {}", "<nil>").
    std::string type_name() const;
    // A value read out of an interface{} slot (a map_any entry, a list_any element) keeps the
    // static type interface{} until a pipeline step ends, which shows in Go's error texts.
    bool boxed() const { return boxed_; }
    go_value& set_boxed(bool b)
    {
        boxed_ = b;
        return *this;
    }
    std::string static_type_name() const { return boxed_ ? "interface {}" : type_name(); }
    // reflect.Kind's name, as Sprig's kindOf prints it ("slice", "map", "invalid").
    std::string kind_name() const;
    // Back to JSON-like data (for Helm's toYaml and friends). Missing and nil become null.
    weir::value to_value() const;

private:
    using payload = std::variant<std::monostate, bool, std::int64_t, double, std::string,
                                 std::shared_ptr<go_list>, std::shared_ptr<go_map>>;
    go_value(go_type t, payload p) : type_(t), v_(std::move(p)) {}
    go_type type_ = go_type::invalid;
    bool boxed_ = false;
    bool nil_slice_ = false;
    payload v_;
    std::shared_ptr<const method_set> methods_;
};

// Go's truth: false, 0, "", nil and empty lists and maps are false; a missing value is false.
bool go_truth(const go_value& v);
// Go's ==, as reflect.DeepEqual sees data (Sprig's deepEqual).
bool go_deep_equal(const go_value& a, const go_value& b);

} // namespace weir::gotemplate
