#include <weir/core/result.hpp>

namespace weir {

error error::wrap(std::string_view context) const&
{
    error e = *this;
    return std::move(e).wrap(context);
}

error error::wrap(std::string_view context) &&
{
    std::string m;
    m.reserve(context.size() + 2 + message.size());
    m.append(context).append(": ").append(message);
    message = std::move(m);
    return std::move(*this);
}

error transient_error(std::string message, std::string reason)
{
    return error{std::move(message), error_kind::transient, std::move(reason), 0};
}

error terminal_error(std::string message, std::string reason)
{
    return error{std::move(message), error_kind::terminal, std::move(reason), 0};
}

} // namespace weir
