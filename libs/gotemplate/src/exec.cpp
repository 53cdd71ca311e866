// Errors unwind with a private exception, as Go's executor panics and recovers; execute_tree
// turns them into weir::error. Break and continue travel as return codes of walk().
#include "exec.hpp"

#include "gofmt.hpp"
#include "parser.hpp"
#include "strconv.hpp"

#include <fmt/format.h>

#include <optional>

namespace weir::gotemplate::detail {
namespace {

struct exec_failure {
    std::string message;
};

enum class flow : std::uint8_t { normal, brk, cont };

std::string param_type_name(param p)
{
    switch (p) {
    case param::any:
        return "interface {}";
    case param::raw:
        return "reflect.Value";
    case param::string_:
        return "string";
    case param::int_:
        return "int";
    case param::int64_:
        return "int64";
    case param::float64_:
        return "float64";
    case param::bool_:
        return "bool";
    case param::list_any:
        return "[]interface {}";
    case param::list_string:
        return "[]string";
    case param::map_any:
        return "map[string]interface {}";
    }
    return "?";
}

bool can_be_nil(param p)
{
    return p == param::any || p == param::list_any || p == param::list_string || p == param::map_any;
}

bool assignable(const go_value& v, param p)
{
    switch (p) {
    case param::any:
    case param::raw:
        return true;
    case param::string_:
        return v.type() == go_type::string_;
    case param::int_:
        return v.type() == go_type::int_;
    case param::int64_:
        return v.type() == go_type::int64_;
    case param::float64_:
        return v.type() == go_type::float64_;
    case param::bool_:
        return v.type() == go_type::bool_;
    case param::list_any:
        return v.type() == go_type::list_any;
    case param::list_string:
        return v.type() == go_type::list_string;
    case param::map_any:
        return v.type() == go_type::map_any;
    }
    return false;
}

class executor final : public call_context {
public:
    executor(const set_data& set, const options& opts, std::string& out, std::size_t depth)
        : set_(set), opts_(opts), out_(out), depth_(depth)
    {
    }

    void run(const template_tree& t, const go_value& data)
    {
        tmpl_ = &t;
        vars_.push_back({"$", data});
        walk(data, *t.root);
    }

    result<std::string> execute_template(std::string_view name, const go_value& data) override
    {
        std::string out;
        WEIR_TRY(execute_tree(set_, opts_, out, name, data, depth_ + 1));
        return out;
    }
    result<std::string> render_text(std::string_view name, std::string_view text,
                                    const go_value& data) override
    {
        parse_options po{
            .has_function = [this](std::string_view n) { return set_.find_function(n) != nullptr; },
            .max_depth = opts_.max_depth};
        WEIR_TRY_ASSIGN(auto trees, parse_template(name, text, po));
        set_data local{{}, {}, &set_};
        for (auto& t : trees) {
            if (set_.find_tree(t->name) && is_empty_tree(t->root.get()) && t != trees.front()) continue;
            local.trees.insert_or_assign(t->name, t);
        }
        std::string out;
        WEIR_TRY(execute_tree(local, opts_, out, name, data, depth_ + 1));
        return out;
    }
    const options& opts() const override { return opts_; }

private:
    struct variable {
        std::string name;
        go_value value;
    };
    const set_data& set_;
    const options& opts_;
    std::string& out_;
    std::size_t depth_;
    const template_tree* tmpl_ = nullptr;
    const node* at_ = nullptr;
    std::vector<variable> vars_;

    [[noreturn]] void errorf(const std::string& msg)
    {
        if (!at_) throw exec_failure{fmt::format("template: {}: {}", tmpl_->name, msg)};
        const std::string& text = *tmpl_->source;
        std::size_t pos = std::min(at_->pos, text.size());
        auto nl = text.rfind('\n', pos == 0 ? std::string::npos : pos - 1);
        if (pos == 0) nl = std::string::npos;
        std::size_t col = nl == std::string::npos ? pos : pos - (nl + 1);
        int line = 1;
        for (std::size_t i = 0; i < pos; ++i)
            line += text[i] == '\n';
        std::string ctx = node_string(*at_);
        throw exec_failure{fmt::format("template: {}:{}:{}: executing {} at <{}>: {}", tmpl_->parse_name,
                                       line, col, go_quote(tmpl_->name), ctx, msg)};
    }

