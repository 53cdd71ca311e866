#include "funcs.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace weir::envsubst::detail {
namespace {

std::size_t rune_len(std::string_view s, std::size_t i)
{
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    return std::min(n, s.size() - i);
}

// Reverses by UTF-8 sequence, as Go's []rune reversal does.
std::string reverse_runes(std::string_view s)
{
    std::string out(s.size(), '\0');
    std::size_t w = s.size();
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = rune_len(s, i);
        w -= n;
        out.replace(w, n, s.substr(i, n));
        i += n;
    }
    return out;
}

// Go's strconv.Atoi: optional sign, decimal digits only.
bool atoi(std::string_view s, long long& out)
{
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    if (s.empty() || s[0] == '+') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

std::string substr(const std::string& s, const std::vector<std::string>& args)
{
    long long len = static_cast<long long>(s.size());
    long long pos = 0;
    if (args.empty() || !atoi(args[0], pos)) return s; // bash returns the string unchanged
    if (pos < 0) pos = std::max(0LL, len + pos);
    if (args.size() == 1) return pos < len ? s.substr(pos) : std::string();
    long long n = 0;
    if (!atoi(args[1], n)) return s;
    if (n < 0) {
        long long end = len + n;
        if (end < pos) return {};
        return s.substr(pos, end - pos);
    }
    if (pos + n >= len) return pos < len ? s.substr(pos) : std::string();
    return s.substr(pos, n);
}

// Go's strings.Replace(s, old, repl, limit); limit < 0 means all. An empty `old` matches at the
// start and after every UTF-8 sequence.
std::string replace(const std::string& s, const std::string& old, const std::string& repl, int limit)
{
    std::string out;
    int done = 0;
    if (old.empty()) {
        std::size_t i = 0;
        for (;;) {
            if (limit < 0 || done < limit) {
                out += repl;
                ++done;
            }
            if (i >= s.size()) break;
            std::size_t n = rune_len(s, i);
            out.append(s, i, n);
            i += n;
        }
        return out;
    }
    std::size_t i = 0;
    while (limit < 0 || done < limit) {
        std::size_t f = s.find(old, i);
        if (f == std::string::npos) break;
        out.append(s, i, f - i);
        out += repl;
        i = f + old.size();
        ++done;
    }
    out.append(s, i);
    return out;
}

// Strips the shortest (or longest) non-empty prefix of s matching the glob; unchanged when none
// matches or the pattern is malformed.
std::string trim_prefix(const std::string& s, const std::string& pattern, bool longest)
{
    std::size_t best = 0;
    for (std::size_t n = s.size(); n > 0; --n) {
        int m = glob_match(pattern, std::string_view(s).substr(0, n));
        if (m < 0) return s;
        if (m == 1) {
            best = n;
            if (longest) break;
        }
    }
    return s.substr(best);
}

std::string trim_suffix(const std::string& s, const std::string& pattern, bool longest)
{
    return reverse_runes(trim_prefix(reverse_runes(s), reverse_runes(pattern), longest));
}

char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string join(const std::vector<std::string>& args)
{
    std::string out;
    for (const auto& a : args) out += a;
    return out;
}

// Matches one [...] class at p (just after '['); advances p past ']'.
int match_class(std::string_view pat, std::size_t& p, std::string_view name, std::size_t n_len, bool& matched)
{
    bool negate = false;
    if (p < pat.size() && pat[p] == '^') {
        negate = true;
        ++p;
    }
    std::string_view ch = name.substr(0, n_len);
    bool in = false;
    bool first = true;
    for (;;) {
        if (p >= pat.size()) return -1;
        if (pat[p] == ']' && !first) {
            ++p;
            break;
        }
        first = false;
        auto read_char = [&](std::string& c) -> bool {
            if (p >= pat.size()) return false;
            if (pat[p] == '\\') ++p;
            if (p >= pat.size()) return false;
            std::size_t n = rune_len(pat, p);
            c.assign(pat.substr(p, n));
            p += n;
            return true;
        };
        std::string lo, hi;
        if (pat[p] == '-' || !read_char(lo)) return -1;
        hi = lo;
        if (p < pat.size() && pat[p] == '-') {
            ++p;
            if (!read_char(hi)) return -1;
        }
        if (lo <= ch && ch <= hi) in = true;
    }
    matched = in != negate;
    return 0;
}

int glob_at(std::string_view pat, std::size_t p, std::string_view name, std::size_t i, int depth)
{
    if (depth > 1000) return 0;
    while (p < pat.size()) {
        char c = pat[p];
        if (c == '*') {
            while (p < pat.size() && pat[p] == '*') ++p;
            for (std::size_t j = i;; ++j) {
                int r = glob_at(pat, p, name, j, depth + 1);
                if (r != 0) return r;
                if (j >= name.size() || name[j] == '/') return 0;
            }
        }
        if (i >= name.size()) {
            // Go still validates the rest of the pattern; a dangling class is an error.
            return pat.find('[', p) != std::string_view::npos && pat.find(']', p) == std::string_view::npos ? -1 : 0;
        }
        std::size_t n_len = rune_len(name, i);
        if (c == '?') {
            if (name[i] == '/') return 0;
            ++p;
        } else if (c == '[') {
            ++p;
            bool matched = false;
            if (match_class(pat, p, name.substr(i), n_len, matched) < 0) return -1;
            if (!matched || name[i] == '/') return 0;
        } else {
            if (c == '\\') {
                ++p;
                if (p >= pat.size()) return -1;
            }
            std::size_t pl = rune_len(pat, p);
            if (pat.substr(p, pl) != name.substr(i, n_len)) return 0;
            p += pl;
        }
        i += n_len;
    }
    return i == name.size() ? 1 : 0;
}

} // namespace

