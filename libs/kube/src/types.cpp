#include <weir/kube/types.hpp>

namespace weir::kube {

std::string gvk::api_version() const { return group.empty() ? version : group + "/" + version; }

gvk gvk::from_api_version(std::string_view api_version, std::string_view kind)
{
    gvk out;
    out.kind = std::string(kind);
    if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
        out.group = std::string(api_version.substr(0, slash));
        out.version = std::string(api_version.substr(slash + 1));
    } else {
        out.version = std::string(api_version);
    }
    return out;
}

gvk gvk::of(const weir::value& obj) { return from_api_version(obj.get_string("apiVersion"), obj.get_string("kind")); }

std::string gvk::str() const
{
    std::string out = kind + "." + version;
    if (!group.empty()) out += "." + group;
    return out;
}

object_key object_key::of(const weir::value& obj)
{
    return {std::string(namespace_of(obj)), std::string(name_of(obj))};
}

object_key object_key::parse(std::string_view key)
{
    if (auto slash = key.find('/'); slash != std::string_view::npos)
        return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
    return {{}, std::string(key)};
}

std::string object_key::str() const { return namespace_.empty() ? name : namespace_ + "/" + name; }

namespace {
const weir::value* metadata(const weir::value& obj) { return obj.find("metadata"); }
std::string_view meta_string(const weir::value& obj, std::string_view key)
{
    const weir::value* m = metadata(obj);
    return m ? m->get_string(key) : std::string_view{};
}
} // namespace

std::string_view name_of(const weir::value& obj) { return meta_string(obj, "name"); }
std::string_view namespace_of(const weir::value& obj) { return meta_string(obj, "namespace"); }
std::string_view resource_version_of(const weir::value& obj) { return meta_string(obj, "resourceVersion"); }
std::string_view uid_of(const weir::value& obj) { return meta_string(obj, "uid"); }

std::int64_t generation_of(const weir::value& obj)
{
    const weir::value* m = metadata(obj);
    const weir::value* g = m ? m->find("generation") : nullptr;
    return g && g->is_int() ? g->as_int() : 0;
}

const weir::value* labels_of(const weir::value& obj)
{
    const weir::value* m = metadata(obj);
    return m ? m->find("labels") : nullptr;
}

const weir::value* annotations_of(const weir::value& obj)
{
    const weir::value* m = metadata(obj);
    return m ? m->find("annotations") : nullptr;
}

} // namespace weir::kube
