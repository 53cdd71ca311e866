// Hostile YAML: each input must end in a clear error (or bounded success), never a crash or hang.
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;

TEST_CASE("yaml billion laughs is refused as excessive aliasing", "[core][yaml][hostile]")
{
    std::string doc = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; ++c, ++prev) {
        doc += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 9; ++i) doc += std::string(i ? "," : "") + "*" + prev;
        doc += "]\n";
    }
    auto r = parse_yaml(doc);
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("excessive aliasing") != std::string::npos);
}

TEST_CASE("yaml deep nesting is refused at the depth limit", "[core][yaml][hostile]")
{
    std::string doc(50000, '[');
    auto r = parse_yaml(doc);
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("nesting deeper than 1000") != std::string::npos);
    std::string maps;
    for (int i = 0; i < 2000; ++i) maps += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    CHECK_FALSE(parse_yaml(maps));
}

TEST_CASE("yaml huge scalars are refused over the limit", "[core][yaml][hostile]")
{
    std::string doc = "a: " + std::string(2 << 20, 'x') + "\n";
    auto r = parse_yaml(doc, {.max_scalar_bytes = 1 << 20});
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("exceeds the limit") != std::string::npos);
    CHECK(parse_yaml(doc)); // under the default limit it is fine
}

TEST_CASE("yaml invalid utf-8 is an error with a position", "[core][yaml][hostile]")
{
    auto r = parse_yaml("a: \xff\xfe\n");
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("line 1") != std::string::npos);
}

TEST_CASE("yaml duplicate keys are an error naming the key", "[core][yaml][hostile]")
{
    auto r = parse_yaml("a: 1\nb: 2\na: 3\n");
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("\"a\" already defined") != std::string::npos);
    CHECK(r.err().message.find("line 3") != std::string::npos);
}

TEST_CASE("yaml unknown alias and collection keys are errors", "[core][yaml][hostile]")
{
    CHECK_FALSE(parse_yaml("a: *nope\n"));
    CHECK_FALSE(parse_yaml("? [1, 2]\n: v\n"));
    CHECK_FALSE(parse_yaml("<<: 5\n"));
}
