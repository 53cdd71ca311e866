#include "internal.hpp"

#include <weir/core/encoding.hpp>

namespace weir::openpgp {

std::uint32_t crc24(std::string_view bytes)
{
    std::uint32_t crc = 0xB704CEu;
    for (unsigned char c : bytes) {
        crc ^= static_cast<std::uint32_t>(c) << 16;
        for (int i = 0; i < 8; ++i) {
            crc <<= 1;
            if (crc & 0x1000000u) crc ^= 0x1864CFBu;
        }
    }
    return crc & 0xFFFFFFu;
}

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    return s;
}

// One block from its BEGIN line (already consumed) to its END line: headers, a blank line, the
// base64 body, an optional "=XXXX" checksum.
result<armored_block> read_block(std::string_view type, std::string_view& rest)
{
    armored_block block{std::string(type), {}};
    std::string end = "-----END " + std::string(type) + "-----";
    std::string body;
    std::string checksum;
    bool in_headers = true;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view line = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line == end) {
            auto decoded = base64_decode(body);
            if (!decoded) return detail::bad("armored " + block.type + " has an invalid base64 body");
            block.data = std::move(*decoded);
            if (!checksum.empty()) {
                auto crc = base64_decode(checksum);
                if (!crc || crc->size() != 3)
                    return detail::bad("armored " + block.type + " has an invalid checksum line");
                auto b = [&](int i) {
                    return static_cast<std::uint32_t>(static_cast<unsigned char>((*crc)[i]));
                };
                if (((b(0) << 16) | (b(1) << 8) | b(2)) != crc24(block.data))
                    return detail::bad("armored " + block.type +
                                       " is corrupt: its CRC24 checksum does not match");
            }
            return block;
        }
        if (in_headers) {
            // Headers are "Key: value" lines ending at a blank line; some writers omit both.
            if (line.empty()) {
                in_headers = false;
                continue;
            }
            if (line.find(": ") != std::string_view::npos) continue;
            in_headers = false;
        }
        if (line.starts_with("=") && line.size() == 5)
            checksum = line.substr(1);
        else
            body += line;
    }
    return detail::bad("armored " + block.type + " has no '" + end + "' line");
}

} // namespace

result<std::vector<armored_block>> dearmor(std::string_view text)
{
    std::vector<armored_block> out;
    constexpr std::string_view begin = "-----BEGIN ";
    while (true) {
        auto at = text.find(begin);
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + begin.size());
        auto close = text.find("-----");
        if (close == std::string_view::npos) return detail::bad("armor header line is not closed by '-----'");
        std::string_view type = text.substr(0, close);
        text.remove_prefix(close + 5);
        auto nl = text.find('\n');
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        WEIR_TRY_ASSIGN(auto block, read_block(type, text));
        out.push_back(std::move(block));
    }
    if (out.empty()) return detail::bad("no '-----BEGIN PGP ...-----' armor found");
    return out;
}

namespace detail {

error bad(std::string message)
{
    return terminal_error(std::move(message), "VerificationError");
}

result<std::string> binary_of(std::string_view text, std::string_view armor_type)
{
    if (text.find("-----BEGIN ") == std::string_view::npos) return std::string(text);
    WEIR_TRY_ASSIGN(auto blocks, dearmor(text));
    std::string out;
    for (auto& b : blocks)
        if (b.type == armor_type) out += b.data;
    if (out.empty()) return bad("no '" + std::string(armor_type) + "' armor block found");
    return out;
}

} // namespace detail
} // namespace weir::openpgp
