// weir::error and weir::result<T>: the one error convention of the whole tree.
//
// Expected failures (bad user input, network, HTTP 4xx/5xx, Git auth) are values: a function that
// can fail returns result<T>. Each error says whether retrying can help:
//   - transient: retry with backoff (network down, 5xx, 409 conflict, lock held);
//   - terminal:  the input is wrong and retrying cannot help until it changes (Stalled).
// `reason` is a short CamelCase word for status conditions ("BuildFailed", "NotFound"),
// `code` carries a module detail such as an HTTP status. Exceptions are for bugs and start-up only;
// third-party throwers are caught at the adapter that calls them.
//
//   result<int> parse_port(std::string_view s);
//   WEIR_TRY_ASSIGN(auto port, parse_port(text));   // returns the error to the caller
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace weir {

enum class error_kind : std::uint8_t { transient, terminal };

struct error {
    std::string message;
    error_kind kind = error_kind::transient;
    std::string reason;
    int code = 0;

    bool terminal() const { return kind == error_kind::terminal; }
    // The same error with "context: " in front of its message.
    error wrap(std::string_view context) const&;
    error wrap(std::string_view context) &&;
};

error transient_error(std::string message, std::string reason = {});
error terminal_error(std::string message, std::string reason = {});

// Thrown only by result<T>::value() on an error: a bug in the caller, never a control path.
struct bad_result_access : std::exception {
    std::string what_;
    explicit bad_result_access(std::string w) : what_(std::move(w)) {}
    const char* what() const noexcept override { return what_.c_str(); }
};

template <class T>
class [[nodiscard]] result {
public:
    result(T v) : v_(std::in_place_index<0>, std::move(v)) {}
    result(error e) : v_(std::in_place_index<1>, std::move(e)) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, error> &&
                 !std::is_same_v<std::decay_t<U>, result>)
    result(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u)))
    {
    }

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() &
    {
        check();
        return std::get<0>(v_);
    }
    const T& value() const&
    {
        check();
        return std::get<0>(v_);
    }
    T&& value() &&
    {
        check();
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const error& err() const& { return std::get<1>(v_); }
    error&& err() && { return std::get<1>(std::move(v_)); }

private:
    void check() const
    {
        if (v_.index() != 0) throw bad_result_access(std::get<1>(v_).message);
    }
    std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(error e) : e_(std::move(e)), ok_(false) {}
    bool has_value() const { return ok_; }
    explicit operator bool() const { return ok_; }
    void value() const
    {
        if (!ok_) throw bad_result_access(e_.message);
    }
    const error& err() const& { return e_; }
    error&& err() && { return std::move(e_); }

private:
    error e_;
    bool ok_ = true;
};

using status = result<void>;
inline status ok() { return {}; }

} // namespace weir

#define WEIR_CONCAT_INNER(a, b) a##b
#define WEIR_CONCAT(a, b) WEIR_CONCAT_INNER(a, b)

// Evaluates a result-returning expression; on error returns that error from the calling function.
#define WEIR_TRY(expr)                                                                                  \
    do {                                                                                                \
        auto&& weir_try_r_ = (expr);                                                                    \
        if (!weir_try_r_) return std::move(weir_try_r_).err();                                          \
    } while (0)

// Like WEIR_TRY, and on success moves the value into `lhs` (a declaration or an lvalue).
#define WEIR_TRY_ASSIGN(lhs, expr) WEIR_TRY_ASSIGN_IMPL(WEIR_CONCAT(weir_try_, __LINE__), lhs, expr)
#define WEIR_TRY_ASSIGN_IMPL(tmp, lhs, expr)                                                            \
    auto tmp = (expr);                                                                                  \
    if (!tmp) return std::move(tmp).err();                                                              \
    lhs = std::move(tmp).value()
