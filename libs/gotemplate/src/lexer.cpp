#include "lexer.hpp"

#include "strconv.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace weir::gotemplate::detail {
namespace {

constexpr std::string_view left_delim = "{{";
constexpr std::string_view right_delim = "}}";
constexpr std::string_view space_chars = " \t\r\n";

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
// Go accepts Unicode letters and digits; bytes of multi-byte UTF-8 sequences count as letters.
bool is_alnum(char c)
{
    auto u = static_cast<unsigned char>(c);
    return c == '_' || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
           u >= 0x80;
}

bool has_left_trim(std::string_view s)
{
    return s.size() >= 2 && s[0] == '-' && is_space(s[1]);
}
bool has_right_trim(std::string_view s)
{
    return s.size() >= 2 && is_space(s[0]) && s[1] == '-';
}

const std::unordered_map<std::string_view, tok>& keywords()
{
    static const std::unordered_map<std::string_view, tok> k{
        {".", tok::dot},
        {"block", tok::block},
        {"break", tok::break_},
        {"continue", tok::continue_},
        {"define", tok::define},
        {"else", tok::else_},
        {"end", tok::end},
        {"if", tok::if_},
        {"range", tok::range},
        {"nil", tok::nil},
        {"template", tok::template_},
        {"with", tok::with},
    };
    return k;
}

class lexer {
public:
    explicit lexer(std::string_view in) : in_(in) {}

