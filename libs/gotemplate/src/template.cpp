#include "exec.hpp"
#include "parser.hpp"

#include <weir/gotemplate/template.hpp>

namespace weir::gotemplate {

void function_table::add(std::string name, function f)
{
    map_.insert_or_assign(std::move(name), std::move(f));
}

const function* function_table::find(std::string_view name) const
{
    auto it = map_.find(std::string(name));
    return it == map_.end() ? nullptr : &it->second;
}

struct template_set::impl {
    detail::set_data data;
};

template_set::template_set(function_table functions, options opts)
    : impl_(std::make_unique<impl>(impl{{std::move(functions), {}}})), opts_(opts)
{
}
template_set::~template_set() = default;
template_set::template_set(template_set&&) noexcept = default;
template_set& template_set::operator=(template_set&&) noexcept = default;

const function_table& template_set::functions() const
{
    return impl_->data.functions;
}
function_table& template_set::mutable_functions()
{
    return impl_->data.functions;
}

status template_set::parse(std::string_view name, std::string_view text)
{
    detail::parse_options po{
        .has_function = [this](std::string_view n) { return impl_->data.functions.find(n) != nullptr; },
        .max_depth = opts_.max_depth};
    WEIR_TRY_ASSIGN(auto trees, detail::parse_template(name, text, po));
    for (auto& t : trees) {
        // Go keeps an existing template rather than replace it with an empty one.
        auto it = impl_->data.trees.find(t->name);
        if (it != impl_->data.trees.end() && detail::is_empty_tree(t->root.get())) continue;
        impl_->data.trees.insert_or_assign(t->name, t);
    }
    return ok();
}

bool template_set::has(std::string_view name) const
{
    return impl_->data.trees.find(name) != impl_->data.trees.end();
}

status template_set::execute_into(std::string& out, std::string_view name, const go_value& data) const
{
    // reflect.ValueOf(nil) is the invalid value: a nil root prints "<no value>".
    return detail::execute_tree(impl_->data, opts_, out, name, data.is_nil() ? go_value{} : data, 0);
}

result<std::string> template_set::execute(std::string_view name, const go_value& data) const
{
    std::string out;
    WEIR_TRY(execute_into(out, name, data));
    return out;
}

result<std::string> render(std::string_view text, const weir::value& data, options opts)
{
    static const function_table sprig = function_table::with_sprig();
    template_set set(sprig, opts);
    WEIR_TRY(set.parse("render-template", text));
    return set.execute("render-template", go_value::from(data));
}

} // namespace weir::gotemplate
