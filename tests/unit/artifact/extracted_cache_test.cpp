// The shared extraction cache: one download per digest, working trees of hard links that builds
// may change without touching each other or the cache.
#include "helpers.hpp"

#include <weir/artifact/extracted_cache.hpp>
#include <weir/artifact/file_server.hpp>
#include <weir/artifact/storage.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace weir::artifact;
using namespace weir::test;

namespace {

struct served_artifacts {
    scratch_dir d;
    storage st{d / "data", "unused"};
    file_server srv{d / "data"};
    served_artifacts() { REQUIRE(srv.start()); }

    std::pair<std::string, std::string> publish(const std::string& name, const std::string& content)
    {
        write_text(d / ("src-" + name + "/app/deploy.yaml"), content);
        auto art = st.archive({"gitrepository", "ns", name}, name + ".tar.gz", d / ("src-" + name));
        REQUIRE(art);
        return {"http://127.0.0.1:" + std::to_string(srv.port()) + "/" + art->path, art->digest};
    }
};

nlink_t link_count(const fs::path& p)
{
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_nlink;
}

} // namespace

TEST_CASE("extracted cache: two checkouts of one digest share the files as hard links", "[artifact][cache]")
{
    served_artifacts a;
    auto [url, digest] = a.publish("one", "kind: Deployment\n");
    extracted_cache cache(a.d / "cache");
    REQUIRE(cache.checkout(url, digest, a.d / "work1"));
    REQUIRE(cache.checkout(url, digest, a.d / "work2"));
    CHECK(read_text(a.d / "work2/app/deploy.yaml") == "kind: Deployment\n");
    CHECK(link_count(a.d / "work1/app/deploy.yaml") == 3); // the cache and both trees
    CHECK(cache.size() == 1);
}

TEST_CASE("extracted cache: replacing a file in one tree changes neither the cache nor other trees",
          "[artifact][cache]")
{
    served_artifacts a;
    auto [url, digest] = a.publish("one", "original\n");
    extracted_cache cache(a.d / "cache");
    REQUIRE(cache.checkout(url, digest, a.d / "work1"));
    write_text(a.d / "work1/app/deploy.yaml.new", "changed\n");
    fs::rename(a.d / "work1/app/deploy.yaml.new", a.d / "work1/app/deploy.yaml");
    REQUIRE(cache.checkout(url, digest, a.d / "work2"));
    CHECK(read_text(a.d / "work2/app/deploy.yaml") == "original\n");
    CHECK(read_text(a.d / "work1/app/deploy.yaml") == "changed\n");
}

TEST_CASE("extracted cache: evicting a digest leaves trees linked from it intact", "[artifact][cache]")
{
    served_artifacts a;
    auto [url1, digest1] = a.publish("one", "first\n");
    auto [url2, digest2] = a.publish("two", "second\n");
    extracted_cache cache(a.d / "cache", /*max_digests=*/1);
    REQUIRE(cache.checkout(url1, digest1, a.d / "work1"));
    REQUIRE(cache.checkout(url2, digest2, a.d / "work2"));
    CHECK(cache.size() == 1);
    CHECK(read_text(a.d / "work1/app/deploy.yaml") == "first\n");
    REQUIRE(cache.checkout(url1, digest1, a.d / "work3")); // fetched again
    CHECK(read_text(a.d / "work3/app/deploy.yaml") == "first\n");
}

TEST_CASE("extracted cache: a wrong digest or a malformed one fails and caches nothing", "[artifact][cache]")
{
    served_artifacts a;
    auto [url, digest] = a.publish("one", "x\n");
    extracted_cache cache(a.d / "cache");
    std::string wrong = "sha256:" + std::string(64, '0');
    auto bad = cache.checkout(url, wrong, a.d / "work1");
    REQUIRE_FALSE(bad);
    CHECK_FALSE(bad.err().terminal());
    CHECK(cache.size() == 0);
    auto traversal = cache.checkout(url, "../../etc", a.d / "work2");
    REQUIRE_FALSE(traversal);
    CHECK(traversal.err().terminal());
    CHECK_FALSE(fs::exists(a.d / "work2"));
}