    void write(std::string_view s)
    {
        if (out_.size() + s.size() > opts_.max_output)
            errorf(fmt::format("output exceeds the limit of {} bytes: render less or raise the limit",
                               opts_.max_output));
        out_ += s;
    }

    flow walk(const go_value& dot, const node& n)
    {
        at_ = &n;
        switch (n.type) {
        case node_type::list:
            for (auto& i : n.items)
                if (flow f = walk(dot, *i); f != flow::normal) return f;
            return flow::normal;
        case node_type::text:
            write(n.text);
            return flow::normal;
        case node_type::action: {
            std::size_t mark = vars_.size();
            go_value v = eval_pipeline(dot, n.pipe.get());
            if (n.pipe->decl.empty()) {
                at_ = &n;
                if (v.is_missing())
                    write("<no value>");
                else
                    write(to_display(v));
            } else {
                (void)mark; // declarations persist to the end of the enclosing block
            }
            return flow::normal;
        }
        case node_type::if_:
        case node_type::with:
            return walk_if_with(dot, n);
        case node_type::range:
            return walk_range(dot, n);
        case node_type::template_:
            walk_template(dot, n);
            return flow::normal;
        case node_type::break_:
            return flow::brk;
        case node_type::continue_:
            return flow::cont;
        default:
            errorf("unknown node: " + node_string(n));
        }
    }

    flow walk_if_with(const go_value& dot, const node& n)
    {
        std::size_t mark = vars_.size();
        go_value v = eval_pipeline(dot, n.pipe.get());
        flow f = flow::normal;
        if (go_truth(v))
            f = walk(n.type == node_type::with ? v : dot, *n.list);
        else if (n.else_list)
            f = walk(dot, *n.else_list);
        vars_.resize(mark);
        return f;
    }

    flow walk_range(const go_value& dot, const node& n)
    {
        at_ = &n;
        std::size_t outer = vars_.size();
        go_value v = eval_pipeline(dot, n.pipe.get());
        std::size_t mark = vars_.size();
        auto iteration = [&](const go_value& index, const go_value& elem) -> bool {
            if (!n.pipe->decl.empty()) vars_[mark - 1].value = elem;
            if (n.pipe->decl.size() > 1) vars_[mark - 2].value = index;
            flow f = walk(elem, *n.list);
            vars_.resize(mark);
            return f != flow::brk;
        };
        bool iterated = false;
        if (v.is_list()) {
            // Keep the list alive even if the body reassigns the variable that held it.
            go_value hold = v;
            const auto& l = hold.as_list();
            for (std::size_t i = 0; i < l.size(); ++i) {
                iterated = true;
                go_value elem = l[i];
                elem.set_boxed(hold.type() == go_type::list_any);
                if (!iteration(go_value::of_int(static_cast<std::int64_t>(i)), elem)) break;
            }
        } else if (v.is_map()) {
            // Go ranges over a sorted snapshot, so the body may set or unset keys of this map.
            std::vector<std::pair<std::string, go_value>> snapshot(v.as_map().begin(), v.as_map().end());
            const go_map* keys = v.methods() ? v.methods()->range_keys.get() : nullptr;
            for (auto& [k, e] : snapshot) {
                iterated = true;
                go_value elem = e;
                elem.set_boxed(v.type() == go_type::map_any);
                auto key = keys ? keys->find(k) : go_map::const_iterator{};
                if (!iteration(keys && key != keys->end() ? key->second : go_value::of_string(k), elem)) break;
            }
        } else if (!v.is_missing() && !v.is_nil()) {
            errorf("range can't iterate over " + to_display(v));
        }
        if (!iterated && n.else_list) walk(dot, *n.else_list);
        vars_.resize(outer);
        return flow::normal;
    }

    void walk_template(const go_value& dot, const node& n)
    {
        at_ = &n;
        const template_tree* tree = set_.find_tree(n.name);
        if (!tree) errorf(fmt::format("template {} not defined", go_quote(n.name)));
        if (depth_ + 1 >= opts_.max_depth)
            errorf(fmt::format("exceeded maximum template depth ({})", opts_.max_depth));
        go_value d = n.pipe ? eval_pipeline(dot, n.pipe.get()) : go_value{};
        executor inner(set_, opts_, out_, depth_ + 1);
        inner.run(*tree, d);
    }

