#include <weir/core/semver.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace weir {
namespace {

bool is_digits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ident(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    });
}

bool is_wild(std::string_view s) { return s == "x" || s == "X" || s == "*"; }

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

error bad_version(std::string_view text, std::string_view why)
{
    return terminal_error(fmt::format("invalid semantic version \"{}\": {}", text, why), "InvalidSemver");
}

// Parses "[v]A[.B[.C]][-pre][+build]" where parts may be wildcards; reports the wildcard position.
result<semver> parse_parts(std::string_view text, bool strict, bool allow_wild, int& wildcard_at)
{
    std::string_view s = text;
    wildcard_at = 3;
    if (!strict && !s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
    semver v;
    if (auto plus = s.find('+'); plus != std::string_view::npos) {
        v.build = std::string(s.substr(plus + 1));
        for (auto id : split(v.build, '.'))
            if (!is_ident(id)) return bad_version(text, "build metadata must be dot-separated [0-9A-Za-z-]");
        s = s.substr(0, plus);
    }
    if (auto dash = s.find('-'); dash != std::string_view::npos) {
        for (auto id : split(s.substr(dash + 1), '.')) {
            if (!is_ident(id)) return bad_version(text, "pre-release must be dot-separated [0-9A-Za-z-]");
            if (is_digits(id) && id.size() > 1 && id[0] == '0')
                return bad_version(text, "numeric pre-release parts must not have leading zeros");
            v.prerelease.emplace_back(id);
        }
        s = s.substr(0, dash);
    }
    auto parts = split(s, '.');
    if (parts.size() > 3) return bad_version(text, "more than three numeric parts");
    if (strict && parts.size() != 3) return bad_version(text, "expected MAJOR.MINOR.PATCH");
    std::uint64_t* fields[] = {&v.major, &v.minor, &v.patch};
    for (std::size_t i = 0; i < 3; ++i) {
        if (i >= parts.size()) {
            if (allow_wild && wildcard_at == 3) wildcard_at = static_cast<int>(i);
            continue;
        }
        auto p = parts[i];
        if (allow_wild && is_wild(p)) {
            if (wildcard_at == 3) wildcard_at = static_cast<int>(i);
            continue;
        }
        if (!is_digits(p)) return bad_version(text, fmt::format("\"{}\" is not a number", p));
        if (wildcard_at != 3) return bad_version(text, "a number cannot follow a wildcard");
        if (strict && p.size() > 1 && p[0] == '0') return bad_version(text, "leading zeros are not allowed");
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), *fields[i]);
        if (ec != std::errc{}) return bad_version(text, "number out of range");
    }
    return v;
}

