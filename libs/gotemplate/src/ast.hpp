// The parse tree of a Go template, one node struct for every kind (as Go's parse package has
// them), plus the set of named templates a parse produces.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir::gotemplate::detail {

enum class node_type : std::uint8_t {
    list,
    text,
    action,
    if_,
    range,
    with,
    template_,
    break_,
    continue_,
    pipe,
    command,
    field,
    chain,
    identifier,
    variable,
    dot,
    nil,
    bool_,
    number,
    string,
};

struct number_info {
    bool is_int = false, is_uint = false, is_float = false, is_complex = false;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double f = 0;
};

struct node;
using node_ptr = std::unique_ptr<node>;

struct node {
    node_type type;
    std::size_t pos = 0;
    int line = 0;
    std::string text;                // text, string value, identifier, number/bool/string source
    std::vector<std::string> idents; // field, variable and chain field names
    number_info num;
    bool bval = false;
    bool is_assign = false;      // pipe: `=` rather than `:=`
    std::vector<node_ptr> decl;  // pipe: declared variables
    std::vector<node_ptr> items; // list: nodes; pipe: commands; command: arguments
    node_ptr pipe;               // action, if, range, with, template; chain: its operand
    node_ptr list, else_list;    // if, range, with
    std::string name;            // template: the called name

    explicit node(node_type t, std::size_t p = 0, int l = 0) : type(t), pos(p), line(l) {}
};

// Go's Node.String(), used in error contexts.
std::string node_string(const node& n);

struct template_tree {
    std::string name;       // the template's name
    std::string parse_name; // the name of the text it was defined in
    std::shared_ptr<const std::string> source;
    node_ptr root;
};

using tree_map = std::map<std::string, std::shared_ptr<const template_tree>, std::less<>>;

// Go's parse.IsEmptyTree: only whitespace text.
bool is_empty_tree(const node* n);

} // namespace weir::gotemplate::detail
