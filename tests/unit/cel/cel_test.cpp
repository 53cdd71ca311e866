#include <weir/cel/cel.hpp>
#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

using namespace weir;

namespace {

object sample()
{
    auto v = parse_json(R"({"metadata":{"name":"db","generation":3,"labels":{"app":"pg"}},
        "status":{"observedGeneration":3,"replicas":2,"ratio":0.5,
          "conditions":[{"type":"Ready","status":"True"},{"type":"Stalled","status":"False","reason":"x"}]}})");
    REQUIRE(v);
    return v->as_object();
}

result<value> run(std::string_view src, const object& vars = sample())
{
    auto p = cel::compile(src);
    if (!p) return p.err();
    return cel::evaluate(*p, vars);
}

bool truth(std::string_view src)
{
    auto r = run(src);
    INFO(src << " -> " << (r ? std::string(r->type_name()) : r.err().message));
    REQUIRE(r);
    REQUIRE(r->is_bool());
    return r->as_bool();
}

std::string err_of(std::string_view src)
{
    auto r = run(src);
    INFO(src);
    REQUIRE_FALSE(r);
    return r.err().message;
}

} // namespace

TEST_CASE("cel: literals of every type evaluate to their values")
{
    CHECK(run("42")->as_int() == 42);
    CHECK(run("-7")->as_int() == -7);
    CHECK(run("0x1F")->as_int() == 31);
    CHECK(run("3u")->as_int() == 3);
    CHECK(run("2.5")->as_double() == 2.5);
    CHECK(run("1e3")->as_double() == 1000.0);
    CHECK(run("'a\\tb'")->as_string() == "a\tb");
    CHECK(run("\"\\u00e9\"")->as_string() == "\xc3\xa9");
    CHECK(run("r'a\\tb'")->as_string() == "a\\tb");
    CHECK(run("'\\u20ac\\U0001F600'")->as_string() == "\xe2\x82\xac\xf0\x9f\x98\x80");
    CHECK(run("'''x'y'''")->as_string() == "x'y");
    CHECK(run("'\\101\\x42'")->as_string() == "AB");
    CHECK(run("null")->is_null());
    CHECK(run("true")->as_bool());
    CHECK(run("[1, 'a', [true]]")->as_array().size() == 3);
    CHECK(run("{'a': 1, 'b': 2}")->as_object().size() == 2);
    CHECK(run("-9223372036854775808")->as_int() == INT64_MIN);
    CHECK(truth("b'abc' == bytes('abc')"));
}

TEST_CASE("cel: precedence follows CEL (unary, multiplicative, additive, relations, &&, ||, ?:)")
{
    CHECK(run("1 + 2 * 3")->as_int() == 7);
    CHECK(run("(1 + 2) * 3")->as_int() == 9);
    CHECK(run("10 - 4 - 3")->as_int() == 3);
    CHECK(run("7 % 4 * 2")->as_int() == 6);
    CHECK(run("-2 * -3")->as_int() == 6);
    CHECK(truth("1 < 2 == true"));
    CHECK(truth("true || false && false"));
    CHECK_FALSE(truth("(true || false) && false"));
    CHECK(run("false ? 1 : true ? 2 : 3")->as_int() == 2);
    CHECK(truth("!false && !!true"));
    CHECK(truth("2 in [1, 2] && 'a' in {'a': 1}"));
}

TEST_CASE("cel: field selection and indexing read the bound object")
{
    CHECK(run("metadata.name")->as_string() == "db");
    CHECK(run("metadata['labels']['app']")->as_string() == "pg");
    CHECK(run("status.conditions[1].reason")->as_string() == "x");
    CHECK(truth("status.observedGeneration == metadata.generation"));
    CHECK(truth("status.replicas > 1 && status.ratio < 1"));
    CHECK(truth(".metadata.name == 'db'"));
}

TEST_CASE("cel: a missing key, a bad index and an unknown variable are errors with a column")
{
    CHECK(err_of("status.missing == 1").find("no such key: 'missing'") != std::string::npos);
    CHECK(err_of("status.missing == 1").find("column 7") != std::string::npos);
    CHECK(err_of("status.conditions[5]").find("out of range") != std::string::npos);
    CHECK(err_of("nope").find("undeclared reference to 'nope'") != std::string::npos);
    CHECK(err_of("metadata['x']").find("no such key: 'x'") != std::string::npos);
    CHECK(err_of("metadata.name.first").find("cannot select field 'first' from a string") !=
          std::string::npos);
}

