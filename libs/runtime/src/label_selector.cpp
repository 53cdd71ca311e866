#include <weir/runtime/label_selector.hpp>

#include <algorithm>

namespace weir::runtime {
namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// Splits on commas that are not inside parentheses.
std::vector<std::string_view> split_top(std::string_view s)
{
    std::vector<std::string_view> out;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || (s[i] == ',' && depth == 0)) {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        } else if (s[i] == '(') ++depth;
        else if (s[i] == ')') --depth;
    }
    return out;
}

} // namespace

result<label_selector> label_selector::parse(std::string_view text)
{
    label_selector sel;
    sel.text_ = std::string(trim(text));
    if (sel.text_.empty()) return sel;
    auto bad = [&](std::string_view why) {
        return terminal_error("label selector \"" + sel.text_ + "\": " + std::string(why), "InvalidSelector");
    };
    for (std::string_view part : split_top(sel.text_)) {
        if (part.empty()) return bad("empty requirement");
        requirement r;
        if (part.front() == '!') {
            r.key = std::string(trim(part.substr(1)));
            r.o = op::not_exists;
        } else if (auto p = part.find(" notin "); p != std::string_view::npos || part.find(" in ") != std::string_view::npos) {
            bool negate = p != std::string_view::npos;
            std::size_t at = negate ? p : part.find(" in ");
            r.key = std::string(trim(part.substr(0, at)));
            r.o = negate ? op::not_in : op::in;
            std::string_view list = trim(part.substr(at + (negate ? 7 : 4)));
            if (list.size() < 2 || list.front() != '(' || list.back() != ')') return bad("want a (list) after in/notin");
            list = list.substr(1, list.size() - 2);
            std::size_t start = 0;
            for (std::size_t i = 0; i <= list.size(); ++i)
                if (i == list.size() || list[i] == ',') {
                    r.values.emplace_back(trim(list.substr(start, i - start)));
                    start = i + 1;
                }
        } else if (auto ne = part.find("!="); ne != std::string_view::npos) {
            r.key = std::string(trim(part.substr(0, ne)));
            r.o = op::ne;
            r.values.emplace_back(trim(part.substr(ne + 2)));
        } else if (auto eq = part.find('='); eq != std::string_view::npos) {
            std::size_t skip = (eq + 1 < part.size() && part[eq + 1] == '=') ? 2 : 1;
            r.key = std::string(trim(part.substr(0, eq)));
            r.o = op::eq;
            r.values.emplace_back(trim(part.substr(eq + skip)));
        } else {
            r.key = std::string(part);
            r.o = op::exists;
        }
        if (r.key.empty() || r.key.find(' ') != std::string::npos) return bad("invalid key in \"" + std::string(part) + "\"");
        sel.reqs_.push_back(std::move(r));
    }
    return sel;
}

bool label_selector::matches(const weir::value* labels) const
{
    for (const auto& r : reqs_) {
        const weir::value* v = labels && labels->is_object() ? labels->find(r.key) : nullptr;
        bool has = v && v->is_string();
        const std::string* s = has ? &v->as_string() : nullptr;
        bool listed = has && std::find(r.values.begin(), r.values.end(), *s) != r.values.end();
        switch (r.o) {
        case op::eq: if (!has || *s != r.values[0]) return false; break;
        case op::ne: if (has && *s == r.values[0]) return false; break;
        case op::in: if (!listed) return false; break;
        case op::not_in: if (listed) return false; break;
        case op::exists: if (!has) return false; break;
        case op::not_exists: if (has) return false; break;
        }
    }
    return true;
}

} // namespace weir::runtime
