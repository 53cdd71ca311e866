// Lexer and recursive-descent parser: CEL source to the AST of ast.hpp.
#include "ast.hpp"

#include <cctype>
#include <charconv>
#include <string>

namespace weir::cel {
namespace {

using node_ptr = std::unique_ptr<node>;

struct syntax_error {
    int col;
    std::string message;
};

class parser {
public:
    explicit parser(std::string_view src) : s_(src) {}

    node_ptr parse()
    {
        auto n = expr();
        skip_ws();
        if (pos_ < s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "' after the expression");
        return n;
    }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
    int depth_ = 0;

    [[noreturn]] void fail(std::string msg) const
    {
        throw syntax_error{static_cast<int>(pos_) + 1, std::move(msg)};
    }
    int col() const { return static_cast<int>(pos_) + 1; }

    void skip_ws()
    {
        while (pos_ < s_.size()) {
            if (std::isspace(static_cast<unsigned char>(s_[pos_])))
                ++pos_;
            else if (s_.substr(pos_, 2) == "//") {
                while (pos_ < s_.size() && s_[pos_] != '\n')
                    ++pos_;
            } else
                break;
        }
    }
    // Consumes `tok` when it comes next (an operator must not be the prefix of a longer one).
    bool eat(std::string_view tok)
    {
        skip_ws();
        if (s_.substr(pos_, tok.size()) != tok) return false;
        if (tok.size() == 1 && pos_ + 1 < s_.size()) {
            char n = s_[pos_ + 1];
            if ((tok == "<" || tok == ">" || tok == "!" || tok == "=") && n == '=') return false;
            if ((tok == "&" && n == '&') || (tok == "|" && n == '|')) return false;
        }
        pos_ += tok.size();
        return true;
    }
    void expect(std::string_view tok)
    {
        if (!eat(tok)) fail("expected '" + std::string(tok) + "'");
    }
    bool eat_keyword(std::string_view kw)
    {
        skip_ws();
        if (s_.substr(pos_, kw.size()) != kw) return false;
        std::size_t e = pos_ + kw.size();
        if (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) return false;
        pos_ = e;
        return true;
    }

    static node_ptr make(op k, int c, std::string name = {})
    {
        auto n = std::make_unique<node>();
        n->kind = k;
        n->col = c;
        n->name = std::move(name);
        return n;
    }
    static node_ptr binary(std::string name, int c, node_ptr l, node_ptr r)
    {
        op k = name == "&&" ? op::and_ : name == "||" ? op::or_ : op::call;
        auto n = make(k, c, std::move(name));
        n->kids.push_back(std::move(l));
        n->kids.push_back(std::move(r));
        return n;
    }

