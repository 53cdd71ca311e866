#include "helpers.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/artifact/tarball.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace weir::artifact;
using namespace weir::test;

namespace {

void make_tree(const fs::path& root)
{
    write_text(root / "b.yaml", "kind: B\n");
    write_text(root / "a/z.yaml", "kind: Z\n");
    write_text(root / "a/y.yaml", "kind: Y\n");
    write_text(root / "run.sh", "#!/bin/sh\n");
    ::chmod((root / "run.sh").c_str(), 0700);
    write_text(root / (std::string(150, 'n') + ".yaml"), "long: name\n");
}

} // namespace

TEST_CASE("the same tree always gives the same bytes and digest whatever the mtimes and owners", "[artifact][tar]")
{
    scratch_dir d;
    make_tree(d / "t1");
    auto r1 = build_tarball(d / "t1", d / "1.tar.gz");
    REQUIRE(r1);
    // Same content, written in another order, other mtimes and another umask-ish mode.
    write_text(d / "t2/run.sh", "#!/bin/sh\n");
    ::chmod((d / "t2/run.sh").c_str(), 0755);
    write_text(d / "t2" / (std::string(150, 'n') + ".yaml"), "long: name\n");
    write_text(d / "t2/a/y.yaml", "kind: Y\n");
    write_text(d / "t2/a/z.yaml", "kind: Z\n");
    write_text(d / "t2/b.yaml", "kind: B\n");
    ::chmod((d / "t2/b.yaml").c_str(), 0600);
    auto r2 = build_tarball(d / "t2", d / "2.tar.gz");
    REQUIRE(r2);
    CHECK(r1->digest == r2->digest);
    CHECK(read_text(d / "1.tar.gz") == read_text(d / "2.tar.gz"));
    CHECK(r1->digest == *file_digest(d / "1.tar.gz"));
    CHECK(r1->size == fs::file_size(d / "1.tar.gz"));
    CHECK(r1->files == 5);

    write_text(d / "t2/b.yaml", "kind: B2\n");
    auto r3 = build_tarball(d / "t2", d / "3.tar.gz");
    REQUIRE(r3);
    CHECK(r3->digest != r1->digest);
}

TEST_CASE("archive entries are sorted with fixed mtime and no owner and normalized modes", "[artifact][tar]")
{
    scratch_dir d;
    make_tree(d / "t");
    REQUIRE(build_tarball(d / "t", d / "t.tar.gz"));
    auto entries = list_tar(d / "t.tar.gz");
    std::vector<std::string> names;
    for (auto& e : entries) {
        names.push_back(e.name);
        CHECK(e.mtime == 0);
        CHECK(e.uid == 0);
        CHECK(e.gid == 0);
        CHECK(e.uname.empty());
        CHECK(e.gname.empty());
        if (e.type == AE_IFDIR || e.name == "run.sh") CHECK(e.perm == 0755);
        else CHECK(e.perm == 0644);
    }
    REQUIRE(names.size() == 6);
    CHECK(names[0] == "a/"); // directories carry the tar convention slash
    CHECK(names[1] == "a/y.yaml");
    CHECK(names[2] == "a/z.yaml");
    CHECK(names[3] == "b.yaml");
    CHECK(names[4] == std::string(150, 'n') + ".yaml");
    CHECK(names[5] == "run.sh");

    auto bytes = read_text(d / "t.tar.gz");
    REQUIRE(bytes.size() > 10);
    CHECK(static_cast<unsigned char>(bytes[0]) == 0x1f);
    CHECK((bytes[3] & 0x08) == 0);                           // no FNAME
    CHECK(bytes.substr(4, 4) == std::string(4, '\0'));       // MTIME 0
}

TEST_CASE("ignored paths and directories are left out of the archive", "[artifact][tar]")
{
    scratch_dir d;
    write_text(d / "t/.git/config", "x");
    write_text(d / "t/.github/workflows/ci.yaml", "x");
    write_text(d / "t/app/deploy.yaml", "x");
    write_text(d / "t/app/logo.png", "x");
    ignore_matcher m;
    m.add_defaults();
    auto r = build_tarball(d / "t", d / "t.tar.gz", {.ignore = &m});
    REQUIRE(r);
    std::vector<std::string> names;
    for (auto& e : list_tar(d / "t.tar.gz")) names.push_back(e.name);
    CHECK(names == std::vector<std::string>{"app/", "app/deploy.yaml"});
}

TEST_CASE("symlinks inside the tree are kept and symlinks leaving it are skipped", "[artifact][tar]")
{
    scratch_dir d;
    write_text(d / "t/real.yaml", "x");
    fs::create_directories(d / "t/sub");
    fs::create_symlink("../real.yaml", d / "t/sub/inside");
    fs::create_symlink("/etc/passwd", d / "t/abs");
    fs::create_symlink("../../outside", d / "t/sub/rel");
    fs::create_symlink(".", d / "t/self");
    fs::create_symlink("self/..", d / "t/sneaky"); // lexically inside, really the parent
    auto r = build_tarball(d / "t", d / "t.tar.gz");
    REQUIRE(r);
    std::vector<std::string> names;
    for (auto& e : list_tar(d / "t.tar.gz")) names.push_back(e.name);
    CHECK(names == std::vector<std::string>{"real.yaml", "self", "sub/", "sub/inside"});
    CHECK(r->skipped == std::vector<std::string>{"abs", "sneaky", "sub/rel"});
}

