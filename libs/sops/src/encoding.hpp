// Private: base64 (standard alphabet, with or without padding, canonical only) and Bech32.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weir::sops::encoding {

// Strict decoders: no whitespace, no non-canonical trailing bits. `padded` requires '=' padding to
// a multiple of four characters; otherwise padding is refused.
std::optional<std::string> base64_decode(std::string_view in, bool padded);
std::string base64_encode(std::string_view in, bool padded);

// Bech32 (BIP 173, not Bech32m). Decoding accepts one case throughout and returns the human-readable
// part in lower case and the 8-bit data; nullopt on a bad checksum or shape.
struct bech32_data {
    std::string hrp;
    std::string data;
};
std::optional<bech32_data> bech32_decode(std::string_view text);
std::string bech32_encode(std::string_view hrp, std::string_view data, bool upper);

} // namespace weir::sops::encoding