    go_value eval_pipeline(const go_value& dot, const node* pipe)
    {
        if (!pipe) return {};
        at_ = pipe;
        std::optional<go_value> value;
        for (auto& cmd : pipe->items) {
            go_value v = eval_command(dot, *cmd, value ? &*value : nullptr);
            // Go digs one level into interface{}: a nil interface becomes the invalid value.
            if (v.is_nil()) v = go_value{};
            v.set_boxed(false);
            value = std::move(v);
        }
        for (auto& d : pipe->decl) {
            if (pipe->is_assign)
                set_var(d->idents[0], *value);
            else
                vars_.push_back({d->idents[0], *value});
        }
        return value ? std::move(*value) : go_value{};
    }

    void set_var(const std::string& name, const go_value& v)
    {
        for (auto i = vars_.size(); i-- > 0;)
            if (vars_[i].name == name) {
                vars_[i].value = v;
                return;
            }
        errorf("undefined variable: " + name);
    }
    const go_value& var_value(const std::string& name)
    {
        for (auto i = vars_.size(); i-- > 0;)
            if (vars_[i].name == name) return vars_[i].value;
        errorf("undefined variable: " + name);
    }

    void not_a_function(const node& cmd, const go_value* final)
    {
        if (cmd.items.size() > 1 || final)
            errorf("can't give argument to non-function " + node_string(*cmd.items[0]));
    }

    go_value eval_command(const go_value& dot, const node& cmd, const go_value* final)
    {
        const node& first = *cmd.items[0];
        switch (first.type) {
        case node_type::field:
            at_ = &first;
            return eval_field_chain(dot, dot, first, first.idents, 0, &cmd, final);
        case node_type::chain:
            return eval_chain(dot, first, &cmd, final);
        case node_type::identifier:
            return eval_function(dot, first, &cmd, final);
        case node_type::pipe:
            not_a_function(cmd, final);
            return eval_pipeline(dot, &first);
        case node_type::variable:
            return eval_variable(dot, first, &cmd, final);
        default:
            break;
        }
        at_ = &first;
        not_a_function(cmd, final);
        switch (first.type) {
        case node_type::bool_:
            return go_value::of_bool(first.bval);
        case node_type::dot:
            return dot;
        case node_type::nil:
            errorf("nil is not a command");
        case node_type::number:
            return ideal_constant(first);
        case node_type::string:
            return go_value::of_string(first.name);
        default:
            errorf("can't evaluate command " + go_quote(node_string(first)));
        }
    }

    go_value ideal_constant(const node& c)
    {
        at_ = &c;
        const auto& x = c.num;
        bool hex_int = c.text.size() > 2 && c.text[0] == '0' && (c.text[1] | 0x20) == 'x' &&
                       c.text.find_first_of("pP") == std::string::npos;
        bool rune_int = !c.text.empty() && c.text[0] == '\'';
        if (x.is_float && !hex_int && !rune_int && c.text.find_first_of(".eEpP") != std::string::npos)
            return go_value::of_float(x.f);
        if (x.is_int) return go_value::of_int(x.i);
        if (x.is_uint) errorf(c.text + " overflows int");
        return {};
    }

    go_value eval_chain(const go_value& dot, const node& chain, const node* cmd, const go_value* final)
    {
        at_ = &chain;
        if (chain.pipe->type == node_type::nil)
            errorf("indirection through explicit nil in " + node_string(chain));
        go_value recv = eval_arg_untyped(dot, *chain.pipe);
        return eval_field_chain(dot, recv, chain, chain.idents, 0, cmd, final);
    }

    go_value eval_variable(const go_value& dot, const node& v, const node* cmd, const go_value* final)
    {
        at_ = &v;
        const go_value& value = var_value(v.idents[0]);
        if (v.idents.size() == 1) {
            if (cmd) not_a_function(*cmd, final);
            return value;
        }
        return eval_field_chain(dot, value, v, v.idents, 1, cmd, final);
    }