int glob_match(std::string_view pattern, std::string_view name) { return glob_at(pattern, 0, name, 0, 0); }

std::string apply(std::string_view op, const std::string& s, const std::vector<std::string>& args)
{
    std::string out;
    if (op == ",") {
        out = s;
        if (!out.empty()) out[0] = ascii_lower(out[0]);
    } else if (op == ",,") {
        out = s;
        std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    } else if (op == "^") {
        out = s;
        if (!out.empty()) out[0] = ascii_upper(out[0]);
    } else if (op == "^^") {
        out = s;
        std::transform(out.begin(), out.end(), out.begin(), ascii_upper);
    } else if (op == "#") {
        out = args.empty() ? std::to_string(s.size()) : trim_prefix(s, args[0], false);
    } else if (op == "##") {
        out = args.empty() ? s : trim_prefix(s, args[0], true);
    } else if (op == "%") {
        out = args.empty() ? s : trim_suffix(s, args[0], false);
    } else if (op == "%%") {
        out = args.empty() ? s : trim_suffix(s, args[0], true);
    } else if (op == ":") {
        out = substr(s, args);
    } else if (op == "/#") {
        out = args.size() == 2 && s.compare(0, args[0].size(), args[0]) == 0 ? replace(s, args[0], args[1], 1) : s;
    } else if (op == "/%") {
        bool suffix = args.size() == 2 && s.size() >= args[0].size() &&
                      s.compare(s.size() - args[0].size(), args[0].size(), args[0]) == 0;
        out = suffix ? s.substr(0, s.size() - args[0].size()) + args[1] : s;
    } else if (op == "/" || op == "//") {
        int limit = op == "/" ? 1 : -1;
        if (args.empty()) out = s;
        else out = replace(s, args[0], args.size() > 1 ? args[1] : std::string(), limit);
    } else {
        // ${var}, every default form, and unknown casing mixes such as ${var,^}.
        out = s.empty() && !args.empty() ? join(args) : s;
    }
    return out;
}

} // namespace weir::envsubst::detail
