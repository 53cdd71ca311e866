// Packet framing, signature packets and the OpenSSL glue shared by keys.cpp and verify.cpp.
#pragma once

#include <weir/openpgp/openpgp.hpp>

#include <openssl/types.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::openpgp::detail {

enum packet_tag : int {
    tag_signature = 2,
    tag_public_key = 6,
    tag_user_id = 13,
    tag_public_subkey = 14,
};

struct packet {
    int tag = 0;
    std::string_view body;
};

error bad(std::string message);

// Splits binary OpenPGP data into packets (old and new framing; partial lengths are refused: keys
// and signatures never use them).
result<std::vector<packet>> split_packets(std::string_view data);
// The binary packets of `text`: dearmored when it is armored, as-is otherwise.
result<std::string> binary_of(std::string_view text, std::string_view armor_type);

// A bounds-checked cursor over a packet body.
struct cursor {
    std::string_view d;
    std::size_t pos = 0;
    bool take(std::size_t n, std::string_view& out);
    bool u8(std::uint8_t& v);
    bool u16(std::uint32_t& v);
    bool u32(std::uint32_t& v);
    bool mpi(std::string_view& out); // the magnitude bytes, without the bit count
};

struct signature {
    int version = 0;
    int type = 0;
    int algorithm = 0;
    int hash = 0;
    std::string_view hashed_part;   // version octet through the hashed subpackets
    std::string issuer_key_id;      // upper hex, from subpacket 16 (may be empty)
    std::string issuer_fingerprint; // upper hex, from subpacket 33 (may be empty)
    bool has_key_flags = false;
    std::uint8_t key_flags = 0;
    std::uint8_t left16[2] = {0, 0};
    std::vector<std::string_view> mpis;
};

result<signature> parse_signature(std::string_view body);

std::string upper_hex(std::string_view bytes);
// The OpenSSL digest of OpenPGP hash algorithm `hash` (SHA-1, SHA-2), null when unsupported.
const EVP_MD* hash_md(int hash);
// The digest of the concatenated pieces with OpenPGP hash algorithm `hash`, followed by the v4
// signature trailer of `sig`.
result<std::string> signature_digest(const signature& sig, std::initializer_list<std::string_view> pieces);
// "0x99, two-octet length, body": how a key packet enters a hash.
std::string key_hash_prefix(std::string_view key_body);
// Checks the cryptographic signature over `digest` with `key` (left16 already compared).
status verify_digest(const public_key& key, const signature& sig, std::string_view digest);
std::string algorithm_name(int algorithm);
result<public_key> parse_public_key(std::string_view body);
// Digest of pieces + trailer, left-16 check, then verify_digest.
status check_signature(const public_key& key, const signature& sig,
                       std::initializer_list<std::string_view> pieces);

} // namespace weir::openpgp::detail