int compare_ident(std::string_view a, std::string_view b)
{
    bool an = is_digits(a), bn = is_digits(b);
    if (an && bn) {
        if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
        return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
    }
    if (an) return -1; // numeric identifiers have lower precedence
    if (bn) return 1;
    int c = a.compare(b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

semver bump(const semver& v, int part)
{
    semver n;
    if (part == 0) n.major = v.major + 1;
    else if (part == 1) n.major = v.major, n.minor = v.minor + 1;
    else n.major = v.major, n.minor = v.minor, n.patch = v.patch + 1;
    return n;
}

using op = semver_range::clause::op;

bool clause_matches(const semver_range::clause& c, const semver& v)
{
    if (v.is_prerelease() && !c.version.is_prerelease()) return false;
    const semver& base = c.version;
    int w = c.wildcard_at;
    int cmp = v.compare(base);
    switch (c.kind) {
    case op::eq:
        if (w == 3) return cmp == 0;
        return w == 0 || (cmp >= 0 && v.compare(bump(base, w - 1)) < 0);
    case op::ne:
        if (w == 3) return cmp != 0;
        return w != 0 && (cmp < 0 || v.compare(bump(base, w - 1)) >= 0);
    case op::gt:
        if (w == 3) return cmp > 0;
        return w != 0 && v.compare(bump(base, w - 1)) >= 0;
    case op::ge: return cmp >= 0;
    case op::lt: return cmp < 0;
    case op::le:
        if (w == 3) return cmp <= 0;
        return w == 0 || v.compare(bump(base, w - 1)) < 0;
    case op::tilde: {
        if (w == 0) return true;
        if (cmp < 0) return false;
        // ~1 allows minor changes; ~1.2 and ~1.2.3 allow patch changes.
        int keep = w == 1 ? 0 : 1;
        return v.compare(bump(base, keep)) < 0;
    }
    case op::caret: {
        if (w == 0) return true;
        if (cmp < 0) return false;
        // The left-most non-zero part is fixed, as far as the range names parts.
        int keep;
        if (base.major > 0 || w == 1) keep = 0;
        else if (base.minor > 0 || w == 2) keep = 1;
        else keep = 2;
        return v.compare(bump(base, keep)) < 0;
    }
    }
    return false;
}

result<semver_range::clause> parse_clause(std::string_view text, std::string_view whole)
{
    static constexpr std::pair<std::string_view, op> ops[] = {
        {">=", op::ge}, {"=>", op::ge}, {"<=", op::le}, {"=<", op::le}, {"!=", op::ne}, {"~>", op::tilde},
        {">", op::gt},  {"<", op::lt},  {"=", op::eq},  {"~", op::tilde}, {"^", op::caret}};
    semver_range::clause c;
    std::string_view rest = text;
    for (const auto& [spelling, kind] : ops) {
        if (rest.substr(0, spelling.size()) == spelling) {
            c.kind = kind;
            rest.remove_prefix(spelling.size());
            break;
        }
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) return terminal_error(fmt::format("invalid version range \"{}\": operator without a version", whole), "InvalidSemver");
    auto v = parse_parts(rest, false, true, c.wildcard_at);
    if (!v) return terminal_error(fmt::format("invalid version range \"{}\": {}", whole, v.err().message), "InvalidSemver");
    c.version = std::move(*v);
    return c;
}

} // namespace

result<semver> semver::parse(std::string_view text, bool strict)
{
    int wildcard = 3;
    return parse_parts(text, strict, false, wildcard);
}

std::string semver::prerelease_str() const
{
    std::string out;
    for (std::size_t i = 0; i < prerelease.size(); ++i) out += (i ? "." : "") + prerelease[i];
    return out;
}

std::string semver::str() const
{
    std::string out = fmt::format("{}.{}.{}", major, minor, patch);
    if (!prerelease.empty()) out += "-" + prerelease_str();
    if (!build.empty()) out += "+" + build;
    return out;
}

int semver::compare(const semver& o) const
{
    if (major != o.major) return major < o.major ? -1 : 1;
    if (minor != o.minor) return minor < o.minor ? -1 : 1;
    if (patch != o.patch) return patch < o.patch ? -1 : 1;
    if (prerelease.empty() || o.prerelease.empty()) {
        if (prerelease.empty() && o.prerelease.empty()) return 0;
        return prerelease.empty() ? 1 : -1; // a release is greater than its pre-releases
    }
    for (std::size_t i = 0; i < prerelease.size() && i < o.prerelease.size(); ++i)
        if (int c = compare_ident(prerelease[i], o.prerelease[i])) return c;
    if (prerelease.size() == o.prerelease.size()) return 0;
    return prerelease.size() < o.prerelease.size() ? -1 : 1;
}

result<semver_range> semver_range::parse(std::string_view text)
{
    semver_range r;
    r.text_ = std::string(text);
    std::string_view s = text;
    std::vector<std::string_view> groups;
    for (std::size_t pos; (pos = s.find("||")) != std::string_view::npos; s.remove_prefix(pos + 2))
        groups.push_back(s.substr(0, pos));
    groups.push_back(s);
    for (auto g : groups) {
        // Tokenise: commas and spaces separate clauses, but an operator may be followed by spaces
        // (">= 1.2") and " - " joins a hyphen range.
        std::vector<std::string> tokens;
        std::string cur;
        for (char ch : g) {
            if (ch == ',' || ch == ' ' || ch == '\t') {
                if (!cur.empty()) tokens.push_back(std::move(cur)), cur.clear();
            } else
                cur += ch;
        }
        if (!cur.empty()) tokens.push_back(std::move(cur));
        std::vector<std::string> merged;
        for (auto& t : tokens) {
            bool previous_is_bare_operator =
                !merged.empty() && merged.back().find_first_not_of("<>=!~^") == std::string::npos;
            if (previous_is_bare_operator) merged.back() += t;
            else merged.push_back(t);
        }
        std::vector<clause> all;
        for (std::size_t i = 0; i < merged.size(); ++i) {
            if (i + 2 < merged.size() && merged[i + 1] == "-") {
                WEIR_TRY_ASSIGN(clause lo, parse_clause(merged[i], text));
                WEIR_TRY_ASSIGN(clause hi, parse_clause(merged[i + 2], text));
                lo.kind = op::ge;
                hi.kind = op::le;
                all.push_back(std::move(lo));
                all.push_back(std::move(hi));
                i += 2;
                continue;
            }
            WEIR_TRY_ASSIGN(clause c, parse_clause(merged[i], text));
            all.push_back(std::move(c));
        }
        if (all.empty())
            return terminal_error(fmt::format("invalid version range \"{}\": empty alternative", text), "InvalidSemver");
        r.any_of_.push_back(std::move(all));
    }
    return r;
}

bool semver_range::matches(const semver& v) const
{
    for (const auto& group : any_of_)
        if (std::all_of(group.begin(), group.end(), [&](const clause& c) { return clause_matches(c, v); }))
            return true;
    return false;
}

} // namespace weir
