// A gitignore-syntax matcher for .sourceignore files and GitRepository spec.ignore.
//
//   ignore_matcher m;
//   m.add_defaults();                               // Flux's default exclusions
//   m.add_lines(read(".sourceignore"), {});         // patterns scoped to the root
//   m.add_lines(read("apps/.sourceignore"), {"apps"}); // patterns scoped to apps/
//   if (m.match("apps/x.png", false)) skip();
//
// Syntax as git reads it: '#' comments, '!' negation, a trailing '/' matches directories only, a
// pattern with a '/' elsewhere is anchored to its domain, '*', '?', '[...]' within one component,
// '**' across components. The last matching pattern decides. A path whose parent directory is
// ignored is ignored (match_path checks the parents; match checks only the path itself, for a walker
// that already skips ignored directories).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::artifact {

// Flux's default exclusions (source-controller sourceignore): VCS metadata, then binary and CI
// files. VCS patterns always apply; the others apply unless the user's spec.ignore replaces them.
inline constexpr std::string_view default_exclude_vcs = ".git/,.gitignore,.gitmodules,.gitattributes";
inline constexpr std::string_view default_exclude_ext = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
inline constexpr std::string_view default_exclude_ci =
    ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,"
    "codeship-services.yml,codeship-steps.yml";
inline constexpr std::string_view default_exclude_extra = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";
inline constexpr std::string_view source_ignore_file = ".sourceignore";

class ignore_matcher {
public:
    // The rules a source applies to its tree, as Flux does: VCS metadata always; the default set
    // only when the user gave no patterns of their own (no .sourceignore files, no spec.ignore).
    static ignore_matcher for_source(const std::filesystem::path& tree,
                                     const std::optional<std::string>& spec_ignore);

    // One pattern line; blank lines and comments are skipped. `domain` is the directory (path
    // components from the root) the pattern is relative to.
    void add(std::string_view pattern, const std::vector<std::string>& domain = {});
    // Many lines (a file's content or spec.ignore).
    void add_lines(std::string_view text, const std::vector<std::string>& domain = {});
    // The VCS exclusions only.
    void add_vcs_defaults();
    // VCS + extensions + CI + extra, in Flux's order.
    void add_defaults();
    // Reads every .sourceignore under `root` (not under .git), each scoped to its directory.
    void add_sourceignore_files(const std::filesystem::path& root);

    // Is `path` ("a/b/c", relative to the root, no leading "./") ignored by its own patterns?
    bool match(std::string_view path, bool is_dir) const;
    // Like match, and also true when any parent directory is ignored.
    bool match_path(std::string_view path, bool is_dir) const;
    // -1: no pattern matched, 0: re-included by a '!' pattern, 1: ignored. Lets a caller layer
    // matchers (spec.ignore over .sourceignore over the defaults, as Flux orders them).
    int verdict(std::string_view path, bool is_dir) const;
    bool empty() const { return patterns_.empty(); }

private:
    struct pattern {
        std::vector<std::string> domain;
        std::vector<std::string> parts; // split on '/'
        bool negate = false;
        bool dir_only = false;
        bool anchored = false;
    };
    int decide(const std::vector<std::string_view>& parts, bool is_dir) const; // -1 none, 0 keep, 1 ignore
    std::vector<pattern> patterns_;
};

} // namespace weir::artifact
