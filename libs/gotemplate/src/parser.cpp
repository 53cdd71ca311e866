// A recursive-descent parser that follows Go's text/template/parse step by step, so that it
// accepts and refuses the same texts with the same messages. Errors unwind with a private
// exception (Go panics the same way) and become a weir::error at parse_template.
#include "parser.hpp"

#include "lexer.hpp"
#include "strconv.hpp"

#include <fmt/format.h>


namespace weir::gotemplate::detail {
namespace {

struct parse_failure {
    std::string message;
};

class parser {
public:
    parser(std::string_view name, std::shared_ptr<const std::string> text, const parse_options& opts)
        : name_(name), text_(std::move(text)), opts_(opts), toks_(lex(*text_))
    {
    }

    std::vector<std::shared_ptr<template_tree>> run()
    {
        auto top = std::make_shared<template_tree>();
        top->name = name_;
        top->parse_name = name_;
        top->source = text_;
        top->root = std::make_unique<node>(node_type::list, peek().pos);
        while (peek().type != tok::eof) {
            if (peek().type == tok::left_delim) {
                std::size_t save = i_;
                next();
                if (next_non_space().type == tok::define) {
                    parse_definition();
                    continue;
                }
                i_ = save;
            }
            node_ptr n = text_or_action();
            if (!n) errorf(fmt::format("unexpected {}", end_else_string()));
            top->root->items.push_back(std::move(n));
        }
        add(top);
        // The top template first, then the definitions in order.
        std::vector<std::shared_ptr<template_tree>> out{top};
        for (auto& d : defs_)
            if (d != top) out.push_back(d);
        return out;
    }

private:
    std::string name_;
    std::shared_ptr<const std::string> text_;
    const parse_options& opts_;
    std::vector<token> toks_;
    std::size_t i_ = 0;
    int last_line_ = 1;
    std::vector<std::string> vars_{"$"};
    int range_depth_ = 0;
    std::size_t depth_ = 0;
    int action_line_ = 0;
    // set by item_list when it stops at {{end}} or {{else}}
    enum class stop { none, end, else_ } stop_ = stop::none;
    std::size_t stop_pos_ = 0;
    int stop_line_ = 0;
    std::vector<std::shared_ptr<template_tree>> defs_;

    [[noreturn]] void errorf(const std::string& msg)
    {
        throw parse_failure{fmt::format("template: {}:{}: {}", name_, last_line_, msg)};
    }
    const token& next()
    {
        const token& t = toks_[std::min(i_, toks_.size() - 1)];
        if (i_ < toks_.size()) ++i_;
        last_line_ = t.line;
        return t;
    }
    void backup() { --i_; }
    const token& peek()
    {
        const token& t = toks_[std::min(i_, toks_.size() - 1)];
        last_line_ = t.line;
        return t;
    }
    const token& next_non_space()
    {
        for (;;) {
            const token& t = next();
            if (t.type != tok::space) return t;
        }
    }
    const token& peek_non_space()
    {
        const token& t = next_non_space();
        backup();
        return t;
    }
    [[noreturn]] void unexpected(const token& t, std::string_view context)
    {
        if (t.type == tok::error) {
            std::string extra;
            if (action_line_ != 0 && action_line_ != t.line) {
                extra = fmt::format(" in action started at {}:{}", name_, action_line_);
                if (t.val.ends_with(" action")) extra = extra.substr(10); // " started at ..." as Go trims
            }
            errorf(t.val + extra);
        }
        errorf(fmt::format("unexpected {} in {}", describe(t), context));
    }
    const token& expect(tok type, std::string_view context)
    {
        const token& t = next_non_space();
        if (t.type != type) unexpected(t, context);
        return t;
    }
    std::string end_else_string() const { return stop_ == stop::end ? "{{end}}" : "{{else}}"; }

    void enter()
    {
        if (++depth_ > opts_.max_depth)
            errorf(fmt::format("max expression depth exceeded ({})", opts_.max_depth));
    }
    struct guard {
        parser& p;
        ~guard() { --p.depth_; }
    };

