// Duplicate fields in a JSON request body. weir's JSON parser refuses them; the real server
// keeps the last value and, under fieldValidation Strict, refuses the request, under Warn warns.
// This scanner finds them (with the decoder's field paths) and writes the body with only the
// last occurrence of each, so that the ordinary parser can read it.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <cctype>

namespace weir::apiserver {

namespace {

class deduper {
public:
    explicit deduper(std::string_view text) : s_(text) {}
    std::vector<std::string> found;

    bool run(std::string& out)
    {
        if (!value_at("", out)) return false;
        ws();
        return i_ == s_.size();
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;

    void ws()
    {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
            ++i_;
    }
    bool string_at(std::string& raw)
    {
        if (i_ >= s_.size() || s_[i_] != '"') return false;
        std::size_t start = i_++;
        while (i_ < s_.size() && s_[i_] != '"')
            i_ += s_[i_] == '\\' ? 2 : 1;
        if (i_ >= s_.size()) return false;
        ++i_;
        raw.assign(s_.substr(start, i_ - start));
        return true;
    }
    bool value_at(const std::string& path, std::string& out)
    {
        ws();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == '{') return object_at(path, out);
        if (s_[i_] == '[') return array_at(path, out);
        if (s_[i_] == '"') {
            std::string raw;
            if (!string_at(raw)) return false;
            out += raw;
            return true;
        }
        std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' &&
               !std::isspace(static_cast<unsigned char>(s_[i_])))
            ++i_;
        out += s_.substr(start, i_ - start);
        return i_ > start;
    }
    bool array_at(const std::string& path, std::string& out)
    {
        ++i_;
        out += '[';
        ws();
        for (std::size_t n = 0; i_ < s_.size() && s_[i_] != ']'; ++n) {
            if (n) {
                if (s_[i_] != ',') return false;
                ++i_;
                out += ',';
            }
            if (!value_at(fmt::format("{}[{}]", path, n), out)) return false;
            ws();
        }
        if (i_ >= s_.size()) return false;
        ++i_;
        out += ']';
        return true;
    }
    bool object_at(const std::string& path, std::string& out)
    {
        ++i_;
        std::vector<std::pair<std::string, std::string>> members; // raw key, member text
        ws();
        while (i_ < s_.size() && s_[i_] != '}') {
            if (!members.empty()) {
                if (s_[i_] != ',') return false;
                ++i_;
                ws();
            }
            std::string key;
            if (!string_at(key)) return false;
            ws();
            if (i_ >= s_.size() || s_[i_] != ':') return false;
            ++i_;
            std::string name = key.substr(1, key.size() - 2);
            std::string child = path.empty() ? name : path + "." + name;
            std::string text = key + ":";
            if (!value_at(child, text)) return false;
            for (auto it = members.begin(); it != members.end(); ++it)
                if (it->first == key) {
                    found.push_back(child);
                    members.erase(it);
                    break;
                }
            members.emplace_back(std::move(key), std::move(text));
            ws();
        }
        if (i_ >= s_.size()) return false;
        ++i_;
        out += '{';
        for (std::size_t k = 0; k < members.size(); ++k)
            out += (k ? "," : "") + members[k].second;
        out += '}';
        return true;
    }
};

} // namespace

result<value> parse_body_dedup(call& c, bool patch)
{
    auto parsed = parse_body(c);
    if (parsed || c.req.body.find('{') == std::string::npos ||
        parsed.err().message.find("duplicate key") == std::string::npos)
        return parsed;
    deduper d(c.req.body);
    std::string clean;
    if (!d.run(clean) || d.found.empty()) return parsed;
    std::string mode = c.param("fieldValidation", "Warn");
    if (mode == "Strict") {
        std::string fields;
        for (const auto& f : d.found)
            fields += fmt::format("{}duplicate field \"{}\"", fields.empty() ? "" : ", ", f);
        std::string msg = "strict decoding error: " + fields;
        if (!patch)
            msg = fmt::format("{} in version \"{}\" cannot be handled as a {}: {}", c.t.res->kind,
                              c.t.res->version, c.t.res->kind, msg);
        return api_error(400, "BadRequest", std::move(msg));
    }
    if (mode == "Warn")
        for (const auto& f : d.found)
            c.warnings.push_back(fmt::format("duplicate field \"{}\"", f));
    auto v = parse_json(clean);
    if (!v) return parsed;
    return std::move(v).value();
}

} // namespace weir::apiserver