TEST_CASE("cel: has() tests presence without an error")
{
    CHECK(truth("has(status.conditions)"));
    CHECK_FALSE(truth("has(status.missing)"));
    CHECK_FALSE(truth("has(metadata.annotations) && metadata.annotations.x == 'y'"));
    CHECK(err_of("has(status.missing.deeper)").find("no such key") != std::string::npos);
    CHECK(err_of("has(status)").find("has() takes one field selection") != std::string::npos);
}

TEST_CASE("cel: && and || absorb an error when the other side decides")
{
    CHECK_FALSE(truth("status.missing && false"));
    CHECK_FALSE(truth("false && status.missing"));
    CHECK(truth("status.missing || true"));
    CHECK(truth("true || status.missing"));
    CHECK(err_of("status.missing || false").find("no such key") != std::string::npos);
    CHECK(err_of("true && status.missing").find("no such key") != std::string::npos);
    CHECK(err_of("1 || false").find("no such overload") != std::string::npos);
}

TEST_CASE("cel: the macros all, exists, exists_one, map and filter")
{
    CHECK(truth("status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"));
    CHECK_FALSE(truth("status.conditions.all(c, c.status == 'True')"));
    CHECK(truth("status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')"));
    CHECK(truth("[].all(x, false)"));
    CHECK_FALSE(truth("[].exists(x, true)"));
    CHECK(truth("[1, 2, 3].exists_one(x, x > 2)"));
    CHECK_FALSE(truth("[1, 2, 3].exists_one(x, x > 1)"));
    CHECK(truth("[1, 2, 3].map(x, x * 2) == [2, 4, 6]"));
    CHECK(truth("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]"));
    CHECK(truth("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])"));
    CHECK(truth("[[1], [2, 3]].exists(l, l.exists(x, x == 3))"));
    // The error of one element is absorbed when another decides, as for && and ||.
    CHECK(truth("status.conditions.exists(c, c.reason == 'x')"));
    CHECK_FALSE(truth("status.conditions.all(c, c.reason == 'y')"));
    CHECK(err_of("status.conditions.all(c, c.reason == 'x')").find("no such key: 'reason'") !=
          std::string::npos);
    CHECK(err_of("status.conditions.filter(c, c.reason == 'x')").find("no such key") != std::string::npos);
    CHECK(err_of("[1].all(x, x)").find("must be a bool") != std::string::npos);
    CHECK(err_of("1.all(x, true)").find("needs a list or a map") != std::string::npos);
}

TEST_CASE("cel: functions size, conversions, type and string methods")
{
    CHECK(run("size(status.conditions)")->as_int() == 2);
    CHECK(run("'h\xc3\xa9'.size()")->as_int() == 2);
    CHECK(run("int('42') + int(2.9)")->as_int() == 44);
    CHECK(run("double(1) / 4.0")->as_double() == 0.25);
    CHECK(run("string(12) + string(true)")->as_string() == "12true");
    CHECK(truth("bool('true') && uint(3) == 3u"));
    CHECK(truth("type(1) == int && type('a') == string && type(null) == null_type && type([]) == list"));
    CHECK(truth("metadata.name.startsWith('d') && metadata.name.endsWith('b') && 'abc'.contains('b')"));
    CHECK(run("'MiXed'.lowerAscii() + 'MiXed'.upperAscii()")->as_string() == "mixedMIXED");
    CHECK(truth("'v1.2.3'.matches('^v[0-9]+\\\\.[0-9]+') && matches('abc', 'b')"));
    CHECK(err_of("'a'.matches('(')").find("invalid regular expression") != std::string::npos);
    CHECK(err_of("int('x')").find("cannot convert") != std::string::npos);
    CHECK(err_of("frob(1)").find("unknown function 'frob'") != std::string::npos);
}

