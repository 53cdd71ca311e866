#include <weir/core/temp_dir.hpp>
#include <weir/setters/setters.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace weir::setters;
namespace fs = std::filesystem;

namespace {

const policy_map policies{
    {"apps:app", {.name = "ghcr.io/org/app", .tag = "1.2.0", .digest = ""}},
    {"apps:pinned", {.name = "ghcr.io/org/app", .tag = "1.2.0", .digest = "sha256:abc"}},
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("a block scalar with a marker gets name:tag and the rest of the file stays byte for byte")
{
    std::string in = "# top comment\n"
                     "apiVersion: apps/v1\n"
                     "kind: Deployment\n"
                     "metadata:\n"
                     "  name: web   # trailing comment kept\n"
                     "  namespace: apps\n"
                     "spec:\n"
                     "  containers:\n"
                     "    - name: app\n"
                     "      image: ghcr.io/org/app:1.0.0   # {\"$imagepolicy\": \"apps:app\"}\n"
                     "      args: [\"--x\",   'y']\n";
    auto u = update_text(in, policies);
    std::string want = in;
    want.replace(want.find("ghcr.io/org/app:1.0.0"), 21, "ghcr.io/org/app:1.2.0");
    CHECK(u.text == want);
    REQUIRE(u.changes.size() == 1);
    CHECK(u.changes[0].old_value == "ghcr.io/org/app:1.0.0");
    CHECK(u.changes[0].new_value == "ghcr.io/org/app:1.2.0");
    CHECK(u.changes[0].setter == "apps:app");
    CHECK(u.changes[0].object == object_id{"web", "apps", "apps/v1", "Deployment"});
}

TEST_CASE("the tag, name and digest marker forms set only that part")
{
    std::string in = "image:\n"
                     "  repository: ghcr.io/org/old # {\"$imagepolicy\": \"apps:pinned:name\"}\n"
                     "  tag: 1.0.0 # {\"$imagepolicy\": \"apps:pinned:tag\"}\n"
                     "  digest: sha256:000 # {\"$imagepolicy\": \"apps:pinned:digest\"}\n"
                     "  full: x # {\"$imagepolicy\": \"apps:pinned\"}\n";
    auto u = update_text(in, policies);
    CHECK(u.text == "image:\n"
                    "  repository: ghcr.io/org/app # {\"$imagepolicy\": \"apps:pinned:name\"}\n"
                    "  tag: 1.2.0 # {\"$imagepolicy\": \"apps:pinned:tag\"}\n"
                    "  digest: sha256:abc # {\"$imagepolicy\": \"apps:pinned:digest\"}\n"
                    "  full: ghcr.io/org/app:1.2.0@sha256:abc # {\"$imagepolicy\": \"apps:pinned\"}\n");
    CHECK(u.changes.size() == 4);
}

TEST_CASE("quoting styles are kept: single quotes, double quotes, and plain text that needs quotes")
{
    std::string in = "a: 'ghcr.io/org/app:1.0' # {\"$imagepolicy\": \"apps:app\"}\n"
                     "b: \"ghcr.io/org/app:1.0\" # {\"$imagepolicy\": \"apps:app\"}\n"
                     "c: 1.0 # {\"$imagepolicy\": \"apps:app:tag\"}\n";
    auto u = update_text(in, policies);
    // 1.2.0 is not a number to YAML, so it stays plain
    CHECK(u.text == "a: 'ghcr.io/org/app:1.2.0' # {\"$imagepolicy\": \"apps:app\"}\n"
                    "b: \"ghcr.io/org/app:1.2.0\" # {\"$imagepolicy\": \"apps:app\"}\n"
                    "c: 1.2.0 # {\"$imagepolicy\": \"apps:app:tag\"}\n");
    policy_map numeric{{"apps:n", {.name = "x", .tag = "42", .digest = ""}}};
    auto n = update_text("tag: v41 # {\"$imagepolicy\": \"apps:n:tag\"}\n", numeric);
    CHECK(n.text == "tag: \"42\" # {\"$imagepolicy\": \"apps:n:tag\"}\n");
}

TEST_CASE("flow collections: the scalar right before the marker is set, others are not")
{
    std::string in = "args: [--image, ghcr.io/org/app:1.0] # {\"$imagepolicy\": \"apps:app\"}\n"
                     "m: {image: ghcr.io/org/app:1.0} # {\"$imagepolicy\": \"apps:app\"}\n";
    auto u = update_text(in, policies);
    CHECK(u.text == "args: [--image, ghcr.io/org/app:1.2.0] # {\"$imagepolicy\": \"apps:app\"}\n"
                    "m: {image: ghcr.io/org/app:1.2.0} # {\"$imagepolicy\": \"apps:app\"}\n");
}

TEST_CASE("an anchored scalar keeps its anchor and an alias is not a setter site")
{
    std::string in = "base: &img ghcr.io/org/app:1.0 # {\"$imagepolicy\": \"apps:app\"}\n"
                     "copy: *img # {\"$imagepolicy\": \"apps:app\"}\n";
    auto u = update_text(in, policies);
    CHECK(u.text == "base: &img ghcr.io/org/app:1.2.0 # {\"$imagepolicy\": \"apps:app\"}\n"
                    "copy: *img # {\"$imagepolicy\": \"apps:app\"}\n");
    CHECK(u.changes.size() == 1);
}

TEST_CASE("every document of a stream is updated and each change names its own object")
{
    std::string in = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n"
                     "data:\n  img: a:1 # {\"$imagepolicy\": \"apps:app\"}\n"
                     "---\n"
                     "apiVersion: v1\nkind: Pod\nmetadata: {name: two, namespace: ns}\n"
                     "spec:\n  image: b:1 # {\"$imagepolicy\": \"apps:app:tag\"}\n";
    auto u = update_text(in, policies);
    REQUIRE(u.changes.size() == 2);
    CHECK(u.changes[0].object.name == "one");
    CHECK(u.changes[0].object.kind == "ConfigMap");
    CHECK(u.changes[1].object == object_id{"two", "ns", "v1", "Pod"});
    CHECK(u.text.find("img: ghcr.io/org/app:1.2.0 #") != std::string::npos);
    CHECK(u.text.find("image: 1.2.0 #") != std::string::npos);
}

TEST_CASE("a marker on a non-image field sets that field all the same, as Flux's setters do")
{
    std::string in = "replicas: 3 # {\"$imagepolicy\": \"apps:app:tag\"}\n";
    auto u = update_text(in, policies);
    CHECK(u.text == "replicas: 1.2.0 # {\"$imagepolicy\": \"apps:app:tag\"}\n");
}

TEST_CASE("markers for unknown policies, other comments and equal values change nothing")
{
    std::string in = "a: x:1 # {\"$imagepolicy\": \"apps:missing\"}\n"
                     "b: ghcr.io/org/app:1.2.0 # {\"$imagepolicy\": \"apps:app\"}\n"
                     "c: x:1 # {\"$imagepolicy\": \"apps:app:digest\"}\n"
                     "d: x:1 # imagepolicy apps:app\n"
                     "\"$imagepolicy\": key-not-marker\n";
    auto u = update_text(in, policies);
    CHECK(u.text == in);
    CHECK(u.changes.empty());
    CHECK(u.skipped.empty());
}

TEST_CASE("a file that is not YAML is skipped with the parser's reason and left untouched")
{
    std::string in = "{ \"$imagepolicy\": [unclosed\n  image: : : x\n";
    auto u = update_text(in, policies);
    CHECK(u.text == in);
    CHECK(u.changes.empty());
    CHECK(u.skipped.find("not valid YAML") != std::string::npos);
}

TEST_CASE("a tree update edits YAML files and Kustomization files in place and ignores other files")
{
    weir::temp_dir dir(fs::temp_directory_path(), "setters-test");
    fs::create_directories(dir.path() / "clusters/prod");
    fs::create_directories(dir.path() / ".git");
    std::string marker = " # {\"$imagepolicy\": \"apps:app\"}\n";
    std::ofstream(dir.path() / "clusters/prod/deploy.yaml") << "image: old:1" << marker;
    std::ofstream(dir.path() / "clusters/prod/Kustomization") << "images:\n- name: x\n  newTag: 1" << marker;
    std::ofstream(dir.path() / "clusters/prod/notes.txt") << "image: old:1" << marker;
    std::ofstream(dir.path() / "clusters/prod/broken.yml") << "a: [" << marker;
    std::ofstream(dir.path() / ".git/config.yaml") << "image: old:1" << marker;
    auto r = update_tree(dir.path(), "./clusters", policies);
    REQUIRE(r);
    CHECK(r->files_changed == std::vector<std::string>{"clusters/prod/Kustomization", "clusters/prod/deploy.yaml"});
    CHECK(r->changes.size() == 2);
    CHECK(r->changes[1].file == "clusters/prod/deploy.yaml");
    REQUIRE(r->skipped.size() == 1);
    CHECK(r->skipped[0].starts_with("clusters/prod/broken.yml: not valid YAML"));
    CHECK(slurp(dir.path() / "clusters/prod/deploy.yaml") == "image: ghcr.io/org/app:1.2.0" + marker);
    CHECK(slurp(dir.path() / "clusters/prod/notes.txt") == "image: old:1" + marker);
    CHECK(slurp(dir.path() / ".git/config.yaml") == "image: old:1" + marker);
}

TEST_CASE("an update path outside the repository is a terminal InvalidPath error")
{
    weir::temp_dir dir(fs::temp_directory_path(), "setters-test");
    auto r = update_tree(dir.path(), "../elsewhere", policies);
    REQUIRE(!r);
    CHECK(r.err().terminal());
    CHECK(r.err().reason == "InvalidPath");
    CHECK(!update_tree(dir.path(), "missing", policies));
}