    go_value eval_field_chain(const go_value& dot, go_value recv, const node& n,
                              const std::vector<std::string>& ids, std::size_t from, const node* cmd,
                              const go_value* final)
    {
        for (std::size_t i = from; i + 1 < ids.size(); ++i) {
            if (const function* m = method_of(recv, ids[i])) {
                recv = eval_call(dot, *m, ids[i], n, 0, nullptr);
                continue;
            }
            recv = eval_field(ids[i], n, false, recv);
        }
        if (const function* m = method_of(recv, ids.back()))
            return cmd ? eval_call(dot, *m, ids.back(), *cmd, 1, final) : eval_call(dot, *m, ids.back(), n, 0, final);
        bool has_args = (cmd && cmd->items.size() > 1) || final;
        return eval_field(ids.back(), n, has_args, recv);
    }

    // Methods bound to a value (Helm's .Files.Get, .Capabilities.APIVersions.Has) come before
    // map keys, as Go's evalField looks up methods first.
    static const function* method_of(const go_value& recv, const std::string& name)
    {
        const method_set* ms = recv.methods();
        return ms ? ms->methods.find(name) : nullptr;
    }

    // Like Go's evalField, leaves the error position where the evaluation last moved it.
    go_value eval_field(const std::string& name, const node& n, bool has_args, const go_value& recv)
    {
        (void)n;
        if (recv.is_missing()) {
            if (opts_.missing == missing_key::error)
                errorf(fmt::format("nil data; no entry for key {}", go_quote(name)));
            return {};
        }
        if (recv.is_nil()) errorf(fmt::format("nil pointer evaluating interface {{}}.{}", name));
        if (recv.is_map()) {
            if (has_args) errorf(name + " is not a method but has arguments");
            if (const go_value* v = recv.map_find(name))
                return go_value(*v).set_boxed(recv.type() == go_type::map_any);
            switch (opts_.missing) {
            case missing_key::invalid:
                return {};
            case missing_key::zero:
                return recv.type() == go_type::map_string ? go_value::of_string("") : go_value::nil();
            case missing_key::error:
                errorf(fmt::format("map has no entry for key {}", go_quote(name)));
            }
        }
        errorf(fmt::format("can't evaluate field {} in type {}", name, recv.static_type_name()));
    }

    go_value eval_function(const go_value& dot, const node& ident, const node* cmd, const go_value* final)
    {
        at_ = &ident;
        const function* f = set_.find_function(ident.text);
        if (!f) errorf(fmt::format("{} is not a defined function", go_quote(ident.text)));
        return eval_call(dot, *f, ident.text, cmd ? *cmd : ident, cmd ? 1 : 0, final);
    }

    go_value eval_call(const go_value& dot, const function& f, const std::string& name, const node& cmd,
                       std::size_t first_arg, const go_value* final)
    {
        std::size_t nargs = cmd.type == node_type::command ? cmd.items.size() - first_arg : 0;
        std::size_t num_in = nargs + (final ? 1 : 0);
        std::size_t num_fixed = f.variadic ? f.params.size() - 1 : f.params.size();
        if (f.variadic) {
            if (num_in < num_fixed)
                errorf(fmt::format("wrong number of args for {}: want at least {} got {}", name, num_fixed,
                                   num_in));
        } else if (num_in != f.params.size()) {
            errorf(fmt::format("wrong number of args for {}: want {} got {}", name, f.params.size(), num_in));
        }
        auto arg_node = [&](std::size_t i) -> const node& { return *cmd.items[first_arg + i]; };
        if (f.short_circuit) {
            bool is_or = name == "or";
            go_value v;
            for (std::size_t i = 0; i < nargs; ++i) {
                v = eval_arg(dot, param::raw, arg_node(i));
                if (go_truth(v) == is_or) return v;
            }
            if (final) v = *final;
            return v;
        }
        std::vector<go_value> argv;
        argv.reserve(num_in);
        for (std::size_t i = 0; i < nargs; ++i)
            argv.push_back(eval_arg(dot, i < num_fixed ? f.params[i] : f.params.back(), arg_node(i)));
        if (final) {
            param p = f.params.back();
            if (f.variadic && num_in - 1 < num_fixed) p = f.params[num_in - 1];
            argv.push_back(validate(*final, p));
        }
        auto r = f.body(*this, argv);
        if (!r) {
            at_ = &cmd;
            errorf(fmt::format("error calling {}: {}", name, r.err().message));
        }
        return std::move(*r);
    }

