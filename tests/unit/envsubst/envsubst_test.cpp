#include <weir/envsubst/envsubst.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using envsubst::substitute;

namespace {

const envsubst::variables vars{
    {"name", "podinfo"},   {"empty", ""},          {"path", "/usr/local/bin"},
    {"file", "archive.tar.gz"}, {"num", "12345"},  {"mixed", "Hello World"},
    {"slashy", "a/b/c"},   {"other", "fallback"},
};

std::string sub(std::string_view text, bool strict = false)
{
    auto r = substitute(text, vars, {.strict = strict});
    REQUIRE(r);
    return *r;
}

std::string err(std::string_view text, bool strict = false)
{
    auto r = substitute(text, vars, {.strict = strict});
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    return r.err().message;
}

} // namespace

TEST_CASE("envsubst expands ${var} and leaves text and $var alone", "[envsubst]")
{
    CHECK(sub("app: ${name}") == "app: podinfo");
    CHECK(sub("${name}-${name}") == "podinfo-podinfo");
    CHECK(sub("plain text, no vars") == "plain text, no vars");
    CHECK(sub("$name stays") == "$name stays");
    CHECK(sub("cost: 5$") == "cost: 5$");
    CHECK(sub("a $ b") == "a $ b");
    CHECK(sub("${undefined}") == "");
    CHECK(sub("") == "");
}

TEST_CASE("envsubst turns $$ into $ so $${var} is a literal ${var}", "[envsubst]")
{
    CHECK(sub("$${name}") == "${name}");
    CHECK(sub("$$name") == "$name");
    CHECK(sub("$$$${name}") == "$${name}");
    CHECK(sub("$$${name}") == "$podinfo");
    CHECK(sub("echo $$HOME") == "echo $HOME");
}

TEST_CASE("envsubst defaults apply when the value is empty or unset", "[envsubst]")
{
    CHECK(sub("${missing:=dflt}") == "dflt");
    CHECK(sub("${missing:-dflt}") == "dflt");
    CHECK(sub("${missing=dflt}") == "dflt");
    CHECK(sub("${empty:=dflt}") == "dflt");
    CHECK(sub("${name:=dflt}") == "podinfo");
    CHECK(sub("${name:-dflt}") == "podinfo");
    // Flux's fork treats :? and :+ like :- (no error, no alternate value).
    CHECK(sub("${missing:?msg}") == "msg");
    CHECK(sub("${name:+alt}") == "podinfo");
    CHECK(sub("${missing:=}") == "");
    CHECK(sub("${missing:=a b: c, d}") == "a b: c, d");
    CHECK(sub("${missing:=${other}}") == "fallback");
    CHECK(sub("${missing:=pre-${other}-post}") == "pre-fallback-post");
    CHECK(sub("${missing:=${also_missing:=deep}}") == "deep");
}

TEST_CASE("envsubst substrings use byte offsets like bash and Go", "[envsubst]")
{
    CHECK(sub("${num:1}") == "2345");
    CHECK(sub("${num:1:2}") == "23");
    CHECK(sub("${num:0:100}") == "12345");
    CHECK(sub("${num:10}") == "");
    CHECK(sub("${num:10:2}") == "");
    CHECK(sub("${num:-2}") == "12345"); // ":-" is the default operator, as in bash
    CHECK(sub("${num: -2}") == "12345"); // " -2" is not a number: unchanged like Go's Atoi failure
    CHECK(sub("${num:1:-1}") == "234");
    CHECK(sub("${num:3:-3}") == "");
    CHECK(sub("${num:x}") == "12345");
    CHECK(sub("${num:${one:=1}:2}") == "23");
}

TEST_CASE("envsubst replaces first, all, prefix and suffix matches", "[envsubst]")
{
    CHECK(sub("${slashy/\\//-}") == "a-b/c");
    CHECK(sub("${slashy//\\//-}") == "a-b-c");
    CHECK(sub("${file/.tar/}") == "archive.gz");
    CHECK(sub("${file/#arch/ARCH}") == "ARCHive.tar.gz");
    CHECK(sub("${file/#tar/X}") == "archive.tar.gz");
    CHECK(sub("${file/%gz/zst}") == "archive.tar.zst");
    CHECK(sub("${file/%tar/X}") == "archive.tar.gz");
    CHECK(sub("${mixed/o/0}") == "Hell0 World");
    CHECK(sub("${mixed//o/0}") == "Hell0 W0rld");
    CHECK(sub("${mixed//l/}") == "Heo Word");
    CHECK(err("${mixed//l}").find("bad substitution") != std::string::npos);
    CHECK(sub("${mixed/#/>}") == ">Hello World");
    CHECK(sub("${name/pod/${other}}") == "fallbackinfo");
    CHECK(sub("${path/\\\\/x}") == "/usr/local/bin");
}

