// Semantic versions and version ranges as Flux and Helm read them (Masterminds semver v3 rules).
//
//   WEIR_TRY_ASSIGN(auto range, semver_range::parse(">=1.0.0 <2.0.0 || ^3.1"));
//   WEIR_TRY_ASSIGN(auto v, semver::parse("v1.4.2"));
//   if (range.matches(v)) ...
//
// Versions: an optional "v", MAJOR[.MINOR[.PATCH]] (missing parts are 0 unless strict),
// "-pre.release" and "+build" (build is ignored when comparing).
// Ranges: clauses joined by spaces or commas (AND) and "||" (OR); operators = != > < >= <= ~ ~> ^;
// wildcards x, X, * and missing parts ("1.2" means 1.2.x); hyphen ranges "1.2 - 1.4.5".
// A pre-release version matches a clause only when that clause names a pre-release itself.
#pragma once

#include <weir/core/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

struct semver {
    std::uint64_t major = 0, minor = 0, patch = 0;
    std::vector<std::string> prerelease;
    std::string build;

    // strict: exactly MAJOR.MINOR.PATCH with no "v" prefix, as SemVer 2.0 spells it.
    static result<semver> parse(std::string_view text, bool strict = false);
    std::string str() const;
    std::string prerelease_str() const;
    bool is_prerelease() const { return !prerelease.empty(); }
    // <0, 0, >0 by SemVer 2.0 precedence.
    int compare(const semver& other) const;
    bool operator<(const semver& o) const { return compare(o) < 0; }
    bool operator==(const semver& o) const { return compare(o) == 0; }
};

class semver_range {
public:
    static result<semver_range> parse(std::string_view text);
    bool matches(const semver& v) const;
    const std::string& str() const { return text_; }

    struct clause {
        enum class op : std::uint8_t { eq, ne, gt, lt, ge, le, tilde, caret };
        op kind = op::eq;
        semver version;
        int wildcard_at = 3; // index of the first wildcard part: 0 major, 1 minor, 2 patch, 3 none
    };

private:
    std::string text_;
    std::vector<std::vector<clause>> any_of_;
};

} // namespace weir