    go_value validate(const go_value& v, param p)
    {
        if (v.is_missing()) {
            if (p == param::raw) return v;
            if (can_be_nil(p)) return go_value::nil();
            errorf("invalid value; expected " + param_type_name(p));
        }
        if (!assignable(v, p)) {
            // A nil read from a map or list is a nil interface{}: assignable only to interface{}.
            errorf(fmt::format("wrong type for value; expected {}; got {}", param_type_name(p),
                               v.is_nil() ? "interface {}" : v.type_name()));
        }
        return v;
    }

    go_value eval_arg_untyped(const go_value& dot, const node& n)
    {
        at_ = &n;
        switch (n.type) {
        case node_type::dot:
            return dot;
        case node_type::field:
            return eval_field_chain(dot, dot, n, n.idents, 0, nullptr, nullptr);
        case node_type::variable:
            return eval_variable(dot, n, nullptr, nullptr);
        case node_type::pipe:
            return eval_pipeline(dot, &n);
        case node_type::identifier:
            return eval_function(dot, n, nullptr, nullptr);
        case node_type::chain:
            return eval_chain(dot, n, nullptr, nullptr);
        case node_type::bool_:
            return go_value::of_bool(n.bval);
        case node_type::number:
            return ideal_constant(n);
        case node_type::string:
            return go_value::of_string(n.name);
        case node_type::nil:
            errorf("evalEmptyInterface: nil (can't happen)");
        default:
            errorf("can't handle " + node_string(n) + " for arg of type interface {}");
        }
    }

    go_value eval_arg(const go_value& dot, param p, const node& n)
    {
        at_ = &n;
        switch (n.type) {
        case node_type::dot:
            return validate(dot, p);
        case node_type::nil:
            if (p == param::raw) return {}; // reflect.Zero(reflect.Value): the invalid value
            if (can_be_nil(p)) return go_value::nil();
            errorf("cannot assign nil to " + param_type_name(p));
        case node_type::field:
        case node_type::variable:
        case node_type::pipe:
        case node_type::identifier:
        case node_type::chain: {
            // Go reports a wrong type at the node it evaluated last, often inside the argument.
            return validate(eval_arg_untyped(dot, n), p);
        }
        default:
            break;
        }
        switch (p) {
        case param::bool_:
            if (n.type == node_type::bool_) return go_value::of_bool(n.bval);
            errorf("expected bool; found " + node_string(n));
        case param::string_:
            if (n.type == node_type::string) return go_value::of_string(n.name);
            errorf("expected string; found " + node_string(n));
        case param::int_:
        case param::int64_:
            if (n.type == node_type::number && n.num.is_int)
                return p == param::int_ ? go_value::of_int(n.num.i) : go_value::of_int64(n.num.i);
            errorf("expected integer; found " + node_string(n));
        case param::float64_:
            if (n.type == node_type::number && n.num.is_float) return go_value::of_float(n.num.f);
            errorf("expected float; found " + node_string(n));
        case param::any:
        case param::raw:
            return eval_arg_untyped(dot, n);
        default:
            errorf("can't handle " + node_string(n) + " for arg of type " + param_type_name(p));
        }
    }
};

} // namespace

status execute_tree(const set_data& set, const options& opts, std::string& out, std::string_view name,
                    const go_value& data, std::size_t depth)
{
    const template_tree* tree = set.find_tree(name);
    if (!tree)
        return terminal_error(
            fmt::format("template: no template {} associated with the template set", go_quote(name)),
            "TemplateNotFound");
    if (depth >= opts.max_depth)
        return terminal_error(
            fmt::format("template: {}: exceeded maximum template depth ({})", name, opts.max_depth),
            "TemplateRenderError");
    try {
        executor e(set, opts, out, depth);
        e.run(*tree, data);
    } catch (exec_failure& f) {
        return terminal_error(std::move(f.message), "TemplateRenderError");
    }
    return ok();
}

} // namespace weir::gotemplate::detail
