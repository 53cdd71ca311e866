// Choosing the latest tag of an image repository the way Flux's ImagePolicy does.
//
//   WEIR_TRY_ASSIGN(auto sel, oci::tag_selector::compile({.kind = oci::tag_order::semver, .semver_range = "^1.x"}));
//   WEIR_TRY_ASSIGN(auto best, sel.select(tags));            // std::optional<std::string>
//
// filterTags: only tags the Go regular expression `pattern` finds a match in are considered
// (unanchored, as Go's MatchString); with `extract`, the value compared is the template expanded
// from the match ("$ts", "${ts}", "$1"), and the original tag is returned. Then:
//   semver:       the highest version in the range (pre-releases only when the range names one);
//   alphabetical: ascending order picks the last tag, descending the first;
//   numerical:    the same on numbers; a value that is not a number is an error.
#pragma once

#include <weir/core/result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weir::oci {

enum class tag_order : unsigned char { semver, alphabetical, numerical };

struct tag_policy {
    tag_order kind = tag_order::semver;
    std::string semver_range;
    bool ascending = true;
    std::string filter_pattern;
    std::string filter_extract;
};

class tag_selector {
public:
    // Terminal errors for a bad range or regular expression, naming the field.
    static result<tag_selector> compile(tag_policy policy);
    ~tag_selector();
    tag_selector(tag_selector&&) noexcept;
    tag_selector& operator=(tag_selector&&) noexcept;

    // nullopt when no tag qualifies.
    result<std::optional<std::string>> select(const std::vector<std::string>& tags) const;

private:
    struct impl;
    explicit tag_selector(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// The sample of tags Flux shows in ImageRepository status.lastScanResult.latestTags: the first
// `n` in reverse lexical order.
std::vector<std::string> latest_tags(std::vector<std::string> tags, std::size_t n = 10);

// Regular expressions in Go's syntax (RE2) for exclusionList: a tag is kept when none finds a
// match. Terminal error naming the bad pattern.
class tag_exclusions {
public:
    static result<tag_exclusions> compile(const std::vector<std::string>& patterns);
    ~tag_exclusions();
    tag_exclusions(tag_exclusions&&) noexcept;
    tag_exclusions& operator=(tag_exclusions&&) noexcept;
    bool excluded(const std::string& tag) const;
    std::vector<std::string> filter(std::vector<std::string> tags) const;

private:
    struct impl;
    explicit tag_exclusions(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

} // namespace weir::oci
