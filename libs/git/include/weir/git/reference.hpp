// What to check out of a repository (Flux GitRepository spec.ref) and the revision string Flux
// writes into status.artifact.revision.
//
//   reference r{.branch = "main"};                 // revision "main@sha1:<40 hex>"
//   reference t{.semver = ">=1.0.0 <2.0.0"};       // newest matching tag: "v1.4.2@sha1:<hex>"
//   reference n{.name = "refs/pull/1/head"};       // "refs/pull/1/head@sha1:<hex>"
//   reference c{.commit = "<40 hex>"};             // "sha1:<hex>"
//
// Precedence as in Flux: commit, then name, then semver, then tag, then branch (default "master").
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>

namespace weir::git {

struct reference {
    std::string branch;
    std::string tag;
    std::string semver;
    std::string name;
    std::string commit;
};

inline constexpr std::string_view default_branch = "master";

// "<ref>@sha1:<hex>", or "sha1:<hex>" when `ref` is empty.
std::string format_revision(std::string_view ref, std::string_view sha);

struct parsed_revision {
    std::string ref; // empty for a bare commit
    std::string sha;
};
// Reads both "<ref>@sha1:<hex>" and the legacy "<ref>/<hex>" form older Flux wrote.
result<parsed_revision> parse_revision(std::string_view revision);

// True for 40 lower-case hex digits.
bool is_sha1(std::string_view s);

} // namespace weir::git