TEST_CASE("cel: type errors, overflow and division by zero are errors")
{
    CHECK(err_of("1 + 'a'").find("no such overload") != std::string::npos);
    CHECK(err_of("1 + 1.0").find("no such overload") != std::string::npos);
    CHECK(err_of("'a' < 1").find("no such overload") != std::string::npos);
    CHECK(err_of("1 / 0").find("division by zero") != std::string::npos);
    CHECK(err_of("5 % 0").find("modulus by zero") != std::string::npos);
    CHECK(err_of("9223372036854775807 + 1").find("overflow") != std::string::npos);
    CHECK(err_of("0u - 1u").find("overflow") != std::string::npos);
    CHECK(err_of("!1").find("no such overload") != std::string::npos);
    CHECK(err_of("1 ? 2 : 3").find("must be a bool") != std::string::npos);
    CHECK(err_of("{'a': 1, 'a': 2}").find("duplicate key") != std::string::npos);
}

TEST_CASE("cel: equality is by value and across numeric types")
{
    CHECK(truth("1 == 1.0 && 1u == 1 && 2 > 1.5 && -1 < 0u"));
    CHECK_FALSE(truth("1 == '1'"));
    CHECK(truth("[1, [2]] == [1, [2]] && {'a': 1, 'b': 2} == {'b': 2, 'a': 1}"));
    CHECK(truth("null == null && [] != [1]"));
    CHECK(truth("'abc' < 'abd' && 'b' > 'abc'"));
    CHECK(truth("[1] + [2] == [1, 2] && 'a' + 'b' == 'ab'"));
}

TEST_CASE("cel: syntax errors name the column of the problem")
{
    auto e = cel::compile("status.ready == ");
    REQUIRE_FALSE(e);
    CHECK(e.err().message.find("column 17") != std::string::npos);
    CHECK(e.err().terminal());
    auto u = cel::compile("'open");
    REQUIRE_FALSE(u);
    CHECK(u.err().message.find("unterminated string") != std::string::npos);
    auto x = cel::compile("a b");
    REQUIRE_FALSE(x);
    CHECK(x.err().message.find("column 3") != std::string::npos);
    CHECK_FALSE(cel::compile("[1, 2].all(1, true)"));
    CHECK_FALSE(cel::compile("'\\q'"));
    CHECK_FALSE(cel::compile("99999999999999999999"));
    CHECK_FALSE(cel::compile(std::string(200, '(') + "1" + std::string(200, ')')));
}

TEST_CASE("cel: evaluate_bool rejects a non-bool result")
{
    auto p = cel::compile("metadata.name");
    REQUIRE(p);
    auto r = cel::evaluate_bool(*p, sample());
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("not a bool") != std::string::npos);
}

TEST_CASE("cel: timestamp() and duration() parse, compare and combine")
{
    CHECK(truth("timestamp('2024-03-01T10:00:00Z') > timestamp('2024-02-29T23:59:59Z')"));
    CHECK(truth("timestamp('2024-03-01T12:00:00+02:00') == timestamp('2024-03-01T10:00:00Z')"));
    CHECK(truth(
        "timestamp('2024-03-01T10:00:00.5Z') - timestamp('2024-03-01T10:00:00Z') == duration('500ms')"));
    CHECK(truth("duration('1h30m') == duration('90m') && duration('1.5s') > duration('1s')"));
    CHECK(truth("timestamp('1970-01-01T00:00:00Z') + duration('24h') == timestamp('1970-01-02T00:00:00Z')"));
    CHECK(run("string(timestamp('2000-02-29T23:59:59Z') + duration('1s'))")->as_string() ==
          "2000-03-01T00:00:00Z");
    CHECK(run("string(duration('-90s'))")->as_string() == "-90s");
    CHECK(truth("type(duration('1s')) != type(timestamp('2024-01-01T00:00:00Z'))"));
    CHECK(err_of("timestamp('yesterday')").find("RFC 3339") != std::string::npos);
    CHECK(err_of("duration('5 parsecs')").find("cannot parse") != std::string::npos);
    CHECK(err_of("timestamp('2024-01-01T00:00:00Z') + timestamp('2024-01-01T00:00:00Z')")
              .find("no such overload") != std::string::npos);
    CHECK(err_of("duration('1s') < 1").find("no such overload") != std::string::npos);
}