TEST_CASE("envsubst strips glob prefixes and suffixes and reports lengths and case", "[envsubst]")
{
    CHECK(sub("${file#*.}") == "tar.gz");
    CHECK(sub("${file##*.}") == "gz");
    CHECK(sub("${file%.*}") == "archive.tar");
    CHECK(sub("${file%%.*}") == "archive");
    CHECK(sub("${path#/usr}") == "/local/bin");
    CHECK(sub("${path##*/}") == "usr/local/bin"); // Go's path.Match: * never crosses '/'
    CHECK(sub("${file#a?c}") == "hive.tar.gz");
    CHECK(sub("${file#[abc]}") == "rchive.tar.gz");
    CHECK(sub("${file#[^a]}") == "archive.tar.gz");
    CHECK(sub("${#name}") == "7");
    CHECK(sub("${#missing}") == "0");
    CHECK(sub("${name^}") == "Podinfo");
    CHECK(sub("${name^^}") == "PODINFO");
    CHECK(sub("${mixed,}") == "hello World");
    CHECK(sub("${mixed,,}") == "hello world");
}

TEST_CASE("envsubst strict mode names the undefined variable and spares defaults", "[envsubst]")
{
    auto msg = err("a: 1\nb: ${nope}\n", true);
    CHECK(msg.find("\"nope\"") != std::string::npos);
    CHECK(msg.find("line 2 column 4") != std::string::npos);
    CHECK(msg.find("strict") != std::string::npos);
    CHECK(sub("${nope:=x}", true) == "x");
    CHECK(sub("${nope:-x}", true) == "x");
    CHECK(sub("${nope=x}", true) == "x");
    CHECK(sub("${empty}", true) == ""); // defined as empty is not an error
    CHECK(err("${#nope}", true).find("\"nope\"") != std::string::npos);
    CHECK(err("${nope/a/b}", true).find("\"nope\"") != std::string::npos);
    // Arguments are evaluated first: an undefined nested variable fails even though unused.
    CHECK(err("${name:=${nope}}", true).find("\"nope\"") != std::string::npos);
    CHECK(sub("$nope $${nope}", true) == "$nope ${nope}");
}

TEST_CASE("envsubst rejects malformed expressions with a located message", "[envsubst]")
{
    CHECK(err("x: ${name").find("missing closing brace") != std::string::npos);
    CHECK(err("${}").find("unable to parse variable name") != std::string::npos);
    CHECK(err("${ name}").find("unable to parse variable name") != std::string::npos);
    CHECK(err("${name!}").find("missing closing brace") != std::string::npos);
    CHECK(err("${name:}").find("unable to parse substitution within function") != std::string::npos);
    CHECK(err("${name#}").find("unable to parse substitution within function") != std::string::npos);
    CHECK(err("${name/a}").find("bad substitution") != std::string::npos);
    CHECK(err("${name^^^}").find("bad substitution") != std::string::npos);
    CHECK(err("${#}").find("bad substitution") != std::string::npos);
    CHECK(err("${name:=abc").find("unable to parse substitution") != std::string::npos);
    auto located = err("first\nsecond ${bad!}");
    CHECK(located.find("line 2") != std::string::npos);
    CHECK(located.find("$${") != std::string::npos); // says how to write a literal
    CHECK(envsubst::check_syntax("${ok} ${ok:=1}"));
    CHECK_FALSE(envsubst::check_syntax("${"));
}

TEST_CASE("envsubst inserts values with YAML-special and multi-line content verbatim", "[envsubst]")
{
    envsubst::variables v{{"colon", "a: b"},     {"hash", "#not a comment"}, {"quote", "it's \"q\""},
                          {"multi", "l1\nl2\n"}, {"dollar", "$${x}"},        {"brace", "}{"}};
    auto r = substitute("k: ${colon} ${hash} ${quote} ${multi}${dollar}${brace}", v);
    REQUIRE(r);
    // Values are not themselves expanded again ($$ in a value stays $$).
    CHECK(*r == "k: a: b #not a comment it's \"q\" l1\nl2\n$${x}}{");
    CHECK(envsubst::normalize_value("l1\nl2\n") == "l1l2");
}

TEST_CASE("envsubst looks variables up through a callback", "[envsubst]")
{
    int calls = 0;
    envsubst::lookup_fn lookup = [&](std::string_view n) -> std::optional<std::string_view> {
        ++calls;
        if (n == "x") return std::string_view("X");
        return std::nullopt;
    };
    auto r = substitute("${x}${y:=d}", lookup, {.strict = true});
    REQUIRE(r);
    CHECK(*r == "Xd");
    CHECK(calls == 2);
}

TEST_CASE("envsubst validates variable names as Flux does", "[envsubst]")
{
    CHECK(envsubst::valid_variable_name("_a1"));
    CHECK(envsubst::valid_variable_name("CLUSTER_NAME"));
    CHECK_FALSE(envsubst::valid_variable_name("1abc"));
    CHECK_FALSE(envsubst::valid_variable_name("a-b"));
    CHECK_FALSE(envsubst::valid_variable_name("a.b"));
    CHECK_FALSE(envsubst::valid_variable_name(""));
    auto bad = envsubst::validate_variable_names({{"good", "1"}, {"bad-name", "2"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("'bad-name' var name is invalid") != std::string::npos);
}

TEST_CASE("envsubst survives deeply nested and hostile input without crashing", "[envsubst]")
{
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += "${a:=";
    deep += "x";
    for (int i = 0; i < 200; ++i) deep += "}";
    CHECK_FALSE(substitute(deep, vars)); // nesting limit, reported as bad substitution
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "${name}";
    auto r = substitute(many, vars);
    REQUIRE(r);
    CHECK(r->size() == 70000);
    CHECK(sub("${file#*************************************************x}") == "archive.tar.gz");
}