    void add(const std::shared_ptr<template_tree>& t)
    {
        for (auto& d : defs_) {
            if (d->name != t->name) continue;
            if (is_empty_tree(d->root.get())) {
                d = t;
                return;
            }
            if (!is_empty_tree(t->root.get()))
                errorf(fmt::format("template: multiple definition of template {}", go_quote(t->name)));
            return;
        }
        defs_.push_back(t);
    }

    std::string template_name(const token& t, std::string_view context)
    {
        if (t.type != tok::string && t.type != tok::raw_string) unexpected(t, context);
        auto s = go_unquote(t.val);
        if (!s) errorf(s.err().message);
        return *s;
    }

    void parse_definition()
    {
        const std::string context = "define clause";
        const token& nt = next_non_space();
        if (nt.type != tok::string && nt.type != tok::raw_string) unexpected(nt, context);
        auto def = std::make_shared<template_tree>();
        def->name = template_name(nt, context);
        def->parse_name = name_;
        def->source = text_;
        expect(tok::right_delim, context);
        auto saved_vars = std::move(vars_);
        vars_ = {"$"};
        def->root = item_list();
        vars_ = std::move(saved_vars);
        if (stop_ != stop::end) errorf(fmt::format("unexpected {} in {}", end_else_string(), context));
        add(def);
    }

    // Nodes up to {{end}} or {{else}}, which it records in stop_.
    node_ptr item_list()
    {
        auto list = std::make_unique<node>(node_type::list, peek_non_space().pos);
        while (peek_non_space().type != tok::eof) {
            node_ptr n = text_or_action();
            if (!n) return list;
            list->items.push_back(std::move(n));
        }
        errorf("unexpected EOF");
    }

    // nullptr when it read {{end}} or {{else}} (stop_ says which).
    node_ptr text_or_action()
    {
        const token& t = next_non_space();
        switch (t.type) {
        case tok::text: {
            auto n = std::make_unique<node>(node_type::text, t.pos, t.line);
            n->text = t.val;
            return n;
        }
        case tok::left_delim: {
            int saved = action_line_;
            action_line_ = t.line;
            node_ptr n = action();
            action_line_ = saved;
            return n;
        }
        default:
            unexpected(t, "input");
        }
    }