TEST_CASE("a built archive extracts back to the same files and modes and links", "[artifact][tar]")
{
    scratch_dir d;
    make_tree(d / "t");
    fs::create_symlink("b.yaml", d / "t/link");
    REQUIRE(build_tarball(d / "t", d / "t.tar.gz"));
    auto x = extract_tarball(d / "t.tar.gz", d / "out");
    REQUIRE(x);
    CHECK(x->files == 5);
    CHECK(read_text(d / "out/a/y.yaml") == "kind: Y\n");
    CHECK(read_text(d / "out" / (std::string(150, 'n') + ".yaml")) == "long: name\n");
    CHECK((fs::status(d / "out/run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);
    CHECK(fs::read_symlink(d / "out/link") == "b.yaml");
}

TEST_CASE("hostile tarballs are rejected with the entry named and the previous content kept", "[artifact][tar]")
{
    scratch_dir d;
    write_text(d / "out/previous.yaml", "kept");
    struct hostile {
        const char* what;
        std::vector<tar_entry> entries;
        const char* needle;
    };
    std::vector<hostile> cases = {
        {"absolute path", {{.name = "/etc/evil", .data = "x"}}, "'/etc/evil': absolute"},
        {"dot-dot", {{.name = "ok/../../evil", .data = "x"}}, "'ok/../../evil': path leaves"},
        {"absolute symlink", {{.name = "l", .type = AE_IFLNK, .link = "/etc"}}, "'l': symlink to '/etc'"},
        {"relative symlink escaping", {{.name = "a/l", .type = AE_IFLNK, .link = "../../x"}}, "'a/l': symlink"},
        {"symlink chain escaping",
         {{.name = "self", .type = AE_IFLNK, .link = "."}, {.name = "up", .type = AE_IFLNK, .link = "self/.."}},
         "'up': symlink resolves outside"},
        {"write through a symlink",
         {{.name = "d/f", .data = "x"}, {.name = "s", .type = AE_IFLNK, .link = "d"}, {.name = "s/g", .data = "y"}},
         "'s/g': parent 's' is not a directory"},
        {"hardlink escaping", {{.name = "h", .hardlink = "../../etc/passwd"}}, "'h': hardlink"},
        {"character device", {{.name = "dev", .type = AE_IFCHR}}, "'dev': device, fifo"},
        {"fifo", {{.name = "pipe", .type = AE_IFIFO}}, "'pipe': device, fifo"},
    };
    for (auto& c : cases) {
        SECTION(c.what)
        {
            write_tar(d / "bad.tar.gz", c.entries);
            auto x = extract_tarball(d / "bad.tar.gz", d / "out");
            REQUIRE_FALSE(x);
            INFO(x.err().message);
            CHECK(x.err().message.find(c.needle) != std::string::npos);
            CHECK(x.err().terminal());
            CHECK(read_text(d / "out/previous.yaml") == "kept");
            CHECK_FALSE(fs::exists("/etc/evil"));
            std::size_t leftovers = 0;
            for (auto& e : fs::directory_iterator(d.path)) leftovers += e.path().filename().string().find(".extract-") != std::string::npos;
            CHECK(leftovers == 0);
        }
    }
}

TEST_CASE("a tarball bomb stops at the byte limit and the entry limit", "[artifact][tar]")
{
    scratch_dir d;
    write_tar(d / "bomb.tar.gz", {{.name = "zeros", .data = std::string(64 << 20, '\0')}});
    CHECK(fs::file_size(d / "bomb.tar.gz") < (1 << 20)); // compresses ~1000:1
    auto x = extract_tarball(d / "bomb.tar.gz", d / "out", {.max_bytes = 8 << 20});
    REQUIRE_FALSE(x);
    CHECK(x.err().message.find("'zeros'") != std::string::npos);
    CHECK(x.err().message.find("limit") != std::string::npos);
    CHECK_FALSE(fs::exists(d / "out"));

    std::vector<tar_entry> many;
    for (int i = 0; i < 200; ++i) many.push_back({.name = "f" + std::to_string(i), .data = "x"});
    write_tar(d / "many.tar.gz", many);
    auto y = extract_tarball(d / "many.tar.gz", d / "out", {.max_entries = 100});
    REQUIRE_FALSE(y);
    CHECK(y.err().message.find("more than 100 entries") != std::string::npos);
    CHECK(extract_tarball(d / "many.tar.gz", d / "out", {.max_entries = 1000}));
}

TEST_CASE("a truncated tarball is an error and leaves the target as it was", "[artifact][tar]")
{
    scratch_dir d;
    write_tar(d / "t.tar.gz", {{.name = "big", .data = std::string(1 << 20, 'x') + "end"}});
    auto bytes = read_text(d / "t.tar.gz");
    write_text(d / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
    write_text(d / "out/old", "old");
    auto x = extract_tarball(d / "cut.tar.gz", d / "out");
    REQUIRE_FALSE(x);
    CHECK(read_text(d / "out/old") == "old");
    CHECK_FALSE(fs::exists(d / "out/big"));
}

TEST_CASE("digests are sha256:<hex> and malformed digests are refused", "[artifact][digest]")
{
    CHECK(digest_of("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(digest_of("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(digest_hex("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK_FALSE(digest_hex("md5:abc"));
    CHECK_FALSE(digest_hex("sha256:ABC"));
    CHECK_FALSE(digest_hex("sha256:ba7816bf"));
}
