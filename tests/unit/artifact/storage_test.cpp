#include "helpers.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/storage.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace weir::artifact;
using namespace weir::test;

namespace {
ino_t inode(const fs::path& p)
{
    struct stat st{};
    ::stat(p.c_str(), &st);
    return st.st_ino;
}
} // namespace

TEST_CASE("artifacts are stored as <kind>/<namespace>/<name>/<file> with url and digest and size", "[artifact][storage]")
{
    scratch_dir d;
    write_text(d / "src/a.yaml", "a: 1\n");
    storage st(d / "data", "source-controller.flux-system.svc.cluster.local.");
    object_ref obj{"gitrepository", "flux-system", "podinfo"};
    auto art = st.archive(obj, "abc.tar.gz", d / "src");
    REQUIRE(art);
    CHECK(art->path == "gitrepository/flux-system/podinfo/abc.tar.gz");
    CHECK(art->url == "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/abc.tar.gz");
    CHECK(fs::is_regular_file(d / "data/gitrepository/flux-system/podinfo/abc.tar.gz"));
    CHECK(art->digest == *file_digest(d / "data" / art->path));
    CHECK(art->size == fs::file_size(d / "data" / art->path));
    CHECK_FALSE(art->deduplicated);
    CHECK(fs::is_empty(d / "data/.tmp"));
}

TEST_CASE("identical trees stored for two objects share one file on disk", "[artifact][storage]")
{
    scratch_dir d;
    write_text(d / "src/a.yaml", "a: 1\n");
    storage st(d / "data", "host");
    auto a1 = st.archive({"gitrepository", "ns", "one"}, "r1.tar.gz", d / "src");
    auto a2 = st.archive({"gitrepository", "ns", "two"}, "r1.tar.gz", d / "src");
    REQUIRE(a1);
    REQUIRE(a2);
    CHECK(a2->deduplicated);
    CHECK(a1->digest == a2->digest);
    CHECK(inode(d / "data" / a1->path) == inode(d / "data" / a2->path));
}

TEST_CASE("garbage collection keeps the newest N artifacts and frees unshared blobs", "[artifact][storage]")
{
    scratch_dir d;
    storage st(d / "data", "host");
    object_ref obj{"gitrepository", "ns", "app"};
    std::vector<std::string> digests;
    for (int i = 0; i < 4; ++i) {
        auto art = st.write_file(obj, "rev" + std::to_string(i) + ".tar.gz", "content " + std::to_string(i));
        REQUIRE(art);
        digests.push_back(*digest_hex(art->digest));
    }
    // Another object shares rev0's bytes: its blob must survive.
    REQUIRE(st.write_file({"gitrepository", "ns", "other"}, "x.tar.gz", "content 0"));
    auto removed = st.garbage_collect(obj, 2);
    REQUIRE(removed);
    CHECK(*removed == std::vector<std::string>{"gitrepository/ns/app/rev1.tar.gz", "gitrepository/ns/app/rev0.tar.gz"});
    CHECK(st.exists(obj, "rev3.tar.gz"));
    CHECK(st.exists(obj, "rev2.tar.gz"));
    CHECK_FALSE(st.exists(obj, "rev1.tar.gz"));
    CHECK_FALSE(fs::exists(d / "data/.blobs/sha256" / digests[1]));
    CHECK(fs::exists(d / "data/.blobs/sha256" / digests[0]));
    CHECK(fs::exists(d / "data/.blobs/sha256" / digests[3]));

    // Re-storing an old name makes it the newest.
    REQUIRE(st.write_file(obj, "rev2.tar.gz", "content 2"));
    REQUIRE(st.write_file(obj, "rev4.tar.gz", "content 4"));
    REQUIRE(st.garbage_collect(obj, 2));
    CHECK(st.exists(obj, "rev2.tar.gz"));
    CHECK(st.exists(obj, "rev4.tar.gz"));
    CHECK_FALSE(st.exists(obj, "rev3.tar.gz"));
}

TEST_CASE("storage refuses names that would leave the layout", "[artifact][storage]")
{
    scratch_dir d;
    storage st(d / "data", "host");
    CHECK_FALSE(st.write_file({"gitrepository", "..", "x"}, "f", "x"));
    CHECK_FALSE(st.write_file({"gitrepository", "ns", "a/b"}, "f", "x"));
    auto r = st.write_file({"gitrepository", "ns", "x"}, "../f", "x");
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(r.err().message.find("'../f'") != std::string::npos);
}
