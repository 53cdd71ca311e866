// Go's strconv pieces that templates expose: UTF-8 runes, Quote/Unquote and FormatFloat.
#pragma once

#include <weir/core/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace weir::gotemplate::detail {

// The rune at s[pos]; U+FFFD for an invalid sequence (which then counts one byte).
char32_t decode_rune(std::string_view s, std::size_t pos);
std::size_t rune_length(std::string_view s, std::size_t pos);
void append_rune(std::string& out, char32_t r);
std::size_t rune_count(std::string_view s);
bool valid_utf8(std::string_view s);
// Go's unicode.IsPrint, close enough for quoting: controls and invalid runes are not printable.
bool is_print(char32_t r);

// strconv.Quote; ascii_only is QuoteToASCII (%+q).
std::string go_quote(std::string_view s, bool ascii_only = false);
std::string go_quote_rune(char32_t r, bool ascii_only = false);
// strconv.Unquote of a "...", `...` or '...' literal.
result<std::string> go_unquote(std::string_view literal);

// strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f g G; prec -1 is the shortest form.
std::string format_float(double f, char fmt, int prec);

} // namespace weir::gotemplate::detail

namespace weir::gotemplate::detail {
// unicode.ToUpper/ToLower for Latin, Greek and Cyrillic letters; other runes are unchanged.
char32_t to_upper(char32_t r);
char32_t to_lower(char32_t r);
bool is_upper(char32_t r);
bool is_lower(char32_t r);
bool is_space(char32_t r);
} // namespace weir::gotemplate::detail