    node_ptr expr()
    {
        if (++depth_ > 100) fail("expression nested too deeply (more than 100 levels)");
        auto c = or_expr();
        skip_ws();
        int at = col();
        if (eat("?")) {
            auto n = make(op::cond, at);
            n->kids.push_back(std::move(c));
            n->kids.push_back(or_expr());
            expect(":");
            n->kids.push_back(expr());
            c = std::move(n);
        }
        --depth_;
        return c;
    }
    // One left-associative level with a single operator: a || b || c, a && b && c.
    node_ptr left_assoc(std::string_view o, node_ptr (parser::*next)())
    {
        auto l = (this->*next)();
        for (;;) {
            skip_ws();
            int at = col();
            if (!eat(o)) return l;
            l = binary(std::string(o), at, std::move(l), (this->*next)());
        }
    }
    node_ptr or_expr() { return left_assoc("||", &parser::and_expr); }
    node_ptr and_expr() { return left_assoc("&&", &parser::relation); }
    node_ptr relation()
    {
        auto l = addition();
        for (;;) {
            skip_ws();
            int at = col();
            std::string o;
            for (std::string_view t : {"==", "!=", "<=", ">=", "<", ">"})
                if (eat(t)) {
                    o = t;
                    break;
                }
            if (o.empty() && eat_keyword("in")) o = "in";
            if (o.empty()) return l;
            l = binary(o, at, std::move(l), addition());
        }
    }
    node_ptr addition()
    {
        auto l = multiplication();
        for (;;) {
            skip_ws();
            int at = col();
            if (eat("+"))
                l = binary("+", at, std::move(l), multiplication());
            else if (eat("-"))
                l = binary("-", at, std::move(l), multiplication());
            else
                return l;
        }
    }
    node_ptr multiplication()
    {
        auto l = unary();
        for (;;) {
            skip_ws();
            int at = col();
            std::string o;
            for (std::string_view t : {"*", "/", "%"})
                if (eat(t)) {
                    o = t;
                    break;
                }
            if (o.empty()) return l;
            l = binary(o, at, std::move(l), unary());
        }
    }
    node_ptr unary()
    {
        skip_ws();
        int at = col();
        if (eat("!")) {
            auto n = make(op::not_, at);
            n->kids.push_back(unary());
            return n;
        }
        if (eat("-")) {
            skip_ws();
            // A negative literal, so that -9223372036854775808 is representable.
            if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])))
                return member(number(true, at));
            auto n = make(op::neg, at);
            n->kids.push_back(unary());
            return n;
        }
        return member(primary());
    }

    std::vector<node_ptr> args(std::string_view close)
    {
        std::vector<node_ptr> out;
        if (eat(close)) return out;
        do {
            if (eat(close)) return out; // trailing comma
            out.push_back(expr());
        } while (eat(","));
        expect(close);
        return out;
    }

    node_ptr member(node_ptr target)
    {
        for (;;) {
            skip_ws();
            int at = col();
            if (eat(".")) {
                skip_ws();
                std::string name = ident_text();
                skip_ws();
                if (eat("("))
                    target = method(std::move(target), name, at);
                else {
                    auto n = make(op::select, at, name);
                    n->kids.push_back(std::move(target));
                    target = std::move(n);
                }
            } else if (eat("[")) {
                auto n = make(op::index, at);
                n->kids.push_back(std::move(target));
                n->kids.push_back(expr());
                expect("]");
                target = std::move(n);
            } else {
                return target;
            }
        }
    }

    node_ptr method(node_ptr target, const std::string& name, int at)
    {
        static const std::string macros[] = {"all", "exists", "exists_one", "map", "filter"};
        bool is_macro = false;
        for (const auto& m : macros)
            is_macro = is_macro || m == name;
        auto a = args(")");
        if (is_macro) {
            std::size_t want = name == "map" ? 0 : 2;
            if ((want && a.size() != 2) || (!want && a.size() != 2 && a.size() != 3))
                throw syntax_error{at, name + "() takes a variable and an expression"};
            if (a[0]->kind != op::ident)
                throw syntax_error{a[0]->col, name + "(): the first argument must be a variable name"};
            auto n = make(op::macro, at, name);
            n->var = a[0]->name;
            n->kids.push_back(std::move(target));
            for (std::size_t i = 1; i < a.size(); ++i)
                n->kids.push_back(std::move(a[i]));
            return n;
        }
        auto n = make(op::call, at, name);
        n->receiver = true;
        n->kids.push_back(std::move(target));
        for (auto& x : a)
            n->kids.push_back(std::move(x));
        return n;
    }

    std::string ident_text()
    {
        std::size_t b = pos_;
        if (pos_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
            while (pos_ < s_.size() &&
                   (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
                ++pos_;
        }
        if (b == pos_) fail("expected an identifier");
        return std::string(s_.substr(b, pos_ - b));
    }

    node_ptr primary()
    {
        skip_ws();
        int at = col();
        if (pos_ >= s_.size()) fail("unexpected end of expression");
        char ch = s_[pos_];
        if (eat("(")) {
            auto n = expr();
            expect(")");
            return n;
        }
        if (eat("[")) {
            auto n = make(op::list, at);
            n->kids = args("]");
            return n;
        }
        if (eat("{")) return map_literal(at);
        if (std::isdigit(static_cast<unsigned char>(ch)) ||
            (ch == '.' && pos_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))))
            return number(false, at);
        if (ch == '"' || ch == '\'') return string_literal(false, false, at);
        if ((ch == 'b' || ch == 'B' || ch == 'r' || ch == 'R') && pos_ + 1 < s_.size()) {
            char q = s_[pos_ + 1];
            bool raw2 = (ch == 'b' || ch == 'B') && (q == 'r' || q == 'R') && pos_ + 2 < s_.size() &&
                        (s_[pos_ + 2] == '"' || s_[pos_ + 2] == '\'');
            if (q == '"' || q == '\'' || raw2) {
                bool bytes = ch == 'b' || ch == 'B';
                bool raw = !bytes || raw2;
                pos_ += raw2 ? 2 : 1;
                return string_literal(raw, bytes, at);
            }
        }
        if (ch == '.') ++pos_; // a leading dot names the root scope
        std::string name = ident_text();
        if (name == "true" || name == "false") {
            auto n = make(op::literal, at);
            n->lit = val::boolean(name == "true");
            return n;
        }
        if (name == "null") return make(op::literal, at);
        skip_ws();
        if (eat("(")) {
            auto a = args(")");
            if (name == "has") {
                if (a.size() != 1 || a[0]->kind != op::select)
                    throw syntax_error{at, "has() takes one field selection such as has(a.b)"};
                auto n = make(op::has, at);
                n->kids.push_back(std::move(a[0]));
                return n;
            }
            auto n = make(op::call, at, name);
            n->kids = std::move(a);
            return n;
        }
        return make(op::ident, at, name);
    }

    node_ptr map_literal(int at)
    {
        auto n = make(op::map, at);
        if (eat("}")) return n;
        do {
            if (eat("}")) return n;
            n->kids.push_back(expr());
            expect(":");
            n->kids.push_back(expr());
        } while (eat(","));
        expect("}");
        return n;
    }

    node_ptr number(bool negative, int at)
    {
        auto n = make(op::literal, at);
        std::size_t b = pos_;
        if (s_.substr(pos_, 2) == "0x" || s_.substr(pos_, 2) == "0X") {
            pos_ += 2;
            std::size_t h = pos_;
            while (pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_])))
                ++pos_;
            return integer(std::move(n), s_.substr(h, pos_ - h), 16, negative);
        }
        bool is_double = false;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
        if (pos_ + 1 < s_.size() && s_[pos_] == '.' &&
            std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
            is_double = true;
            ++pos_;
            while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])))
                ++pos_;
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            is_double = true;
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
                fail("malformed exponent in number");
            while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])))
                ++pos_;
        }
        std::string_view text = s_.substr(b, pos_ - b);
        if (is_double) {
            n->lit = val::double_((negative ? -1 : 1) * std::stod(std::string(text)));
            return n;
        }
        return integer(std::move(n), text, 10, negative);
    }

    node_ptr integer(node_ptr n, std::string_view digits, int base, bool negative)
    {
        bool is_uint = pos_ < s_.size() && (s_[pos_] == 'u' || s_[pos_] == 'U');
        std::uint64_t u = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
        if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty())
            throw syntax_error{n->col, "integer literal out of range or malformed"};
        if (is_uint) {
            ++pos_;
            if (negative) throw syntax_error{n->col, "a uint literal cannot be negative"};
            n->lit = val::uint_(u);
        } else if (negative && u <= 9223372036854775808ULL) {
            n->lit = val::int_(u == 9223372036854775808ULL ? INT64_MIN : -static_cast<std::int64_t>(u));
        } else if (!negative && u <= static_cast<std::uint64_t>(INT64_MAX)) {
            n->lit = val::int_(static_cast<std::int64_t>(u));
        } else {
            throw syntax_error{n->col, "integer literal out of range of int (use a u suffix for uint)"};
        }
        return n;
    }

    node_ptr string_literal(bool raw, bool bytes, int at)
    {
        char q = s_[pos_];
        bool triple = s_.substr(pos_, 3) == std::string(3, q);
        pos_ += triple ? 3 : 1;
        std::string out;
        for (;;) {
            if (pos_ >= s_.size()) throw syntax_error{at, "unterminated string literal"};
            char c = s_[pos_];
            if (triple ? s_.substr(pos_, 3) == std::string(3, q) : c == q) {
                pos_ += triple ? 3 : 1;
                break;
            }
            if (c == '\n' && !triple) fail("newline in a single-quoted string literal");
            if (c == '\\' && !raw) {
                escape(out);
                continue;
            }
            out += c;
            ++pos_;
        }
        auto n = make(op::literal, at);
        n->lit = bytes ? val::bytes(std::move(out)) : val::string(std::move(out));
        return n;
    }

    void append_utf8(std::string& out, std::uint32_t cp)
    {
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid unicode code point in escape");
        static const unsigned char lead[] = {0, 0xC0, 0xE0, 0xF0};
        int more = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3; // continuation bytes
        out += static_cast<char>(lead[more] | (cp >> (6 * more)));
        for (int k = more - 1; k >= 0; --k)
            out += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
    }

    void escape(std::string& out)
    {
        ++pos_; // the backslash
        if (pos_ >= s_.size()) fail("unterminated escape sequence");
        char c = s_[pos_++];
        switch (c) {
        case 'n':
            out += '\n';
            return;
        case 't':
            out += '\t';
            return;
        case 'r':
            out += '\r';
            return;
        case 'a':
            out += '\a';
            return;
        case 'b':
            out += '\b';
            return;
        case 'f':
            out += '\f';
            return;
        case 'v':
            out += '\v';
            return;
        case '\\':
        case '\'':
        case '"':
        case '`':
        case '?':
            out += c;
            return;
        default:
            break;
        }
        int len = c == 'x' || c == 'X' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
        int base = 16;
        if (c >= '0' && c <= '3') {
            len = 2;
            base = 8;
            --pos_;
            ++len;
        }
        if (len == 0) {
            --pos_;
            fail(std::string("unknown escape sequence '\\") + c + "'");
        }
        if (pos_ + len > s_.size()) fail("truncated escape sequence");
        std::uint32_t cp = 0;
        auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + pos_ + len, cp, base);
        if (ec != std::errc() || p != s_.data() + pos_ + len) fail("malformed escape sequence");
        pos_ += len;
        if (len == 4 || len == 8)
            append_utf8(out, cp);
        else
            out += static_cast<char>(cp);
    }
};

} // namespace

program::program(std::shared_ptr<const node> root, std::string source)
    : root_(std::move(root)), source_(std::move(source))
{
}

result<program> compile(std::string_view source)
{
    try {
        parser p(source);
        std::shared_ptr<const node> root = p.parse();
        return program(std::move(root), std::string(source));
    } catch (const syntax_error& e) {
        return terminal_error("CEL syntax error at column " + std::to_string(e.col) + ": " + e.message +
                                  " in '" + std::string(source) + "'",
                              "InvalidExpression");
    }
}

} // namespace weir::cel