    std::vector<token> run()
    {
        bool ok = lex_text();
        while (ok)
            ok = lex_left_delim() && lex_inside_action() && lex_text();
        return std::move(out_);
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0, start_ = 0;
    std::size_t line_pos_ = 0; // newlines counted up to here
    int line_ = 1;
    int paren_depth_ = 0;
    std::vector<token> out_;

    int line_at(std::size_t p)
    {
        for (; line_pos_ < p; ++line_pos_)
            if (in_[line_pos_] == '\n') ++line_;
        return line_;
    }
    void emit(tok t)
    {
        out_.push_back({t, start_, line_at(start_), std::string(in_.substr(start_, pos_ - start_))});
        start_ = pos_;
    }
    bool fail(std::string msg)
    {
        out_.push_back({tok::error, start_, line_at(start_), std::move(msg)});
        return false;
    }
    char peek() const { return pos_ < in_.size() ? in_[pos_] : '\0'; }
    bool at_end() const { return pos_ >= in_.size(); }
    std::string_view rest() const { return in_.substr(pos_); }

    // Returns false at EOF (eof token emitted).
    bool lex_text()
    {
        auto x = in_.find(left_delim, pos_);
        if (x == std::string_view::npos) {
            pos_ = in_.size();
            if (pos_ > start_) emit(tok::text);
            emit(tok::eof);
            return false;
        }
        pos_ = x;
        std::size_t trim = 0;
        if (has_left_trim(in_.substr(pos_ + left_delim.size()))) {
            auto text = in_.substr(start_, pos_ - start_);
            auto kept = text.find_last_not_of(space_chars);
            trim = text.size() - (kept == std::string_view::npos ? 0 : kept + 1);
        }
        pos_ -= trim;
        if (pos_ > start_) emit(tok::text);
        pos_ += trim;
        start_ = pos_;
        return true;
    }

    std::pair<bool, bool> at_right_delim() const
    {
        auto r = rest();
        if (has_right_trim(r) && r.substr(2).starts_with(right_delim)) return {true, true};
        if (r.starts_with(right_delim)) return {true, false};
        return {false, false};
    }

    void skip_leading_space()
    {
        while (!at_end() && is_space(in_[pos_]))
            ++pos_;
        start_ = pos_;
    }

    bool lex_left_delim()
    {
        pos_ += left_delim.size();
        bool trim = has_left_trim(rest());
        std::size_t after = trim ? 2 : 0;
        if (in_.substr(pos_ + after).starts_with("/*")) {
            pos_ += after;
            start_ = pos_;
            return lex_comment();
        }
        emit(tok::left_delim);
        pos_ += after;
        start_ = pos_;
        paren_depth_ = 0;
        return true;
    }

    // A comment returns to text through lex_inside_action's caller: emits nothing.
    bool lex_comment()
    {
        pos_ += 2;
        auto i = in_.find("*/", pos_);
        if (i == std::string_view::npos) return fail("unclosed comment");
        pos_ = i + 2;
        auto [delim, trim] = at_right_delim();
        if (!delim) return fail("comment ends before closing delimiter");
        if (trim) pos_ += 2;
        pos_ += right_delim.size();
        if (trim) skip_leading_space();
        start_ = pos_;
        comment_done_ = true;
        return true;
    }
    bool comment_done_ = false;

    void lex_right_delim()
    {
        bool trim = has_right_trim(rest());
        if (trim) {
            pos_ += 2;
            start_ = pos_;
        }
        pos_ += right_delim.size();
        emit(tok::right_delim);
        if (trim) skip_leading_space();
    }

    bool lex_inside_action()
    {
        if (comment_done_) {
            comment_done_ = false;
            return true;
        }
        for (;;) {
            auto [delim, trim] = at_right_delim();
            if (delim) {
                if (paren_depth_ != 0) return fail("unclosed left paren");
                lex_right_delim();
                return true;
            }
            if (at_end()) return fail("unclosed action");
            char c = in_[pos_++];
            if (is_space(c)) {
                --pos_;
                if (!lex_space()) {
                    lex_right_delim();
                    return true;
                }
            } else if (c == '=') {
                emit(tok::assign);
            } else if (c == ':') {
                if (peek() != '=') return fail("expected :=");
                ++pos_;
                emit(tok::declare);
            } else if (c == '|') {
                emit(tok::pipe);
            } else if (c == '"') {
                if (!lex_quote()) return false;
            } else if (c == '`') {
                auto e = in_.find('`', pos_);
                if (e == std::string_view::npos) return fail("unterminated raw quoted string");
                pos_ = e + 1;
                emit(tok::raw_string);
            } else if (c == '$') {
                if (!lex_field_or_variable(tok::variable)) return false;
            } else if (c == '\'') {
                if (!lex_char()) return false;
            } else if (c == '.' && !(peek() >= '0' && peek() <= '9')) {
                if (!lex_field_or_variable(tok::field)) return false;
            } else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                --pos_;
                if (!lex_number()) return false;
            } else if (is_alnum(c)) {
                --pos_;
                if (!lex_identifier()) return false;
            } else if (c == '(') {
                emit(tok::left_paren);
                ++paren_depth_;
            } else if (c == ')') {
                emit(tok::right_paren);
                if (--paren_depth_ < 0) return fail("unexpected right paren " + unicode_repr(U')'));
            } else if (static_cast<unsigned char>(c) < 0x7f && static_cast<unsigned char>(c) >= 0x20) {
                emit(tok::char_);
            } else {
                return fail("unrecognized character in action: " + unicode_repr(decode_rune(in_, pos_ - 1)));
            }
        }
    }

    // Returns false when the space is the start of a " -}}" with exactly one space.
    bool lex_space()
    {
        int n = 0;
        while (!at_end() && is_space(in_[pos_])) {
            ++pos_;
            ++n;
        }
        auto from = in_.substr(pos_ - 1);
        if (has_right_trim(from) && from.substr(2).starts_with(right_delim)) {
            --pos_;
            if (n == 1) return false;
        }
        emit(tok::space);
        return true;
    }

    bool lex_quote()
    {
        for (;;) {
            if (at_end()) return fail("unterminated quoted string");
            char c = in_[pos_++];
            if (c == '\\') {
                if (at_end() || in_[pos_] == '\n') return fail("unterminated quoted string");
                ++pos_;
            } else if (c == '\n') {
                return fail("unterminated quoted string");
            } else if (c == '"') {
                break;
            }
        }
        emit(tok::string);
        return true;
    }

