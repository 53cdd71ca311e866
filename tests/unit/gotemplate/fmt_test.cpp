// Go's fmt as printf exposes it: verbs, flags, widths and float shortest forms.
#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <catch2/catch.hpp>

namespace {
std::string pf(std::string_view args)
{
    auto r = weir::gotemplate::render("{{ printf " + std::string(args) + " }}", weir::value(weir::object{}));
    REQUIRE(r);
    return *r;
}
} // namespace

TEST_CASE("printf floats follow strconv with the shortest form and an exponent from 1e+06 on",
          "[gotemplate][fmt]")
{
    CHECK(pf(R"("%v %v %v %v" 1000000.0 123456.0 0.0001 0.00001)") == "1e+06 123456 0.0001 1e-05");
    CHECK(pf(R"("%.2f|%8.3f|%-8.1f|%e|%g" 3.14159 3.14159 3.14159 1234.5678 0.1)") ==
          "3.14|   3.142|3.1     |1.234568e+03|0.1");
}

TEST_CASE("printf integers take width and zero padding and sign and base flags", "[gotemplate][fmt]")
{
    CHECK(pf(R"("%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%b|%c" 42 42 -42 42 255 255 255 8 5 65)") ==
          "   42|42   |-0042|+42|ff|FF|0xff|10|101|A");
}

TEST_CASE("printf reports wrong and missing and extra arguments inline as Go does", "[gotemplate][fmt]")
{
    CHECK(pf(R"("%d|%d %d" "x" 1)") == "%!d(string=x)|1 %!d(MISSING)");
    CHECK(pf(R"("%d" 1 2)") == "1%!(EXTRA int=2)");
    CHECK(pf(R"("%q %s" "a\"b" nil)") == "\"a\\\"b\" %!s(<nil>)");
}
