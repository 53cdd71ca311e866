#include <weir/oci/tag_policy.hpp>

#include <weir/core/semver.hpp>

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace weir::oci {

namespace {

std::unique_ptr<RE2> compile_re(const std::string& pattern, std::string_view field, error* err)
{
    RE2::Options o;
    o.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, o);
    if (!re->ok()) {
        *err = terminal_error(std::string(field) + ": invalid regular expression '" + pattern + "': " + re->error(),
                              "InvalidPolicy");
        return nullptr;
    }
    return re;
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Go's Regexp.Expand: $name, ${name}, $1, $$; an unknown group expands to nothing.
std::string expand(const RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& groups)
{
    const auto& names = re.NamedCapturingGroups();
    auto group_text = [&](const std::string& name) -> std::string {
        int idx = -1;
        if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            idx = std::stoi(name);
        else if (auto it = names.find(name); it != names.end())
            idx = it->second;
        if (idx < 0 || static_cast<std::size_t>(idx) >= groups.size() || !groups[idx].data()) return {};
        return std::string(groups[idx].data(), groups[idx].size());
    };
    std::string out;
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] != '$' || i + 1 == tmpl.size()) {
            out += tmpl[i];
            continue;
        }
        if (tmpl[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        std::string name;
        std::size_t j = i + 1;
        if (tmpl[j] == '{') {
            auto close = tmpl.find('}', j);
            if (close == std::string_view::npos) {
                out += tmpl[i];
                continue;
            }
            name = std::string(tmpl.substr(j + 1, close - j - 1));
            j = close + 1;
        } else {
            while (j < tmpl.size() && name_char(tmpl[j])) name += tmpl[j++];
        }
        if (name.empty()) {
            out += tmpl[i];
            continue;
        }
        out += group_text(name);
        i = j - 1;
    }
    return out;
}

std::optional<double> parse_number(const std::string& s)
{
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return d;
}

} // namespace

struct tag_selector::impl {
    tag_policy policy;
    std::optional<semver_range> range;
    std::unique_ptr<RE2> filter;
};

tag_selector::tag_selector(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tag_selector::~tag_selector() = default;
tag_selector::tag_selector(tag_selector&&) noexcept = default;
tag_selector& tag_selector::operator=(tag_selector&&) noexcept = default;

result<tag_selector> tag_selector::compile(tag_policy policy)
{
    auto p = std::make_unique<impl>();
    if (policy.kind == tag_order::semver) {
        auto r = semver_range::parse(policy.semver_range);
        if (!r) return terminal_error("spec.policy.semver.range: " + r.err().message, "InvalidPolicy");
        p->range = std::move(*r);
    }
    if (!policy.filter_pattern.empty()) {
        error e;
        p->filter = compile_re(policy.filter_pattern, "spec.filterTags.pattern", &e);
        if (!p->filter) return e;
    }
    p->policy = std::move(policy);
    return tag_selector(std::move(p));
}

result<std::optional<std::string>> tag_selector::select(const std::vector<std::string>& tags) const
{
    const tag_policy& pol = impl_->policy;
    // (value compared, original tag)
    std::vector<std::pair<std::string, const std::string*>> candidates;
    candidates.reserve(tags.size());
    if (impl_->filter) {
        const RE2& re = *impl_->filter;
        std::vector<re2::StringPiece> groups(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
        for (const auto& t : tags) {
            if (!re.Match(t, 0, t.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) continue;
            candidates.emplace_back(pol.filter_extract.empty() ? t : expand(re, pol.filter_extract, groups), &t);
        }
    } else {
        for (const auto& t : tags) candidates.emplace_back(t, &t);
    }
    const std::string* best = nullptr;
    switch (pol.kind) {
    case tag_order::semver: {
        std::optional<semver> top;
        for (const auto& [v, tag] : candidates) {
            auto parsed = semver::parse(v);
            if (!parsed || !impl_->range->matches(*parsed)) continue;
            if (!top || top->compare(*parsed) < 0) {
                top = std::move(*parsed);
                best = tag;
            }
        }
        break;
    }
    case tag_order::alphabetical: {
        const std::string* top = nullptr;
        for (const auto& [v, tag] : candidates) {
            if (!top || (pol.ascending ? *top < v : v < *top)) {
                top = &v;
                best = tag;
            }
        }
        break;
    }
    case tag_order::numerical: {
        std::optional<double> top;
        for (const auto& [v, tag] : candidates) {
            auto n = parse_number(v);
            if (!n)
                return terminal_error("tag '" + *tag + "' gives '" + v +
                                          "', which is not a number: use filterTags to select numeric tags",
                                      "InvalidPolicy");
            if (!top || (pol.ascending ? *top < *n : *n < *top)) {
                top = n;
                best = tag;
            }
        }
        break;
    }
    }
    if (!best) return std::optional<std::string>{};
    return std::optional<std::string>(*best);
}

std::vector<std::string> latest_tags(std::vector<std::string> tags, std::size_t n)
{
    std::sort(tags.begin(), tags.end(), std::greater<>());
    if (tags.size() > n) tags.resize(n);
    return tags;
}

struct tag_exclusions::impl {
    std::vector<std::unique_ptr<RE2>> res;
};

tag_exclusions::tag_exclusions(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tag_exclusions::~tag_exclusions() = default;
tag_exclusions::tag_exclusions(tag_exclusions&&) noexcept = default;
tag_exclusions& tag_exclusions::operator=(tag_exclusions&&) noexcept = default;

result<tag_exclusions> tag_exclusions::compile(const std::vector<std::string>& patterns)
{
    auto p = std::make_unique<impl>();
    for (const auto& pat : patterns) {
        error e;
        auto re = compile_re(pat, "spec.exclusionList", &e);
        if (!re) return e;
        p->res.push_back(std::move(re));
    }
    return tag_exclusions(std::move(p));
}

bool tag_exclusions::excluded(const std::string& tag) const
{
    for (const auto& re : impl_->res)
        if (RE2::PartialMatch(tag, *re)) return true;
    return false;
}

std::vector<std::string> tag_exclusions::filter(std::vector<std::string> tags) const
{
    std::erase_if(tags, [&](const std::string& t) { return excluded(t); });
    return tags;
}

} // namespace weir::oci