    node_ptr action()
    {
        const token& t = next_non_space();
        switch (t.type) {
        case tok::block:
            return block_control();
        case tok::break_:
        case tok::continue_: {
            bool brk = t.type == tok::break_;
            auto n = std::make_unique<node>(brk ? node_type::break_ : node_type::continue_, t.pos, t.line);
            const token& r = next_non_space();
            if (r.type != tok::right_delim) unexpected(r, brk ? "{{break}}" : "{{continue}}");
            if (range_depth_ == 0)
                errorf(brk ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
            return n;
        }
        case tok::else_: {
            const token& p = peek_non_space();
            stop_ = stop::else_;
            stop_pos_ = p.pos;
            stop_line_ = p.line;
            if (p.type != tok::if_) expect(tok::right_delim, "else");
            return nullptr;
        }
        case tok::end:
            stop_ = stop::end;
            stop_pos_ = expect(tok::right_delim, "end").pos;
            return nullptr;
        case tok::if_:
            return control(node_type::if_, true, "if");
        case tok::range:
            return control(node_type::range, false, "range");
        case tok::with:
            return control(node_type::with, false, "with");
        case tok::template_:
            return template_control();
        default:
            break;
        }
        backup();
        const token& p = peek();
        auto n = std::make_unique<node>(node_type::action, p.pos, p.line);
        n->pipe = pipeline("command", tok::right_delim);
        return n;
    }

    node_ptr control(node_type type, bool allow_else_if, std::string_view context)
    {
        enter();
        guard g{*this};
        std::size_t nvars = vars_.size();
        auto pipe = pipeline(context, tok::right_delim);
        auto n = std::make_unique<node>(type, pipe->pos, pipe->line);
        n->pipe = std::move(pipe);
        if (type == node_type::range) ++range_depth_;
        n->list = item_list();
        if (type == node_type::range) --range_depth_;
        if (stop_ == stop::else_) {
            if (allow_else_if && peek().type == tok::if_) {
                next();
                n->else_list = std::make_unique<node>(node_type::list, stop_pos_, stop_line_);
                n->else_list->items.push_back(control(node_type::if_, true, "if"));
            } else {
                n->else_list = item_list();
                if (stop_ != stop::end) errorf("expected end; found {{else}}");
            }
        }
        vars_.resize(nvars);
        return n;
    }

    node_ptr block_control()
    {
        const std::string context = "block clause";
        const token& t = next_non_space();
        std::string name = template_name(t, context);
        auto n = std::make_unique<node>(node_type::template_, t.pos, t.line);
        n->name = name;
        n->pipe = pipeline(context, tok::right_delim);
        auto def = std::make_shared<template_tree>();
        def->name = name;
        def->parse_name = name_;
        def->source = text_;
        auto saved_vars = std::move(vars_);
        vars_ = {"$"};
        def->root = item_list();
        vars_ = std::move(saved_vars);
        if (stop_ != stop::end) errorf(fmt::format("unexpected {} in {}", end_else_string(), context));
        add(def);
        return n;
    }

    node_ptr template_control()
    {
        const std::string context = "template clause";
        const token& t = next_non_space();
        auto n = std::make_unique<node>(node_type::template_, t.pos, t.line);
        n->name = template_name(t, context);
        if (next_non_space().type != tok::right_delim) {
            backup();
            n->pipe = pipeline(context, tok::right_delim);
        }
        return n;
    }

    node_ptr new_variable(const token& t)
    {
        auto v = std::make_unique<node>(node_type::variable, t.pos, t.line);
        split_idents(t.val, v->idents);
        return v;
    }
    static void split_idents(std::string_view s, std::vector<std::string>& out)
    {
        std::size_t start = 0;
        for (std::size_t i = 0; i <= s.size(); ++i) {
            if (i == s.size() || (s[i] == '.' && i > 0)) {
                out.emplace_back(s.substr(start, i - start));
                start = i + 1;
            }
        }
    }

    node_ptr pipeline(std::string_view context, tok end)
    {
        const token& first = peek_non_space();
        auto pipe = std::make_unique<node>(node_type::pipe, first.pos, first.line);
    decls:
        if (const token& v = peek_non_space(); v.type == tok::variable) {
            std::size_t at_var = i_;
            next_non_space();
            const token& after = peek();
            const token& nx = peek_non_space();
            if (nx.type == tok::assign || nx.type == tok::declare) {
                pipe->is_assign = nx.type == tok::assign;
                next_non_space();
                pipe->decl.push_back(new_variable(toks_[at_var_token(at_var)]));
                vars_.push_back(pipe->decl.back()->idents[0]);
            } else if (nx.type == tok::char_ && nx.val == ",") {
                next_non_space();
                pipe->decl.push_back(new_variable(toks_[at_var_token(at_var)]));
                vars_.push_back(pipe->decl.back()->idents[0]);
                if (context == "range" && pipe->decl.size() < 2) {
                    auto pt = peek_non_space().type;
                    if (pt == tok::variable || pt == tok::right_delim || pt == tok::right_paren) goto decls;
                    errorf("range can only initialize variables");
                }
                errorf(fmt::format("too many declarations in {}", context));
            } else if (after.type == tok::space) {
                i_ = at_var;
            } else {
                i_ = at_var;
            }
        }
        for (;;) {
            const token& t = next_non_space();
            if (t.type == end) {
                check_pipeline(*pipe, context);
                return pipe;
            }
            switch (t.type) {
            case tok::bool_:
            case tok::char_constant:
            case tok::complex:
            case tok::dot:
            case tok::field:
            case tok::identifier:
            case tok::number:
            case tok::nil:
            case tok::raw_string:
            case tok::string:
            case tok::variable:
            case tok::left_paren:
                backup();
                pipe->items.push_back(command());
                break;
            default:
                unexpected(t, context);
            }
        }
    }
    // The index of the variable token at or after `from` (skipping spaces).
    std::size_t at_var_token(std::size_t from) const
    {
        while (from < toks_.size() && toks_[from].type == tok::space)
            ++from;
        return from;
    }

    void check_pipeline(const node& pipe, std::string_view context)
    {
        if (pipe.items.empty()) errorf(fmt::format("missing value for {}", context));
        for (std::size_t i = 1; i < pipe.items.size(); ++i) {
            switch (pipe.items[i]->items[0]->type) {
            case node_type::bool_:
            case node_type::dot:
            case node_type::nil:
            case node_type::number:
            case node_type::string:
                errorf(fmt::format("non executable command in pipeline stage {}", i + 1));
            default:
                break;
            }
        }
    }

    node_ptr command()
    {
        const token& p = peek_non_space();
        auto cmd = std::make_unique<node>(node_type::command, p.pos, p.line);
        for (;;) {
            peek_non_space();
            if (node_ptr op = operand()) cmd->items.push_back(std::move(op));
            const token& t = next();
            if (t.type == tok::space) continue;
            if (t.type == tok::right_delim || t.type == tok::right_paren)
                backup();
            else if (t.type != tok::pipe)
                unexpected(t, "operand");
            break;
        }
        if (cmd->items.empty()) errorf("empty command");
        return cmd;
    }

    node_ptr operand()
    {
        node_ptr n = term();
        if (!n) return n;
        if (peek().type == tok::field) {
            auto chain = std::make_unique<node>(node_type::chain, peek().pos, peek().line);
            while (peek().type == tok::field)
                chain->idents.push_back(next().val.substr(1));
            switch (n->type) {
            case node_type::field:
            case node_type::variable: {
                for (auto& id : chain->idents)
                    n->idents.push_back(id);
                n->pos = chain->pos; // Go re-creates the node at the chain's position
                return n;
            }
            case node_type::bool_:
            case node_type::string:
            case node_type::number:
            case node_type::nil:
            case node_type::dot:
                errorf(fmt::format("unexpected . after term {}", go_quote(node_string(*n))));
            default:
                chain->pipe = std::move(n);
                return chain;
            }
        }
        return n;
    }

    node_ptr term()
    {
        const token& t = next_non_space();
        switch (t.type) {
        case tok::identifier: {
            if (!opts_.has_function(t.val)) errorf(fmt::format("function {} not defined", go_quote(t.val)));
            auto n = std::make_unique<node>(node_type::identifier, t.pos, t.line);
            n->text = t.val;
            return n;
        }
        case tok::dot:
            return std::make_unique<node>(node_type::dot, t.pos, t.line);
        case tok::nil:
            return std::make_unique<node>(node_type::nil, t.pos, t.line);
        case tok::variable: {
            auto v = new_variable(t);
            bool known = false;
            for (auto& name : vars_)
                known = known || name == v->idents[0];
            if (!known) errorf(fmt::format("undefined variable {}", go_quote(v->idents[0])));
            return v;
        }
        case tok::field: {
            auto n = std::make_unique<node>(node_type::field, t.pos, t.line);
            split_idents(std::string_view(t.val).substr(1), n->idents);
            return n;
        }
        case tok::bool_: {
            auto n = std::make_unique<node>(node_type::bool_, t.pos, t.line);
            n->bval = t.val == "true";
            return n;
        }
        case tok::char_constant:
        case tok::complex:
        case tok::number:
            return number(t);
        case tok::left_paren: {
            enter();
            guard g{*this};
            return pipeline("parenthesized pipeline", tok::right_paren);
        }
        case tok::string:
        case tok::raw_string: {
            auto s = go_unquote(t.val);
            if (!s) errorf(s.err().message);
            auto n = std::make_unique<node>(node_type::string, t.pos, t.line);
            n->text = t.val;
            n->name = *s;
            return n;
        }
        default:
            backup();
            return nullptr;
        }
    }

    node_ptr number(const token& t)
    {
        auto n = std::make_unique<node>(node_type::number, t.pos, t.line);
        n->text = t.val;
        auto num = parse_number(t.type == tok::char_constant, t.val);
        if (!num) errorf(num.err().message);
        n->num = *num;
        return n;
    }
};

} // namespace

result<std::vector<std::shared_ptr<template_tree>>>
parse_template(std::string_view name, std::string_view text, const parse_options& opts)
{
    try {
        return parser(name, std::make_shared<const std::string>(text), opts).run();
    } catch (parse_failure& f) {
        return terminal_error(std::move(f.message), "TemplateParseError");
    }
}

} // namespace weir::gotemplate::detail
