#include "encoding.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace weir::sops::encoding {
namespace {

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char bech32_alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

constexpr std::array<int8_t, 256> b64_table()
{
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(b64_alphabet[i])] = static_cast<int8_t>(i);
    return t;
}
constexpr auto b64 = b64_table();

std::uint32_t polymod(const std::vector<std::uint8_t>& values)
{
    static constexpr std::uint32_t gen[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::uint32_t chk = 1;
    for (auto v : values) {
        std::uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; ++i)
            if ((top >> i) & 1) chk ^= gen[i];
    }
    return chk;
}

std::vector<std::uint8_t> hrp_expand(std::string_view hrp)
{
    std::vector<std::uint8_t> out;
    for (char c : hrp) out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
    out.push_back(0);
    for (char c : hrp) out.push_back(static_cast<std::uint8_t>(c & 31));
    return out;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

} // namespace

std::optional<std::string> base64_decode(std::string_view in, bool padded)
{
    std::size_t pad = 0;
    if (padded) {
        if (in.size() % 4 != 0) return std::nullopt;
        while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=') ++pad;
        in.remove_suffix(pad);
    }
    std::size_t rem = in.size() % 4;
    if (rem == 1) return std::nullopt;
    if (padded && pad != (rem == 0 ? 0 : 4 - rem)) return std::nullopt;
    std::string out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = b64[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt; // non-canonical
    return out;
}

std::string base64_encode(std::string_view in, bool padded)
{
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8) |
                          std::uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out.push_back(b64_alphabet[(v >> s) & 63]);
    }
    std::size_t rest = in.size() - i;
    if (rest > 0) {
        std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
        if (rest == 2) v |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
        out.push_back(b64_alphabet[(v >> 18) & 63]);
        out.push_back(b64_alphabet[(v >> 12) & 63]);
        if (rest == 2) out.push_back(b64_alphabet[(v >> 6) & 63]);
        if (padded) out.append(rest == 1 ? "==" : "=");
    }
    return out;
}

std::optional<bech32_data> bech32_decode(std::string_view text)
{
    bool has_lower = false, has_upper = false;
    for (char c : text) {
        if (c < 33 || c > 126) return std::nullopt;
        has_lower = has_lower || (c >= 'a' && c <= 'z');
        has_upper = has_upper || (c >= 'A' && c <= 'Z');
    }
    if (has_lower && has_upper) return std::nullopt;
    std::size_t sep = text.rfind('1');
    if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size()) return std::nullopt;
    bech32_data out;
    for (char c : text.substr(0, sep)) out.hrp.push_back(lower(c));
    std::vector<std::uint8_t> values;
    for (char c : text.substr(sep + 1)) {
        const char* p = nullptr;
        for (const char* a = bech32_alphabet; *a; ++a)
            if (*a == lower(c)) p = a;
        if (!p) return std::nullopt;
        values.push_back(static_cast<std::uint8_t>(p - bech32_alphabet));
    }
    auto check = hrp_expand(out.hrp);
    check.insert(check.end(), values.begin(), values.end());
    if (polymod(check) != 1) return std::nullopt;
    values.resize(values.size() - 6);
    // 5-bit groups to bytes; leftover bits must be fewer than 5 and zero.
    std::uint32_t acc = 0;
    int bits = 0;
    for (auto v : values) {
        acc = (acc << 5) | v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.data.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string bech32_encode(std::string_view hrp, std::string_view data, bool upper_case)
{
    std::vector<std::uint8_t> values;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : data) {
        acc = (acc << 8) | static_cast<std::uint8_t>(c);
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            values.push_back(static_cast<std::uint8_t>((acc >> bits) & 31));
        }
    }
    if (bits > 0) values.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
    auto check = hrp_expand(hrp);
    check.insert(check.end(), values.begin(), values.end());
    check.insert(check.end(), 6, 0);
    std::uint32_t mod = polymod(check) ^ 1;
    for (int i = 0; i < 6; ++i) values.push_back(static_cast<std::uint8_t>((mod >> (5 * (5 - i))) & 31));
    std::string out(hrp);
    out.push_back('1');
    for (auto v : values) out.push_back(bech32_alphabet[v]);
    if (upper_case)
        for (auto& c : out) c = upper(c);
    return out;
}

} // namespace weir::sops::encoding
