#include <weir/apiserver/selector.hpp>

#include <algorithm>

namespace weir::apiserver {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

error bad(std::string_view what)
{
    error e = terminal_error("unable to parse requirement: " + std::string(what), "BadRequest");
    e.code = 400;
    return e;
}

// Label keys: an optional DNS prefix and '/', then a name of [A-Za-z0-9._-], 63 at most.
bool valid_key(std::string_view k)
{
    if (auto slash = k.find('/'); slash != std::string_view::npos) {
        if (slash == 0 || slash > 253) return false;
        k = k.substr(slash + 1);
    }
    if (k.empty() || k.size() > 63) return false;
    if (!std::isalnum(static_cast<unsigned char>(k.front())) || !std::isalnum(static_cast<unsigned char>(k.back())))
        return false;
    return std::all_of(k.begin(), k.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

bool valid_value(std::string_view v)
{
    if (v.empty()) return true;
    return v.size() <= 63 && valid_key(v) && v.find('/') == std::string_view::npos;
}

// Splits on commas outside parentheses.
std::vector<std::string_view> terms(std::string_view text)
{
    std::vector<std::string_view> out;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || (text[i] == ',' && depth == 0)) {
            out.push_back(trim(text.substr(start, i - start)));
            start = i + 1;
        } else if (text[i] == '(') {
            ++depth;
        } else if (text[i] == ')') {
            --depth;
        }
    }
    return out;
}

result<requirement> parse_term(std::string_view t, bool fields)
{
    requirement r;
    if (t.empty()) return bad("empty term");
    if (t.front() == '!') {
        r.key = std::string(trim(t.substr(1)));
        r.oper = requirement::op::not_exists;
    } else if (auto p = t.find("!="); p != std::string_view::npos) {
        r.key = std::string(trim(t.substr(0, p)));
        r.oper = requirement::op::neq;
        r.values.emplace_back(trim(t.substr(p + 2)));
    } else if (auto p2 = t.find("=="); p2 != std::string_view::npos) {
        r.key = std::string(trim(t.substr(0, p2)));
        r.values.emplace_back(trim(t.substr(p2 + 2)));
    } else if (auto p3 = t.find('='); p3 != std::string_view::npos) {
        r.key = std::string(trim(t.substr(0, p3)));
        r.values.emplace_back(trim(t.substr(p3 + 1)));
    } else if (auto sp = t.find(' '); sp != std::string_view::npos && !fields) {
        r.key = std::string(trim(t.substr(0, sp)));
        std::string_view rest = trim(t.substr(sp));
        if (rest.starts_with("notin")) {
            r.oper = requirement::op::notin;
            rest = trim(rest.substr(5));
        } else if (rest.starts_with("in")) {
            r.oper = requirement::op::in;
            rest = trim(rest.substr(2));
        } else {
            return bad(std::string(t) + ": expected 'in' or 'notin'");
        }
        if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
            return bad(std::string(t) + ": values must be in parentheses");
        for (auto v : terms(rest.substr(1, rest.size() - 2))) r.values.emplace_back(v);
    } else if (!fields) {
        r.key = std::string(t);
        r.oper = requirement::op::exists;
    } else {
        return bad(std::string(t) + ": field selectors need '=', '==' or '!='");
    }
    if (!fields && !valid_key(r.key)) return bad(std::string(t) + ": invalid label key \"" + r.key + "\"");
    if (fields && r.key.empty()) return bad(std::string(t) + ": empty field name");
    if (r.oper == requirement::op::not_exists && fields) return bad(std::string(t));
    if (!fields)
        for (const auto& v : r.values)
            if (!valid_value(v)) return bad(std::string(t) + ": invalid label value \"" + v + "\"");
    return r;
}

result<label_selector> parse(std::string_view text, bool fields)
{
    label_selector sel;
    text = trim(text);
    if (text.empty()) return sel;
    for (auto t : terms(text)) {
        WEIR_TRY_ASSIGN(auto r, parse_term(t, fields));
        sel.reqs.push_back(std::move(r));
    }
    return sel;
}

} // namespace

result<label_selector> parse_label_selector(std::string_view text) { return parse(text, false); }
result<label_selector> parse_field_selector(std::string_view text) { return parse(text, true); }

bool label_selector::matches(const std::vector<std::pair<std::string, std::string>>& labels) const
{
    for (const auto& r : reqs) {
        const std::string* v = nullptr;
        for (const auto& [k, val] : labels)
            if (k == r.key) v = &val;
        auto in = [&] { return v && std::find(r.values.begin(), r.values.end(), *v) != r.values.end(); };
        switch (r.oper) {
        case requirement::op::eq:
        case requirement::op::in:
            if (!in()) return false;
            break;
        case requirement::op::neq:
        case requirement::op::notin:
            if (in()) return false;
            break;
        case requirement::op::exists:
            if (!v) return false;
            break;
        case requirement::op::not_exists:
            if (v) return false;
            break;
        }
    }
    return true;
}

} // namespace weir::apiserver
