// Reading files under a kustomization root.
#include "internal.hpp"

#include <weir/core/yaml.hpp>

#include <cctype>
#include <fstream>
#include <sstream>

namespace weir::kustomize::detail {

result<std::string> read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return build_error("cannot read " + p.string() + ": no such file or not readable");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

bool is_below(const fs::path& p, const fs::path& root)
{
    auto r = root.native();
    auto s = p.native();
    if (s == r) return true;
    if (!r.empty() && r.back() != '/') r += '/';
    return s.compare(0, r.size(), r) == 0;
}

} // namespace

result<fs::path> loader::resolve_file(const std::string& rel, const std::string& what) const
{
    fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : root / rel;
    std::error_code ec;
    fs::path c = fs::canonical(p, ec);
    if (ec) return build_error(what + ": file '" + p.string() + "' does not exist");
    if (!opts->allow_files_outside_root && !is_below(c, root))
        return build_error(what + ": security; file '" + p.string() + "' is not in or below '" + root.string() + "'");
    return c;
}

result<std::string> loader::read(const std::string& rel, const std::string& what) const
{
    WEIR_TRY_ASSIGN(fs::path p, resolve_file(rel, what));
    std::error_code ec;
    if (fs::is_directory(p, ec)) return build_error(what + ": '" + p.string() + "' is a directory, want a file");
    return read_file(p);
}

// kustomize reads annotations as strings: a value written as 1, true or null comes out quoted.
// (It keeps the original spelling, e.g. "1.50" or "0x1F"; weir writes the value it parsed.)
void stringify_annotations(value& obj)
{
    value* ann = obj.find_path({"metadata", "annotations"});
    if (!ann || !ann->is_object()) return;
    for (auto& [k, v] : ann->as_object()) {
        if (v.is_string()) continue;
        if (v.is_null())
            v = "null";
        else if (v.is_bool())
            v = v.as_bool() ? "true" : "false";
        else if (v.is_number())
            v = to_scalar(v);
    }
}

result<std::vector<value>> parse_objects(std::string_view text, const std::string& file)
{
    auto docs = parse_yaml_stream(text, {.schema = yaml_schema::kyaml_1_2});
    if (!docs) return build_error("invalid YAML in " + file + ": " + docs.err().message);
    std::vector<value> out;
    for (auto& d : *docs) {
        if (d.is_null()) continue;
        if (!d.is_object()) return build_error(file + ": a resource must be a YAML map, got " + d.type_name());
        std::string_view kind = d.get_string("kind");
        const value* items = d.find("items");
        if (items && items->is_array() && (kind == "List" || (kind.size() > 4 && kind.ends_with("List")))) {
            for (auto& it : d.find("items")->as_array())
                if (it.is_object()) out.push_back(std::move(it));
            continue;
        }
        if (kind.empty()) return build_error(file + ": missing kind in a resource");
        // kustomize panics on such input (e.g. a SOPS-encrypted file listed as a resource).
        auto ident = [](std::string_view s, bool slash) {
            for (char c : s)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && !(slash && c == '/'))
                    return false;
            return !s.empty();
        };
        if (!ident(kind, false) || !ident(d.get_string("apiVersion", "v1"), true))
            return build_error(file + ": invalid apiVersion or kind \"" + std::string(kind).substr(0, 40) +
                               "\" (is the file still encrypted?)");
        stringify_annotations(d);
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace weir::kustomize::detail
