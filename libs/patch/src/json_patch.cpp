// RFC 6902 JSON patch and RFC 7386 JSON merge patch.
#include <weir/patch/patch.hpp>

#include <charconv>
#include <string>

namespace weir::patch {

result<std::vector<std::string>> parse_json_pointer(std::string_view pointer)
{
    std::vector<std::string> out;
    if (pointer.empty()) return out;
    if (pointer[0] != '/')
        return terminal_error("json pointer \"" + std::string(pointer) + "\" must start with '/'", "InvalidPatch");
    std::size_t pos = 1;
    while (true) {
        auto next = pointer.find('/', pos);
        std::string_view raw = pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        std::string tok;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                tok += raw[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                tok += raw[i];
            }
        }
        out.push_back(std::move(tok));
        if (next == std::string_view::npos) break;
        pos = next + 1;
    }
    return out;
}

namespace {

error patch_error(std::string_view op, std::string_view path, std::string_view why)
{
    return terminal_error("json patch " + std::string(op) + " " + std::string(path) + ": " + std::string(why),
                          "InvalidPatch");
}

// Index of an array token; `allow_end` accepts "-" (one past the end) and a negative index counts
// from the end, as kustomize's patch library allows.
result<std::size_t> array_index(const array& a, const std::string& tok, bool allow_end)
{
    if (tok == "-") {
        if (allow_end) return a.size();
        return terminal_error("index \"-\" is only valid for add");
    }
    long long i = 0;
    auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), i);
    if (ec != std::errc() || p != tok.data() + tok.size() || tok.empty())
        return terminal_error("\"" + tok + "\" is not an array index");
    if (i < 0) i += static_cast<long long>(a.size());
    std::size_t limit = allow_end ? a.size() : a.size() - 1;
    if (i < 0 || (a.empty() && !allow_end) || static_cast<std::size_t>(i) > limit)
        return terminal_error("array index " + tok + " is out of range");
    return static_cast<std::size_t>(i);
}

// The parent container of the pointer's last token.
result<value*> walk_parent(value& doc, const std::vector<std::string>& toks)
{
    value* cur = &doc;
    for (std::size_t i = 0; i + 1 < toks.size(); ++i) {
        if (cur->is_object()) {
            cur = cur->find(toks[i]);
            if (!cur) return terminal_error("missing key \"" + toks[i] + "\"");
        } else if (cur->is_array()) {
            WEIR_TRY_ASSIGN(auto idx, array_index(cur->as_array(), toks[i], false));
            cur = &cur->as_array()[idx];
        } else {
            return terminal_error("\"" + toks[i] + "\" is below a scalar");
        }
    }
    return cur;
}

result<value*> find_target(value& doc, const std::vector<std::string>& toks)
{
    if (toks.empty()) return &doc;
    WEIR_TRY_ASSIGN(value * parent, walk_parent(doc, toks));
    if (parent->is_object()) {
        value* v = parent->find(toks.back());
        if (!v) return terminal_error("missing key \"" + toks.back() + "\"");
        return v;
    }
    if (parent->is_array()) {
        WEIR_TRY_ASSIGN(auto idx, array_index(parent->as_array(), toks.back(), false));
        return &parent->as_array()[idx];
    }
    return terminal_error("\"" + toks.back() + "\" is below a scalar");
}

status do_add(value& doc, const std::vector<std::string>& toks, value v)
{
    if (toks.empty()) {
        doc = std::move(v);
        return ok();
    }
    WEIR_TRY_ASSIGN(value * parent, walk_parent(doc, toks));
    if (parent->is_object()) {
        parent->as_object().set(toks.back(), std::move(v));
        return ok();
    }
    if (parent->is_array()) {
        auto& a = parent->as_array();
        WEIR_TRY_ASSIGN(auto idx, array_index(a, toks.back(), true));
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(idx), std::move(v));
        return ok();
    }
    return terminal_error("cannot add below a scalar");
}

