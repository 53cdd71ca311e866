#include <weir/core/yaml.hpp>
#include <weir/kustomization/build.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace weir::kustomization {
namespace fs = std::filesystem;
namespace {

error build_failed(std::string message)
{
    return terminal_error(std::move(message), "BuildFailed");
}

// Writes a new file and renames it over `file`: the artifact tree may be hard links shared with
// other builds (artifact::extracted_cache), so an existing file is never written in place.
status replace_file(const fs::path& file, const std::string& text)
{
    fs::path next = file;
    next += ".weir-new";
    {
        std::ofstream out(next, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) return build_failed(fmt::format("cannot write {}", file.string()));
    }
    std::error_code ec;
    fs::rename(next, file, ec);
    if (ec) return build_failed(fmt::format("cannot replace {}: {}", file.string(), ec.message()));
    return ok();
}

constexpr std::string_view kustomization_names[] = {"kustomization.yaml", "kustomization.yml",
                                                    "Kustomization"};

std::optional<fs::path> kustomization_file(const fs::path& dir)
{
    for (auto n : kustomization_names)
        if (fs::is_regular_file(dir / n)) return dir / n;
    return std::nullopt;
}

result<std::string> read_text(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return build_failed(fmt::format("cannot read {}", p.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool is_manifest_file(const fs::path& p)
{
    auto ext = p.extension().string();
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") return false;
    auto text = read_text(p);
    if (!text) return false;
    auto docs = parse_yaml_stream(*text);
    if (!docs) return false;
    return std::any_of(docs->begin(), docs->end(),
                       [](const value& d) { return d.find("apiVersion") && d.find("kind"); });
}

// Collects manifests below dir, relative to it, in a stable order.
void collect(const fs::path& root, const fs::path& dir, std::vector<std::string>& out)
{
    std::vector<fs::directory_entry> entries{fs::directory_iterator(dir), fs::directory_iterator()};
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& e : entries) {
        if (e.is_symlink()) continue;
        if (e.is_directory()) {
            if (e.path().filename().string().front() == '.') continue;
            if (kustomization_file(e.path()))
                out.push_back(fs::relative(e.path(), root).string());
            else
                collect(root, e.path(), out);
        } else if (e.is_regular_file() && is_manifest_file(e.path())) {
            out.push_back(fs::relative(e.path(), root).string());
        }
    }
}

value selector_value(const api::kustomize_v1::selector& s)
{
    object o;
    std::pair<const char*, const std::string*> fields[] = {{"group", &s.group},
                                                           {"version", &s.version},
                                                           {"kind", &s.kind},
                                                           {"name", &s.name},
                                                           {"namespace", &s.namespace_},
                                                           {"labelSelector", &s.label_selector},
                                                           {"annotationSelector", &s.annotation_selector}};
    for (auto [k, v] : fields)
        if (!v->empty()) o.push_back(k, *v);
    return o;
}

void append_all(value& kust, std::string_view key, array items)
{
    if (items.empty()) return;
    value& list = kust[key];
    if (!list.is_array()) list = array{};
    for (auto& i : items)
        list.as_array().push_back(std::move(i));
}

// Step 3: the spec's overrides merged into the kustomization, as Flux does (in memory).
result<std::string> overlay_spec(const std::string& text, const fs::path& dir,
                                 const api::kustomize_v1::kustomization_spec& spec)
{
    auto parsed = parse_yaml(text);
    if (!parsed) {
        auto file = kustomization_file(dir);
        return build_failed(fmt::format("{}: {}", file ? file->filename().string() : "kustomization.yaml",
                                        parsed.err().message));
    }
    value kust = parsed->is_null() ? value{object{}} : std::move(*parsed);
    if (!spec.target_namespace.empty()) kust["namespace"] = spec.target_namespace;
    if (!spec.name_prefix.empty())
        kust["namePrefix"] = spec.name_prefix + std::string(kust.get_string("namePrefix"));
    if (!spec.name_suffix.empty())
        kust["nameSuffix"] = std::string(kust.get_string("nameSuffix")) + spec.name_suffix;
    array patches;
    for (const auto& p : spec.patches) {
        value pv = object{{"patch", p.patch}};
        if (p.target) pv["target"] = selector_value(*p.target);
        patches.push_back(std::move(pv));
    }
    append_all(kust, "patches", std::move(patches));
    array images;
    for (const auto& im : spec.images) {
        value iv = object{{"name", im.name}};
        if (!im.new_name.empty()) iv["newName"] = im.new_name;
        if (!im.new_tag.empty()) iv["newTag"] = im.new_tag;
        if (!im.digest.empty()) iv["digest"] = im.digest;
        images.push_back(std::move(iv));
    }
    append_all(kust, "images", std::move(images));
    array components;
    for (const auto& c : spec.components) {
        if (spec.ignore_missing_components && !fs::exists(dir / c)) continue;
        components.push_back(c);
    }
    append_all(kust, "components", std::move(components));
    return to_yaml(kust);
}

result<fs::path> resolve_path(const fs::path& root, const std::string& path)
{
    std::error_code ec;
    fs::path canonical_root = fs::canonical(root, ec);
    if (ec) return build_failed(fmt::format("artifact directory {} is missing", root.string()));
    fs::path dir = fs::weakly_canonical(canonical_root / fs::path(path).relative_path(), ec);
    auto rel = fs::relative(dir, canonical_root, ec);
    if (ec || rel.empty() || *rel.begin() == "..")
        return build_failed(fmt::format("path '{}' points outside the source artifact", path));
    if (!fs::is_directory(dir)) return build_failed(fmt::format("kustomization path not found: '{}'", path));
    return dir;
}

status check_object(const value& obj, std::size_t index)
{
    if (!obj.is_object()) return build_failed(fmt::format("object {} of the build is not a mapping", index));
    for (auto f : {"apiVersion", "kind"})
        if (obj.get_string(f).empty())
            return build_failed(fmt::format("object {} of the build has no {}", index, f));
    const value* name = obj.find_path({"metadata", "name"});
    if (!name || !name->is_string() || name->as_string().empty())
        return build_failed(fmt::format("{} at position {} of the build has no metadata.name",
                                        obj.get_string("kind"), index));
    return ok();
}

void stamp(value& obj, std::string_view key, const std::vector<std::pair<std::string, std::string>>& entries)
{
    if (entries.empty()) return;
    value& m = obj["metadata"][key];
    if (!m.is_object()) m = object{};
    for (const auto& [k, v] : entries)
        m.as_object().set(k, v);
}

} // namespace

std::vector<std::pair<std::string, std::string>> owner_labels(std::string_view name,
                                                              std::string_view namespace_)
{
    return {{"kustomize.toolkit.fluxcd.io/name", std::string(name)},
            {"kustomize.toolkit.fluxcd.io/namespace", std::string(namespace_)}};
}

result<std::string> kustomization_text(const fs::path& dir)
{
    if (auto file = kustomization_file(dir)) return read_text(*file);
    std::vector<std::string> resources;
    collect(dir, dir, resources);
    array list;
    for (auto& r : resources)
        list.push_back(std::move(r));
    value kust = object{{"apiVersion", "kustomize.config.k8s.io/v1beta1"},
                        {"kind", "Kustomization"},
                        {"resources", std::move(list)}};
    return to_yaml(kust);
}

status generate_kustomization(const fs::path& dir)
{
    if (kustomization_file(dir)) return ok();
    WEIR_TRY_ASSIGN(std::string text, kustomization_text(dir));
    return replace_file(dir / "kustomization.yaml", text);
}

result<std::vector<value>> build(const build_request& request)
{
    WEIR_TRY_ASSIGN(fs::path dir, resolve_path(request.root, request.spec.path));
    WEIR_TRY_ASSIGN(std::string text, kustomization_text(dir));
    WEIR_TRY_ASSIGN(std::string overlaid, overlay_spec(text, dir, request.spec));
    auto built = kustomize::build(dir, {.secret_source_filter = request.secret_source_filter,
                                        .root_kustomization = std::move(overlaid)});
    if (!built) return build_failed(fmt::format("kustomize build failed: {}", built.err().message));
    std::vector<value> objects = std::move(*built);
    std::vector<std::pair<std::string, std::string>> labels = owner_labels(request.name, request.namespace_);
    for (const auto& [k, v] : request.spec.common_labels)
        labels.emplace_back(k, v);
    std::vector<std::pair<std::string, std::string>> annotations(request.spec.common_annotations.begin(),
                                                                 request.spec.common_annotations.end());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        WEIR_TRY(check_object(objects[i], i));
        if (request.post_build) WEIR_TRY(request.post_build(objects[i]));
        stamp(objects[i], "labels", labels);
        stamp(objects[i], "annotations", annotations);
    }
    return objects;
}

} // namespace weir::kustomization
