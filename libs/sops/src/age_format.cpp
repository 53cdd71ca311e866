// The age header grammar and the armor, both strict as age's reference implementation is: a
// header that age would refuse is refused here too, so that the two never disagree on a file.
#include <weir/sops/age.hpp>

#include "encoding.hpp"

#include <fmt/format.h>

namespace weir::sops::age {
namespace {

constexpr std::string_view version_line = "age-encryption.org/v1";
constexpr std::string_view armor_begin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view armor_end = "-----END AGE ENCRYPTED FILE-----";
constexpr std::size_t max_stanzas = 4096;

error bad(std::string message) { return terminal_error(std::move(message), "DecryptionFailed"); }

bool vchar(char c) { return c >= 0x21 && c <= 0x7e; }

// The next LF-terminated line at pos; false when the input ends first.
bool next_line(std::string_view in, std::size_t& pos, std::string_view& line)
{
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    line = in.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

} // namespace

result<header> parse_header(std::string_view in)
{
    std::size_t pos = 0;
    std::string_view line;
    if (!next_line(in, pos, line) || line != version_line) {
        if (in.substr(0, 19) == "age-encryption.org/")
            return bad("unsupported age format version (only age-encryption.org/v1 is supported)");
        return bad("not an age file: it does not start with \"age-encryption.org/v1\"");
    }
    header h;
    for (;;) {
        std::size_t line_start = pos;
        if (!next_line(in, pos, line)) return bad("age header is truncated: it ends before the \"---\" MAC line");
        if (line.substr(0, 4) == "--- ") {
            auto mac = encoding::base64_decode(line.substr(4), false);
            if (!mac || mac->size() != 32) return bad("age header MAC line is malformed");
            h.mac = std::move(*mac);
            h.mac_input_size = line_start + 3;
            h.payload_offset = pos;
            return h;
        }
        if (line.substr(0, 3) != "-> ")
            return bad(fmt::format("age header line {} is malformed: expected a \"-> \" stanza or the "
                                   "\"--- \" MAC line",
                                   h.stanzas.size() + 2));
        if (h.stanzas.size() >= max_stanzas) return bad("age header has too many stanzas");
        stanza s;
        std::string_view rest = line.substr(3);
        for (;;) {
            std::size_t sp = rest.find(' ');
            std::string_view arg = rest.substr(0, sp);
            if (arg.empty()) return bad("age header stanza has an empty argument");
            for (char c : arg)
                if (!vchar(c)) return bad("age header stanza argument has a character outside printable ASCII");
            if (s.type.empty()) s.type.assign(arg);
            else s.args.emplace_back(arg);
            if (sp == std::string_view::npos) break;
            rest.remove_prefix(sp + 1);
        }
        // Body: full 64-column lines, then one shorter (possibly empty) line.
        std::string b64;
        for (;;) {
            if (!next_line(in, pos, line)) return bad("age header is truncated inside a stanza body");
            if (line.size() > 64) return bad("age header stanza body line is longer than 64 columns");
            b64.append(line);
            if (line.size() < 64) break;
        }
        auto body = encoding::base64_decode(b64, false);
        if (!body) return bad(fmt::format("age header stanza \"{}\" has a malformed body", s.type));
        s.body = std::move(*body);
        h.stanzas.push_back(std::move(s));
    }
}

bool is_armored(std::string_view input)
{
    std::size_t i = 0;
    while (i < input.size() && is_space(input[i])) ++i;
    return input.substr(i, armor_begin.size()) == armor_begin;
}

result<std::string> dearmor(std::string_view input)
{
    std::size_t i = 0;
    while (i < input.size() && is_space(input[i])) ++i;
    std::size_t pos = i;
    std::string_view line;
    auto read = [&](std::string_view& l) {
        if (pos >= input.size()) return false;
        std::size_t nl = input.find('\n', pos);
        l = input.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? input.size() : nl + 1;
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        return true;
    };
    if (!read(line) || line != armor_begin) return bad("armored age input does not start with \"" + std::string(armor_begin) + "\"");
    std::string b64;
    bool short_line = false;
    for (;;) {
        if (!read(line))
            return bad("armored age input is truncated: the \"" + std::string(armor_end) +
                       "\" line is missing; copy the whole encrypted block");
        if (line == armor_end) break;
        if (short_line) return bad("armored age input has a line after a short line; it was re-wrapped or damaged");
        if (line.size() > 64) return bad("armored age input has a line longer than 64 columns");
        if (line.size() < 64) short_line = true;
        b64.append(line);
    }
    for (; pos < input.size(); ++pos)
        if (!is_space(input[pos])) return bad("armored age input has data after the END line");
    auto data = encoding::base64_decode(b64, true);
    if (!data) return bad("armored age input is not valid base64");
    return *data;
}

std::string armor(std::string_view binary)
{
    std::string b64 = encoding::base64_encode(binary, true);
    std::string out(armor_begin);
    out.push_back('\n');
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.append(b64, i, 64);
        out.push_back('\n');
    }
    out.append(armor_end);
    out.push_back('\n');
    return out;
}

} // namespace weir::sops::age