result<value> do_remove(value& doc, const std::vector<std::string>& toks)
{
    if (toks.empty()) return terminal_error("cannot remove the whole document");
    WEIR_TRY_ASSIGN(value * parent, walk_parent(doc, toks));
    if (parent->is_object()) {
        value* v = parent->find(toks.back());
        if (!v) return terminal_error("missing key \"" + toks.back() + "\"");
        value out = std::move(*v);
        parent->as_object().erase(toks.back());
        return out;
    }
    if (parent->is_array()) {
        auto& a = parent->as_array();
        WEIR_TRY_ASSIGN(auto idx, array_index(a, toks.back(), false));
        value out = std::move(a[idx]);
        a.erase(a.begin() + static_cast<std::ptrdiff_t>(idx));
        return out;
    }
    return terminal_error("cannot remove below a scalar");
}

status apply_one(value& doc, const value& op, const json_patch_options& opts)
{
    if (!op.is_object()) return terminal_error("json patch operation must be an object", "InvalidPatch");
    std::string name(op.get_string("op"));
    std::string path(op.get_string("path"));
    if (!op.find("path")) return patch_error(name, path, "missing \"path\"");
    WEIR_TRY_ASSIGN(auto toks, parse_json_pointer(path));
    auto wrap = [&](error e) { return patch_error(name, path, e.message); };
    if (name == "add" || name == "replace" || name == "test") {
        const value* v = op.find("value");
        if (!v) return patch_error(name, path, "missing \"value\"");
        if (name == "add") {
            if (auto s = do_add(doc, toks, *v); !s) return wrap(s.err());
            return ok();
        }
        if (name == "replace" && opts.replace_adds_missing_key && !toks.empty()) {
            auto parent = walk_parent(doc, toks);
            if (parent && (*parent)->is_object() && !(*parent)->find(toks.back())) {
                (*parent)->as_object().push_back(toks.back(), *v);
                return ok();
            }
        }
        auto t = find_target(doc, toks);
        if (!t) return wrap(t.err());
        if (name == "replace")
            **t = *v;
        else if (!(**t == *v))
            return patch_error(name, path, "value differs");
        return ok();
    }
    if (name == "remove") {
        if (auto r = do_remove(doc, toks); !r) return wrap(r.err());
        return ok();
    }
    if (name == "move" || name == "copy") {
        std::string from(op.get_string("from"));
        if (!op.find("from")) return patch_error(name, path, "missing \"from\"");
        WEIR_TRY_ASSIGN(auto ftoks, parse_json_pointer(from));
        value v;
        if (name == "move") {
            auto r = do_remove(doc, ftoks);
            if (!r) return wrap(r.err());
            v = std::move(*r);
        } else {
            auto t = find_target(doc, ftoks);
            if (!t) return wrap(t.err());
            v = **t;
        }
        if (auto s = do_add(doc, toks, std::move(v)); !s) return wrap(s.err());
        return ok();
    }
    return patch_error(name, path, "unknown operation (want add, remove, replace, move, copy or test)");
}

} // namespace

status apply_json_patch(value& doc, const value& ops, json_patch_options options)
{
    if (!ops.is_array()) return terminal_error("json patch must be a list of operations", "InvalidPatch");
    value work = doc;
    for (const auto& op : ops.as_array()) WEIR_TRY(apply_one(work, op, options));
    doc = std::move(work);
    return ok();
}

void apply_merge_patch(value& doc, const value& patch)
{
    if (!patch.is_object()) {
        doc = patch;
        return;
    }
    if (!doc.is_object()) doc = object{};
    for (const auto& [k, v] : patch.as_object()) {
        if (v.is_null()) {
            doc.as_object().erase(k);
            continue;
        }
        value& slot = doc.as_object()[k];
        apply_merge_patch(slot, v);
    }
}

} // namespace weir::patch