    bool lex_char()
    {
        for (;;) {
            if (at_end()) return fail("unterminated character constant");
            char c = in_[pos_++];
            if (c == '\\') {
                if (at_end() || in_[pos_] == '\n') return fail("unterminated character constant");
                ++pos_;
            } else if (c == '\n') {
                return fail("unterminated character constant");
            } else if (c == '\'') {
                break;
            }
        }
        emit(tok::char_constant);
        return true;
    }

    bool at_terminator() const
    {
        char c = peek();
        if (at_end() || is_space(c)) return true;
        switch (c) {
        case '.':
        case ',':
        case '|':
        case ':':
        case ')':
        case '(':
            return true;
        default:
            return rest().starts_with(right_delim);
        }
    }

    bool bad_char()
    {
        return fail("bad character " + unicode_repr(at_end() ? U'\U0000FFFD' : decode_rune(in_, pos_)));
    }

    bool lex_field_or_variable(tok t)
    {
        if (at_terminator()) {
            emit(t == tok::variable ? tok::variable : tok::dot);
            return true;
        }
        while (!at_end() && is_alnum(in_[pos_]))
            ++pos_;
        if (!at_terminator()) return bad_char();
        emit(t);
        return true;
    }

    bool lex_identifier()
    {
        while (!at_end() && is_alnum(in_[pos_]))
            ++pos_;
        if (!at_terminator()) return bad_char();
        auto word = in_.substr(start_, pos_ - start_);
        auto k = keywords().find(word);
        if (k != keywords().end())
            emit(k->second);
        else if (word == "true" || word == "false")
            emit(tok::bool_);
        else
            emit(tok::identifier);
        return true;
    }

    bool accept(std::string_view valid)
    {
        if (!at_end() && valid.find(in_[pos_]) != std::string_view::npos) {
            ++pos_;
            return true;
        }
        return false;
    }
    void accept_run(std::string_view valid)
    {
        while (accept(valid)) {
        }
    }

    // Go's scanNumber: sign, base prefix, digits with underscores, fraction, exponent, 'i'.
    bool scan_number()
    {
        accept("+-");
        std::string_view digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX"))
                digits = "0123456789abcdefABCDEF_";
            else if (accept("oO"))
                digits = "01234567_";
            else if (accept("bB"))
                digits = "01_";
        }
        accept_run(digits);
        if (accept(".")) accept_run(digits);
        if (digits.size() == 11 && accept("eE")) {
            accept("+-");
            accept_run("0123456789_");
        }
        if (digits.size() == 23 && accept("pP")) {
            accept("+-");
            accept_run("0123456789_");
        }
        accept("i");
        if (!at_end() && (is_alnum(in_[pos_]))) {
            ++pos_;
            return false;
        }
        return true;
    }

    bool lex_number()
    {
        auto bad = [&] {
            return fail(fmt::format("bad number syntax: {}", go_quote(in_.substr(start_, pos_ - start_))));
        };
        if (!scan_number()) return bad();
        if (char s = peek(); s == '+' || s == '-') {
            if (!scan_number() || in_[pos_ - 1] != 'i') return bad();
            emit(tok::complex);
        } else {
            emit(tok::number);
        }
        return true;
    }
};

} // namespace

std::vector<token> lex(std::string_view text)
{
    return lexer(text).run();
}

std::string unicode_repr(char32_t r)
{
    std::string s = fmt::format("U+{:04X}", static_cast<std::uint32_t>(r));
    if (r >= 0x20 && r != 0x7f && r != 0xFFFD) {
        s += " '";
        append_rune(s, r);
        s += "'";
    }
    return s;
}

std::string describe(const token& t)
{
    if (t.type == tok::eof) return "EOF";
    if (t.type == tok::error) return t.val;
    if (t.type > tok::keyword_first) return "<" + t.val + ">";
    if (t.val.size() > 10) {
        // Go's %.10q: quote the first ten runes
        std::size_t n = 0, runes = 0;
        while (n < t.val.size() && runes < 10) {
            n += rune_length(t.val, n);
            ++runes;
        }
        return go_quote(std::string_view(t.val).substr(0, n)) + "...";
    }
    return go_quote(t.val);
}

} // namespace weir::gotemplate::detail
