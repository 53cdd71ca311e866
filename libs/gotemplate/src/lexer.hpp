// The lexer of Go's text/template: splits a template into text and action tokens, applying the
// {{- -}} trim markers and dropping comments, with Go's token kinds and error texts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace weir::gotemplate::detail {

enum class tok : unsigned char {
    error,
    bool_,
    char_,
    char_constant,
    complex,
    assign,
    declare,
    eof,
    field,
    identifier,
    left_delim,
    left_paren,
    number,
    pipe,
    raw_string,
    right_delim,
    right_paren,
    space,
    string,
    text,
    variable,
    // keywords: Go prints these as <word>
    keyword_first,
    block,
    break_,
    continue_,
    dot,
    define,
    else_,
    end,
    if_,
    nil,
    range,
    template_,
    with,
};

struct token {
    tok type = tok::eof;
    std::size_t pos = 0; // byte offset in the template text
    int line = 1;
    std::string val; // the text, or the message for tok::error
};

// Lexes all of `text`; the last token is eof or error.
std::vector<token> lex(std::string_view text);

// Go's item.String(): EOF, <keyword>, "quoted" (cut at 10 bytes) or the error text.
std::string describe(const token& t);

// Go's %#U: U+0021 '!'
std::string unicode_repr(char32_t r);

} // namespace weir::gotemplate::detail
