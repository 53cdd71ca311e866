#include "go_regexp.hpp"

#include "strconv.hpp"

#include <re2/re2.h>

namespace weir::gotemplate::detail {
namespace {

const char* go_error_code(re2::RE2::ErrorCode c)
{
    switch (c) {
    case re2::RE2::ErrorBadEscape:
        return "invalid escape sequence";
    case re2::RE2::ErrorBadCharClass:
        return "invalid character class";
    case re2::RE2::ErrorBadCharRange:
        return "invalid character class range";
    case re2::RE2::ErrorMissingBracket:
        return "missing closing ]";
    case re2::RE2::ErrorMissingParen:
        return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen:
        return "unexpected )";
    case re2::RE2::ErrorTrailingBackslash:
        return "trailing backslash at end of expression";
    case re2::RE2::ErrorRepeatArgument:
        return "missing argument to repetition operator";
    case re2::RE2::ErrorRepeatSize:
        return "invalid repeat count";
    case re2::RE2::ErrorRepeatOp:
        return "invalid nested repetition operator";
    case re2::RE2::ErrorBadPerlOp:
        return "invalid or unsupported Perl syntax";
    case re2::RE2::ErrorBadUTF8:
        return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture:
        return "invalid named capture";
    case re2::RE2::ErrorPatternTooLarge:
        return "expression too large";
    default:
        return "internal error";
    }
}

bool is_name_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

std::string must_compile_message(std::string_view expr, const std::string& err)
{
    bool backquote = expr.find('`') == std::string_view::npos && valid_utf8(expr);
    for (char c : expr)
        backquote = backquote && (c == '\t' || static_cast<unsigned char>(c) >= 0x20) && c != 0x7f;
    std::string q = backquote ? "`" + std::string(expr) + "`" : go_quote(expr);
    return "regexp: Compile(" + q + "): " + err;
}

result<go_regexp> go_regexp::compile(std::string_view expr)
{
    re2::RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(64 << 20);
    go_regexp r;
    r.expr_ = std::string(expr);
    r.re_ = std::make_unique<re2::RE2>(re2::StringPiece(expr.data(), expr.size()), o);
    if (!r.re_->ok())
        return terminal_error("error parsing regexp: " + std::string(go_error_code(r.re_->error_code())) +
                              ": `" + r.re_->error_arg() + "`");
    return r;
}

go_regexp::~go_regexp() = default;
go_regexp::go_regexp(go_regexp&&) noexcept = default;
go_regexp& go_regexp::operator=(go_regexp&&) noexcept = default;

bool go_regexp::match(std::string_view s) const
{
    return re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re_);
}

std::vector<std::pair<std::size_t, std::size_t>> go_regexp::find_all(std::string_view s, long n) const
{
    std::vector<std::pair<std::size_t, std::size_t>> out;
    re2::StringPiece text(s.data(), s.size());
    re2::StringPiece m;
    std::size_t pos = 0;
    long prev_end = -1;
    while ((n < 0 || static_cast<long>(out.size()) < n) && pos <= s.size()) {
        if (!re_->Match(text, pos, s.size(), re2::RE2::UNANCHORED, &m, 1)) break;
        auto b = static_cast<std::size_t>(m.data() - s.data()), e = b + m.size();
        bool accept = true;
        if (e == pos) {
            // an empty match right after the previous match does not count (Go's rule)
            if (static_cast<long>(b) == prev_end) accept = false;
            pos += pos < s.size() ? rune_length(s, pos) : 1;
        } else {
            pos = e;
        }
        prev_end = static_cast<long>(e);
        if (accept) out.emplace_back(b, e);
    }
    return out;
}

std::string go_regexp::replace_all(std::string_view src, std::string_view repl, bool literal) const
{
    int ncap = re_->NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(ncap));
    re2::StringPiece text(src.data(), src.size());
    std::string out;
    std::size_t last_end = 0, search = 0;
    auto expand = [&](std::string& dst) {
        if (literal) {
            dst += repl;
            return;
        }
        for (std::size_t i = 0; i < repl.size(); ++i) {
            char c = repl[i];
            if (c != '$' || i + 1 >= repl.size()) {
                dst += c;
                continue;
            }
            if (repl[i + 1] == '$') {
                dst += '$';
                ++i;
                continue;
            }
            std::size_t j = i + 1;
            bool brace = repl[j] == '{';
            if (brace) ++j;
            std::size_t k = j;
            while (k < repl.size() && is_name_char(repl[k]))
                ++k;
            if (k == j || (brace && (k >= repl.size() || repl[k] != '}'))) {
                dst += '$'; // malformed: the $ is plain text
                continue;
            }
            std::string name(repl.substr(j, k - j));
            i = brace ? k : k - 1;
            int idx = -1;
            if (name.find_first_not_of("0123456789") == std::string::npos && name.size() < 9)
                idx = std::stoi(name);
            else {
                auto& named = re_->NamedCapturingGroups();
                auto it = named.find(name);
                if (it != named.end()) idx = it->second;
            }
            if (idx >= 0 && idx < ncap && groups[static_cast<std::size_t>(idx)].data())
                dst.append(groups[static_cast<std::size_t>(idx)].data(),
                           groups[static_cast<std::size_t>(idx)].size());
        }
    };
    while (search <= src.size()) {
        if (!re_->Match(text, search, src.size(), re2::RE2::UNANCHORED, groups.data(), ncap)) break;
        auto b = static_cast<std::size_t>(groups[0].data() - src.data()), e = b + groups[0].size();
        out.append(src.substr(last_end, b - last_end));
        if (e > last_end || b == 0) expand(out);
        last_end = e;
        std::size_t width = search < src.size() ? rune_length(src, search) : 1;
        if (search + width > e)
            search += width;
        else if (search + 1 > e)
            ++search;
        else
            search = e;
    }
    out.append(src.substr(std::min(last_end, src.size())));
    return out;
}

std::vector<std::string> go_regexp::split(std::string_view s, long n) const
{
    if (n == 0) return {};
    if (!expr_.empty() && s.empty()) return {""};
    std::vector<std::string> out;
    std::size_t beg = 0, end = 0;
    for (auto [b, e] : find_all(s, n)) {
        if (n > 0 && static_cast<long>(out.size()) == n - 1) break;
        end = b;
        if (e != 0) out.emplace_back(s.substr(beg, end - beg));
        beg = e;
    }
    if (end != s.size()) out.emplace_back(s.substr(beg));
    return out;
}

} // namespace weir::gotemplate::detail
