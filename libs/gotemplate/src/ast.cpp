#include "ast.hpp"

#include "strconv.hpp"

namespace weir::gotemplate::detail {

namespace {
void append_string(std::string& out, const node& n);

void append_list(std::string& out, const node* n)
{
    if (!n) return;
    for (auto& i : n->items)
        append_string(out, *i);
}

void append_arg(std::string& out, const node& a)
{
    if (a.type == node_type::pipe) {
        out += '(';
        append_string(out, a);
        out += ')';
    } else {
        append_string(out, a);
    }
}

void append_control(std::string& out, const char* word, const node& n)
{
    out += "{{";
    out += word;
    out += ' ';
    append_string(out, *n.pipe);
    out += "}}";
    append_list(out, n.list.get());
    if (n.else_list) {
        out += "{{else}}";
        append_list(out, n.else_list.get());
    }
    out += "{{end}}";
}

void append_string(std::string& out, const node& n)
{
    switch (n.type) {
    case node_type::list:
        append_list(out, &n);
        break;
    case node_type::text:
        out += n.text;
        break;
    case node_type::action:
        out += "{{";
        append_string(out, *n.pipe);
        out += "}}";
        break;
    case node_type::if_:
        append_control(out, "if", n);
        break;
    case node_type::range:
        append_control(out, "range", n);
        break;
    case node_type::with:
        append_control(out, "with", n);
        break;
    case node_type::template_:
        out += "{{template " + go_quote(n.name);
        if (n.pipe) {
            out += ' ';
            append_string(out, *n.pipe);
        }
        out += "}}";
        break;
    case node_type::break_:
        out += "{{break}}";
        break;
    case node_type::continue_:
        out += "{{continue}}";
        break;
    case node_type::pipe:
        for (std::size_t i = 0; i < n.decl.size(); ++i) {
            if (i) out += ", ";
            append_string(out, *n.decl[i]);
        }
        if (!n.decl.empty()) out += n.is_assign ? " = " : " := ";
        for (std::size_t i = 0; i < n.items.size(); ++i) {
            if (i) out += " | ";
            append_string(out, *n.items[i]);
        }
        break;
    case node_type::command:
        for (std::size_t i = 0; i < n.items.size(); ++i) {
            if (i) out += ' ';
            append_arg(out, *n.items[i]);
        }
        break;
    case node_type::field:
        for (auto& id : n.idents)
            out += "." + id;
        break;
    case node_type::chain:
        append_arg(out, *n.pipe);
        for (auto& id : n.idents)
            out += "." + id;
        break;
    case node_type::identifier:
        out += n.text;
        break;
    case node_type::variable:
        for (std::size_t i = 0; i < n.idents.size(); ++i) {
            if (i) out += '.';
            out += n.idents[i];
        }
        break;
    case node_type::dot:
        out += '.';
        break;
    case node_type::nil:
        out += "nil";
        break;
    case node_type::bool_:
        out += n.bval ? "true" : "false";
        break;
    case node_type::number:
        out += n.text;
        break;
    case node_type::string:
        out += n.text;
        break;
    }
}
} // namespace

std::string node_string(const node& n)
{
    std::string out;
    append_string(out, n);
    return out;
}

bool is_empty_tree(const node* n)
{
    if (!n) return true;
    switch (n->type) {
    case node_type::list:
        for (auto& i : n->items)
            if (!is_empty_tree(i.get())) return false;
        return true;
    case node_type::text:
        return n->text.find_first_not_of(" \t\r\n") == std::string::npos;
    default:
        return false;
    }
}

} // namespace weir::gotemplate::detail
