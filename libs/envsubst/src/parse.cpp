// The grammar follows fluxcd/pkg envsubst/parse exactly (including its quirks: each function
// argument is one text run or one nested expression; defaults cannot contain "}"), because a
// template that Flux accepts must expand the same way here and one it rejects must be rejected.
#include "parse.hpp"

#include <fmt/format.h>

namespace weir::envsubst::detail {
namespace {

enum class failure { bad_substitution, missing_brace, variable_name, func_argument };

const char* describe(failure f)
{
    switch (f) {
    case failure::bad_substitution: return "bad substitution";
    case failure::missing_brace: return "missing closing brace";
    case failure::variable_name: return "unable to parse variable name";
    case failure::func_argument: return "unable to parse substitution within function";
    }
    return "bad substitution";
}

bool ident_char(char c)
{
    auto u = static_cast<unsigned char>(c);
    // Bytes of multi-byte UTF-8 sequences count as letters, approximating Go's unicode.IsLetter.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || u >= 0x80;
}

class parser {
public:
    explicit parser(std::string_view in) : in_(in) {}

    result<std::vector<node>> run()
    {
        std::vector<node> out;
        std::string text;
        while (pos_ < in_.size()) {
            char c = in_[pos_];
            if (c == '$' && at("${")) {
                if (!text.empty()) out.push_back(node{.text = std::move(text)});
                text.clear();
                std::size_t start = pos_;
                pos_ += 2;
                node n;
                if (!expression(n, start)) return fail();
                out.push_back(std::move(n));
                continue;
            }
            if (c == '$' && at("$$")) {
                text += '$';
                pos_ += 2;
                continue;
            }
            text += c;
            ++pos_;
        }
        if (!text.empty()) out.push_back(node{.text = std::move(text)});
        return out;
    }

private:
    bool at(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
    char peek(std::size_t ahead = 0) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }
    bool eof() const { return pos_ >= in_.size(); }

    bool set_error(failure f)
    {
        if (!failed_) {
            failed_ = true;
            failure_ = f;
            error_pos_ = pos_;
        }
        return false;
    }

    error fail() const
    {
        return terminal_error(fmt::format("{} at {} (expression starting at {}): {}", describe(failure_),
                                          location(in_, error_pos_), location(in_, expr_start_), hint()),
                              "BuildFailed");
    }

    const char* hint() const
    {
        switch (failure_) {
        case failure::missing_brace:
            return "close the expression with \"}\", or write $${ for a literal ${";
        case failure::variable_name:
            return "a variable name must follow ${ (letters, digits and _), or write $${ for a literal ${";
        default:
            return "check the ${...} syntax (supported: ${var}, ${var:=default}, ${var:-default}, "
                   "${var:pos:len}, ${var/old/new}), or write $${ for a literal ${";
        }
    }

    bool consume_rbrace()
    {
        if (peek() != '}') return set_error(failure::bad_substitution);
        ++pos_;
        return true;
    }

    // After "${". `start` is the offset of the "$".
    bool expression(node& n, std::size_t start)
    {
        if (depth_ == 0) expr_start_ = start;
        if (++depth_ > 64) return set_error(failure::bad_substitution);
        n.is_expr = true;
        n.offset = start;
        bool ok = expression_body(n);
        --depth_;
        return ok;
    }

    bool expression_body(node& n)
    {
        if (peek() == '#') {
            ++pos_;
            n.op = "#";
            if (!name(n)) return set_error(failure::bad_substitution);
            return consume_rbrace();
        }
        if (!name(n)) return set_error(failure::variable_name);
        switch (peek()) {
        case ':':
            if (std::string_view("=-?+").find(peek(1)) != std::string_view::npos && peek(1) != '\0')
                return default_func(n);
            return substr_func(n);
        case '=': return default_func(n);
        case ',':
        case '^': return casing_func(n);
        case '/': return replace_func(n);
        case '#':
        case '%': return remove_func(n);
        case '}': ++pos_; return true;
        default: return set_error(failure::missing_brace);
        }
    }

    bool name(node& n)
    {
        std::size_t b = pos_;
        while (!eof() && ident_char(in_[pos_])) ++pos_;
        n.param.assign(in_.substr(b, pos_ - b));
        return pos_ > b;
    }

    // One argument: a nested expression, or a text run that ends before a stop character, "${" or
    // the end. With `escapes`, $$ gives $, \/ gives / and \\ gives \.
    bool param(node& out, std::string_view stops, bool escapes)
    {
        if (at("${")) {
            std::size_t start = pos_;
            pos_ += 2;
            return expression(out, start);
        }
        std::string text;
        bool first = true;
        while (!eof() && !at("${")) {
            if (escapes && (at("$$") || at("\\/") || at("\\\\"))) {
                text += in_[pos_ + 1];
                pos_ += 2;
                first = false;
                continue;
            }
            if (stops.find(in_[pos_]) != std::string_view::npos) break;
            text += in_[pos_++];
            first = false;
        }
        if (first) return set_error(failure::func_argument);
        out = node{.text = std::move(text)};
        return true;
    }

    bool default_func(node& n)
    {
        if (peek() == '=') {
            n.op = "=";
            ++pos_;
        } else {
            n.op.assign(in_.substr(pos_, 2));
            pos_ += 2;
        }
        for (;;) {
            if (peek() == '}') return consume_rbrace();
            node arg;
            if (!param(arg, "}", false)) return false;
            n.args.push_back(std::move(arg));
        }
    }

    bool substr_func(node& n)
    {
        n.op = ":";
        ++pos_;
        node first;
        if (!param(first, ":}", false)) return false;
        n.args.push_back(std::move(first));
        if (peek() == '}') return consume_rbrace();
        if (peek() != ':') return set_error(failure::bad_substitution);
        ++pos_;
        node second;
        if (!param(second, "}", false)) return false;
        n.args.push_back(std::move(second));
        return consume_rbrace();
    }

    bool casing_func(node& n)
    {
        while (n.op.size() < 2 && (peek() == ',' || peek() == '^')) n.op += in_[pos_++];
        return consume_rbrace();
    }

    bool remove_func(node& n)
    {
        char c = peek();
        while (n.op.size() < 2 && peek() == c) n.op += in_[pos_++];
        node arg;
        if (!param(arg, "}", false)) return false;
        n.args.push_back(std::move(arg));
        return consume_rbrace();
    }

    bool replace_func(node& n)
    {
        n.op = "/";
        ++pos_;
        if (peek() == '/' || peek() == '#' || peek() == '%') n.op += in_[pos_++];
        node pattern;
        if (peek() == '/') {
            pattern = node{};
        } else if (!param(pattern, "/", true)) {
            return false;
        }
        n.args.push_back(std::move(pattern));
        if (peek() != '/') return set_error(failure::bad_substitution);
        ++pos_;
        if (peek() == '}') return consume_rbrace();
        node replacement;
        if (!param(replacement, "}", true)) return false;
        n.args.push_back(std::move(replacement));
        return consume_rbrace();
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    std::size_t expr_start_ = 0;
    bool failed_ = false;
    failure failure_ = failure::bad_substitution;
    std::size_t error_pos_ = 0;
};

} // namespace

std::string location(std::string_view input, std::size_t offset)
{
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < offset && i < input.size(); ++i) {
        if (input[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return fmt::format("line {} column {}", line, col);
}

result<std::vector<node>> parse(std::string_view input) { return parser(input).run(); }

} // namespace weir::envsubst::detail
