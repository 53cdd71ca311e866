// Go's regexp package on RE2 (the same syntax, and linear-time matching, so a chart cannot
// stall the renderer with a pathological pattern): FindAll, ReplaceAll with $1/${name}
// expansion, Split, and Go's error texts.
#pragma once

#include <weir/core/result.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace weir::gotemplate::detail {

class go_regexp {
public:
    // Error: "error parsing regexp: missing closing ]: `[a`", as regexp.Compile says.
    static result<go_regexp> compile(std::string_view expr);
    ~go_regexp();
    go_regexp(go_regexp&&) noexcept;
    go_regexp& operator=(go_regexp&&) noexcept;

    bool match(std::string_view s) const;
    // Up to n matches (n < 0: all), each as [begin, end) byte offsets of the whole match.
    std::vector<std::pair<std::size_t, std::size_t>> find_all(std::string_view s, long n) const;
    std::string replace_all(std::string_view src, std::string_view repl, bool literal) const;
    std::vector<std::string> split(std::string_view s, long n) const;

private:
    go_regexp() = default;
    std::unique_ptr<re2::RE2> re_;
    std::string expr_;
};

// regexp.MustCompile's panic text: regexp: Compile(`expr`): error parsing regexp: ...
std::string must_compile_message(std::string_view expr, const std::string& err);

} // namespace weir::gotemplate::detail
