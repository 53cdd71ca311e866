// Helm's loader tests (helm/helm pkg/chart/v2/loader/load_test.go) on its frobnitz charts:
// directory and archive forms, apiVersion v1 with requirements.yaml, byte order marks, and the
// unsafe archive paths Helm refuses, with its messages.
#include "paths.hpp"

#include <weir/helm/chart.hpp>

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace {

std::filesystem::path data(const std::string& rel)
{
    return weir::test::source_dir() / "tests/unit/helm/testdata/helm-loader" / rel;
}

weir::helm::chart load(const std::string& rel)
{
    auto c = weir::helm::load_chart(data(rel));
    INFO(rel << ": " << (c ? std::string() : c.err().message));
    REQUIRE(c);
    return *c;
}

void verify_dependencies(const weir::helm::chart& c)
{
    REQUIRE(c.metadata.dependencies.size() == 2);
    CHECK(c.metadata.dependencies[0].name == "alpine");
    CHECK(c.metadata.dependencies[0].version == "0.1.0");
    CHECK(c.metadata.dependencies[0].repository == "https://example.com/charts");
    CHECK(c.metadata.dependencies[1].name == "mariner");
    CHECK(c.metadata.dependencies[1].version == "4.3.2");
    CHECK(c.metadata.dependencies[1].repository == "https://example.com/charts");
}

void verify_frobnitz(const weir::helm::chart& c)
{
    CHECK(c.metadata.name == "frobnitz");
    REQUIRE(c.templates.size() == 1);
    CHECK(c.templates[0].name == "templates/template.tpl");
    CHECK(!c.templates[0].data.empty());
    CHECK(c.files.size() == 6);
    REQUIRE(c.dependencies.size() == 2);
    const weir::value* lock_deps = c.lock.find("dependencies");
    REQUIRE(lock_deps);
    CHECK(lock_deps->as_array().size() == 2);
    for (const auto& d : c.dependencies) {
        if (d.metadata.name == "mariner") {
            CHECK(d.metadata.version == "4.3.2");
        } else {
            REQUIRE(d.metadata.name == "alpine");
            CHECK(d.metadata.version == "0.1.0");
            REQUIRE(d.templates.size() == 1);
            CHECK(d.templates[0].name == "templates/alpine-pod.yaml");
            CHECK(d.files.size() == 1);
            CHECK(d.dependencies.size() == 2);
        }
    }
    verify_dependencies(c);
}

void verify_no_bom(const weir::helm::chart& c)
{
    for (const auto& f : c.files) CHECK(f.data.rfind("\xEF\xBB\xBF", 0) == std::string::npos);
    for (const auto& f : c.templates) CHECK(f.data.rfind("\xEF\xBB\xBF", 0) == std::string::npos);
}

// A one-file .tgz with the given entry name, written here so that no tool normalises the name.
std::string one_file_tgz(const std::string& name, const std::string& body)
{
    std::string tar(512, '\0');
    std::memcpy(tar.data(), name.data(), std::min<std::size_t>(name.size(), 100));
    std::snprintf(tar.data() + 100, 8, "%07o", 0755);
    std::snprintf(tar.data() + 108, 8, "%07o", 0);
    std::snprintf(tar.data() + 116, 8, "%07o", 0);
    std::snprintf(tar.data() + 124, 12, "%011o", static_cast<unsigned>(body.size()));
    std::snprintf(tar.data() + 136, 12, "%011o", 0);
    tar[156] = '0';
    std::memcpy(tar.data() + 257, "ustar\0" "00", 8);
    std::memset(tar.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char ch : tar) sum += ch;
    std::snprintf(tar.data() + 148, 8, "%06o", sum);
    tar += body;
    tar.append((512 - body.size() % 512) % 512, '\0');
    tar.append(1024, '\0');
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&zs, tar.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(tar.data());
    zs.avail_in = static_cast<uInt>(tar.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

} // namespace

TEST_CASE("frobnitz loads from its directory and its archive as in Helm's TestLoadDir and TestLoadFile",
          "[helm][loader]")
{
    verify_frobnitz(load("frobnitz"));
    verify_frobnitz(load("frobnitz-1.2.3.tgz"));
}

TEST_CASE("apiVersion v1 charts take dependencies from requirements.yaml (TestLoadV1, TestLoadFileV1, "
          "TestLoadV2WithReqs)",
          "[helm][loader]")
{
    verify_dependencies(load("frobnitz.v1"));
    verify_dependencies(load("frobnitz.v1.tgz"));
    verify_dependencies(load("frobnitz.v2.reqs"));
}

TEST_CASE("byte order marks are stripped from every file (TestLoadDirWithUTFBOM, TestLoadArchiveWithUTFBOM)",
          "[helm][loader]")
{
    for (const char* form : {"frobnitz_with_bom", "frobnitz_with_bom.tgz"}) {
        auto c = load(form);
        verify_frobnitz(c);
        verify_no_bom(c);
    }
}

TEST_CASE("archives with unsafe paths are refused with Helm's messages (TestLoadInvalidArchive)", "[helm][loader]")
{
    const std::pair<const char*, const char*> cases[] = {
        {"../../malformed-helm-test", "chart illegally references parent directory"},
        {"/foo/../../malformed-helm-test", "chart illegally references parent directory"},
        {"/../../malformed-helm-test", "chart illegally references parent directory"},
        {"./../../malformed-helm-test", "chart illegally references parent directory"},
        {"./.", "chart illegally contains content outside the base directory"},
        {"/./.", "chart illegally contains content outside the base directory"},
        {"missing-leading-slash", "chart illegally contains content outside the base directory"},
        {"/missing-leading-slash", "Chart.yaml file is missing"},
        {"//foo", "chart illegally contains absolute paths"},
        {"///foo", "chart illegally contains absolute paths"},
        {"\\\\foo", "chart illegally contains absolute paths"},
        {"\\..\\..\\foo", "chart illegally references parent directory"},
        {"\\.\\c:\\\\foo", "chart contains illegally named files"},
        {"/./c://foo", "chart contains illegally named files"},
        {"\\\\?\\Some\\windows\\magic", "chart illegally contains absolute paths"},
    };
    for (const auto& [entry, want] : cases) {
        INFO(entry);
        auto c = weir::helm::load_chart_archive(one_file_tgz(entry, "hello: world"), "");
        REQUIRE_FALSE(c);
        CHECK(c.err().message.find(want) != std::string::npos);
    }
    // An absolute entry is read relative to the chart directory.
    auto abs = weir::helm::load_chart_archive(one_file_tgz("/Chart.yaml", "hello: world"), "");
    REQUIRE_FALSE(abs);
    CHECK(abs.err().message == "validation: chart.metadata.name is required");
    auto other = weir::helm::load_chart_archive(one_file_tgz("files/whatever.yaml", "hello: world"), "");
    REQUIRE_FALSE(other);
    CHECK(other.err().message == "Chart.yaml file is missing");
}
