// Internal: the AST and the runtime values of the CEL evaluator.
#pragma once

#include <weir/cel/cel.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace weir::cel {

// A runtime value. CEL distinguishes int/uint/bytes/type that weir::value does not, and carries
// errors as values so that && and || can absorb them.
struct val {
    enum class t : std::uint8_t {
        null,
        boolean,
        int_,
        uint_,
        double_,
        string,
        bytes,
        list,
        map,
        type,
        error,
        timestamp,
        duration,
    };
    t tag = t::null;
    bool b = false;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    std::string s; // string, bytes, type name, error message
    std::shared_ptr<std::vector<val>> list;
    std::shared_ptr<std::vector<std::pair<val, val>>> map;

    static val boolean(bool x)
    {
        val v;
        v.tag = t::boolean;
        v.b = x;
        return v;
    }
    static val int_(std::int64_t x)
    {
        val v;
        v.tag = t::int_;
        v.i = x;
        return v;
    }
    static val uint_(std::uint64_t x)
    {
        val v;
        v.tag = t::uint_;
        v.u = x;
        return v;
    }
    static val double_(double x)
    {
        val v;
        v.tag = t::double_;
        v.d = x;
        return v;
    }
    static val string(std::string x)
    {
        val v;
        v.tag = t::string;
        v.s = std::move(x);
        return v;
    }
    static val bytes(std::string x)
    {
        val v;
        v.tag = t::bytes;
        v.s = std::move(x);
        return v;
    }
    static val type(std::string x)
    {
        val v;
        v.tag = t::type;
        v.s = std::move(x);
        return v;
    }
    static val error(std::string x)
    {
        val v;
        v.tag = t::error;
        v.s = std::move(x);
        return v;
    }
    static val new_list()
    {
        val v;
        v.tag = t::list;
        v.list = std::make_shared<std::vector<val>>();
        return v;
    }
    static val new_map()
    {
        val v;
        v.tag = t::map;
        v.map = std::make_shared<std::vector<std::pair<val, val>>>();
        return v;
    }
    bool is_error() const { return tag == t::error; }
};

const char* type_name(const val& v);
val from_value(const value& v);
value to_value(const val& v);
// Data equality with CEL's heterogeneous numeric rules; an error when either side is one.
val equals(const val& a, const val& b);

enum class op : std::uint8_t {
    literal,
    ident,
    select,
    index,
    call,
    list,
    map,
    cond,
    and_,
    or_,
    not_,
    neg,
    has,
    macro,
};

struct node {
    op kind = op::literal;
    int col = 1;           // 1-based column in the source
    val lit;               // literal
    std::string name;      // ident, field, function or operator, macro name
    std::string var;       // macro loop variable
    bool receiver = false; // call in the form target.f(args): kids[0] is the target
    std::vector<std::unique_ptr<node>> kids;
};

// timestamp()/duration() of a string, their + and - (o is '+' or '-'), and their text form.
val time_call(const std::string& f, const val& a);
val time_arith(char o, const val& a, const val& b);
std::string time_string(const val& v);

// Calls a function or binary operator (name is "+", "<", "size", "startsWith", ...).
val call_function(const std::string& name, std::vector<val>& args, bool receiver);

} // namespace weir::cel
