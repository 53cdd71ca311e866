#include "generator.hpp"

namespace weir::gotemplate::test {
namespace {

struct fn_shape {
    const char* name;
    const char* args; // one kind letter per argument: s string, i int, a any, l list, m map, b bool
};

// Functions whose result does not depend on randomness, time or Go's map order.
const std::vector<fn_shape> functions = {
    {"upper", "s"},
    {"lower", "s"},
    {"title", "s"},
    {"untitle", "s"},
    {"trim", "s"},
    {"quote", "a"},
    {"squote", "a"},
    {"trunc", "is"},
    {"indent", "is"},
    {"nindent", "is"},
    {"replace", "sss"},
    {"contains", "ss"},
    {"hasPrefix", "ss"},
    {"hasSuffix", "ss"},
    {"repeat", "is"},
    {"substr", "iis"},
    {"default", "aa"},
    {"empty", "a"},
    {"coalesce", "aa"},
    {"ternary", "aab"},
    {"toString", "a"},
    {"int", "a"},
    {"int64", "a"},
    {"float64", "a"},
    {"atoi", "s"},
    {"add", "aa"},
    {"sub", "aa"},
    {"mul", "aa"},
    {"div", "aa"},
    {"mod", "aa"},
    {"max", "aa"},
    {"min", "aa"},
    {"add1", "a"},
    {"len", "a"},
    {"index", "li"},
    {"first", "l"},
    {"last", "l"},
    {"rest", "l"},
    {"initial", "l"},
    {"reverse", "l"},
    {"uniq", "l"},
    {"compact", "l"},
    {"has", "al"},
    {"without", "la"},
    {"list", "aa"},
    {"dict", "sa"},
    {"hasKey", "ms"},
    {"get", "ms"},
    {"pluck", "sm"},
    {"toJson", "a"},
    {"toPrettyJson", "a"},
    {"toRawJson", "a"},
    {"b64enc", "s"},
    {"b64dec", "s"},
    {"b32enc", "s"},
    {"sha256sum", "s"},
    {"sha1sum", "s"},
    {"adler32sum", "s"},
    {"join", "sl"},
    {"splitList", "ss"},
    {"sortAlpha", "l"},
    {"eq", "aa"},
    {"ne", "aa"},
    {"lt", "aa"},
    {"le", "aa"},
    {"gt", "aa"},
    {"ge", "aa"},
    {"and", "aa"},
    {"or", "aa"},
    {"not", "a"},
    {"print", "aa"},
    {"println", "a"},
    {"urlquery", "a"},
    {"html", "a"},
    {"js", "a"},
    {"typeOf", "a"},
    {"kindOf", "a"},
    {"deepEqual", "aa"},
    {"until", "i"},
    {"untilStep", "iii"},
    {"semverCompare", "ss"},
    {"regexMatch", "ss"},
    {"regexReplaceAll", "sss"},
    {"regexFind", "ss"},
    {"cat", "aa"},
    {"nospace", "s"},
    {"abbrev", "is"},
    {"initials", "s"},
    {"floor", "a"},
    {"ceil", "a"},
    {"round", "ai"},
    {"addf", "aa"},
    {"mulf", "aa"},
    {"subf", "aa"},
    {"maxf", "aa"},
    {"minf", "aa"},
    {"concat", "ll"},
    {"append", "la"},
    {"prepend", "la"},
    {"slice", "lii"},
    {"toStrings", "l"},
    {"split", "ss"},
    {"splitn", "sis"},
    {"plural", "ssi"},
    {"trimAll", "ss"},
    {"trimSuffix", "ss"},
    {"trimPrefix", "ss"},
    {"deepCopy", "a"},
    {"pick", "ms"},
    {"omit", "ms"},
    {"kindIs", "sa"},
    {"typeIs", "sa"},
    {"swapcase", "s"},
    {"base", "s"},
    {"dir", "s"},
    {"ext", "s"},
    {"clean", "s"},
    {"dig", "ssam"},
    {"chunk", "il"},
    {"all", "aa"},
    {"any", "aa"},
    {"tuple", "a"},
};

const std::vector<std::string> strings = {
    "\"hello\"",
    "\"a,b,c\"",
    ".name",
    ".text",
    ".spaces",
    ".version",
    ".empty",
    "\"1.2.x\"",
    "\">=1.0.0\"",
    "\"l+\"",
    "\"x\"",
    ".labels.app",
    ".missing",
    "\"aGVsbG8=\"",
    "\"42\"",
    "\"0x1F\"",
    "\"\"",
    ".url",
    ".html",
    "\"a/b/../c.txt\"",
    "\"Hello World foo\"",
    "`raw\\n`",
    "\"-3\"",
    "\"2.5\"",
    "\"é ü\"",
};
const std::vector<std::string> ints = {"0",  "1",         "2",           "3", "-1",
                                       "10", ".replicas", "(len .tags)", "5", "'a'"};
const std::vector<std::string> lists = {
    ".tags",        ".nums",        ".mixed",
    ".emptyList",   "(list 1 2 3)", "(splitList \",\" \"x,y\")",
    ".nested.list", "(until 3)",    "(list \"b\" \"a\" \"b\")",
    ".missing",
};
const std::vector<std::string> maps = {".labels",        ".nested",       ".emptyMap",
                                       "(dict \"a\" 1)", ".nested.inner", ".missing"};
const std::vector<std::string> bools = {"true", "false", ".enabled", ".off", "(eq 1 1)"};
const std::vector<std::string> anys = {
    ".",
    ".nothing",
    "nil",
    "1.5",
    ".ratio",
    ".big",
    ".bigf",
    ".neg",
    "true",
    ".zero",
    ".fzero",
    ".small",
    ".float",
    "0",
    "-2",
    "1e3",
    "0x10",
    "$",
    ".labels.tier",
    ".nested.inner.n",
    "(list)",
    "(dict)",
    "3",
};
const std::vector<std::string> formats = {
    "%v",    "%d", "%s",  "%q",    "%5.2f",  "%-6s|", "%x",    "%t",    "%03d", "%g",    "%e",    "%T",
    "%v %v", "%%", "%+d", "%8.3e", "%X",     "%c",    "%.1f",  "%10v|", "%#v",  "%6.2v", "%-8q|", "%x %X",
    "%.3s",  "%U", "%o",  "%b",    "%08.3f", "% d",   "%+.2e", "%G",    "%.0f", "%5t",
};

} // namespace

std::string template_generator::operand(char kind, int depth)
{
    if (depth < 2 && pick(5) == 0) return "(" + call(depth + 1) + ")";
    switch (kind) {
    case 's':
        return one(strings);
    case 'i':
        return one(ints);
    case 'l':
        return one(lists);
    case 'm':
        return one(maps);
    case 'b':
        return one(bools);
    default:
        break;
    }
    switch (pick(5)) {
    case 0:
        return one(strings);
    case 1:
        return one(lists);
    case 2:
        return one(maps);
    default:
        return one(anys);
    }
}

std::string template_generator::call(int depth)
{
    if (pick(6) == 0) {
        std::string s = "printf \"" + one(formats) + "\"";
        std::size_t n = 1 + pick(2);
        for (std::size_t i = 0; i < n; ++i)
            s += " " + operand('a', depth);
        return s;
    }
    const fn_shape& f = one(functions);
    std::string s = f.name;
    for (const char* k = f.args; *k; ++k)
        s += " " + operand(*k, depth);
    return s;
}

std::string template_generator::pipeline(int depth)
{
    std::string p = pick(4) == 0 ? operand('a', depth) : call(depth);
    if (pick(3) == 0) {
        // piped: the value becomes the last argument
        const fn_shape& f = one(functions);
        std::string s = f.name;
        std::string args = f.args;
        for (std::size_t i = 0; i + 1 < args.size(); ++i)
            s += " " + operand(args[i], depth + 1);
        p += " | " + s;
    }
    return p;
}

std::string template_generator::action(int depth)
{
    switch (pick(9)) {
    case 0:
        return "{{ if " + pipeline(depth) + " }}T{{ else }}F{{ end }}";
    case 1:
        return "{{ range $i, $v := " + operand('l', depth) + " }}{{ $i }}={{ $v }};{{ else }}none{{ end }}";
    case 2:
        return "{{ with " + pipeline(depth) + " }}<{{ . }}>{{ else }}empty{{ end }}";
    case 3:
        return "{{ $x := " + pipeline(depth) + " }}[{{ $x }}]";
    case 4:
        return "{{- " + pipeline(depth) + " -}}";
    case 5:
        return "{{ range " + operand('m', depth) + " }}({{ . }}){{ end }}";
    default:
        return "{{ " + pipeline(depth) + " }}";
    }
}

std::string template_generator::next()
{
    std::string t;
    std::size_t n = 1 + pick(3);
    for (std::size_t i = 0; i < n; ++i) {
        if (i) t += pick(2) ? " | " : "\n  ";
        t += action(0);
    }
    return t;
}

} // namespace weir::gotemplate::test
