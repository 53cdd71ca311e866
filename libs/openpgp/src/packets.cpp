#include "internal.hpp"

#include <openssl/evp.h>

#include <memory>

namespace weir::openpgp::detail {

bool cursor::take(std::size_t n, std::string_view& out)
{
    if (d.size() - pos < n) return false;
    out = d.substr(pos, n);
    pos += n;
    return true;
}

bool cursor::u8(std::uint8_t& v)
{
    if (pos >= d.size()) return false;
    v = static_cast<std::uint8_t>(d[pos++]);
    return true;
}

bool cursor::u16(std::uint32_t& v)
{
    std::uint8_t a = 0, b = 0;
    if (!u8(a) || !u8(b)) return false;
    v = (std::uint32_t{a} << 8) | b;
    return true;
}

bool cursor::u32(std::uint32_t& v)
{
    std::uint32_t hi = 0, lo = 0;
    if (!u16(hi) || !u16(lo)) return false;
    v = (hi << 16) | lo;
    return true;
}

bool cursor::mpi(std::string_view& out)
{
    std::uint32_t bits = 0;
    return u16(bits) && take((bits + 7) / 8, out);
}

result<std::vector<packet>> split_packets(std::string_view data)
{
    std::vector<packet> out;
    cursor c{data};
    while (c.pos < data.size()) {
        std::uint8_t h = 0;
        c.u8(h);
        if (!(h & 0x80))
            return bad("not OpenPGP data: packet header bit 7 is clear at offset " +
                       std::to_string(c.pos - 1));
        packet p;
        std::uint32_t len = 0;
        bool ok = true;
        if (h & 0x40) { // new format
            p.tag = h & 0x3f;
            std::uint8_t l0 = 0, l1 = 0;
            ok = c.u8(l0);
            if (ok && l0 < 192)
                len = l0;
            else if (ok && l0 < 224) {
                ok = c.u8(l1);
                len = ((std::uint32_t{l0} - 192) << 8) + l1 + 192;
            } else if (ok && l0 == 255)
                ok = c.u32(len);
            else if (ok)
                return bad("OpenPGP packet uses partial body lengths, which keys and signatures never do");
        } else { // old format
            p.tag = (h >> 2) & 0x0f;
            switch (h & 3) {
            case 0: {
                std::uint8_t l = 0;
                ok = c.u8(l);
                len = l;
                break;
            }
            case 1:
                ok = c.u16(len);
                break;
            case 2:
                ok = c.u32(len);
                break;
            default:
                len = static_cast<std::uint32_t>(data.size() - c.pos);
                break;
            }
        }
        if (!ok || !c.take(len, p.body)) return bad("OpenPGP packet is truncated");
        out.push_back(p);
    }
    return out;
}

std::string upper_hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

namespace {

// Hashed subpackets we understand (or may ignore); an unknown one marked critical invalidates the
// signature, as RFC 4880 5.2.3.1 requires.
bool known_subpacket(int type)
{
    return (type >= 2 && type <= 7) || (type >= 9 && type <= 12) || (type >= 16 && type <= 33) ||
           type == 34 || type == 35 || type == 37 || type == 38 || type == 39;
}

status read_subpackets(std::string_view area, bool hashed, signature& sig)
{
    cursor c{area};
    while (c.pos < area.size()) {
        std::uint8_t l0 = 0, l1 = 0;
        std::uint32_t len = 0;
        c.u8(l0);
        if (l0 < 192)
            len = l0;
        else if (l0 < 255) {
            if (!c.u8(l1)) return bad("signature subpacket length is truncated");
            len = ((std::uint32_t{l0} - 192) << 8) + l1 + 192;
        } else if (!c.u32(len))
            return bad("signature subpacket length is truncated");
        std::string_view sp;
        if (len == 0 || !c.take(len, sp)) return bad("signature subpacket is truncated");
        int type = static_cast<unsigned char>(sp[0]) & 0x7f;
        bool critical = static_cast<unsigned char>(sp[0]) & 0x80;
        std::string_view v = sp.substr(1);
        if (hashed && critical && !known_subpacket(type))
            return bad("signature has an unknown critical subpacket (type " + std::to_string(type) + ")");
        if (type == 16 && v.size() == 8)
            sig.issuer_key_id = upper_hex(v);
        else if (type == 33 && v.size() == 21 && v[0] == 4)
            sig.issuer_fingerprint = upper_hex(v.substr(1));
        else if (type == 27 && hashed && !v.empty()) {
            sig.has_key_flags = true;
            sig.key_flags = static_cast<std::uint8_t>(v[0]);
        }
    }
    return ok();
}

} // namespace

const EVP_MD* hash_md(int hash)
{
    switch (hash) {
    case 2:
        return EVP_sha1();
    case 8:
        return EVP_sha256();
    case 9:
        return EVP_sha384();
    case 10:
        return EVP_sha512();
    case 11:
        return EVP_sha224();
    default:
        return nullptr;
    }
}

result<signature> parse_signature(std::string_view body)
{
    signature sig;
    cursor c{body};
    std::uint8_t version = 0, type = 0, alg = 0, hash = 0;
    if (!c.u8(version)) return bad("signature packet is empty");
    sig.version = version;
    if (version != 4)
        return bad("signature packet version " + std::to_string(version) + " is not supported (only v4)");
    std::uint32_t hashed_len = 0, unhashed_len = 0;
    std::string_view hashed, unhashed, left;
    if (!c.u8(type) || !c.u8(alg) || !c.u8(hash) || !c.u16(hashed_len) || !c.take(hashed_len, hashed) ||
        !c.u16(unhashed_len) || !c.take(unhashed_len, unhashed) || !c.take(2, left))
        return bad("signature packet is truncated");
    sig.type = type;
    sig.algorithm = alg;
    sig.hash = hash;
    sig.hashed_part = body.substr(0, 6 + hashed_len);
    sig.left16[0] = static_cast<std::uint8_t>(left[0]);
    sig.left16[1] = static_cast<std::uint8_t>(left[1]);
    WEIR_TRY(read_subpackets(hashed, true, sig));
    WEIR_TRY(read_subpackets(unhashed, false, sig));
    while (c.pos < body.size()) {
        std::string_view m;
        if (!c.mpi(m)) return bad("signature value is truncated");
        sig.mpis.push_back(m);
    }
    return sig;
}

std::string key_hash_prefix(std::string_view key_body)
{
    std::string p(3, '\0');
    p[0] = static_cast<char>(0x99);
    p[1] = static_cast<char>((key_body.size() >> 8) & 0xff);
    p[2] = static_cast<char>(key_body.size() & 0xff);
    return p;
}

result<std::string> signature_digest(const signature& sig, std::initializer_list<std::string_view> pieces)
{
    const EVP_MD* md = hash_md(sig.hash);
    if (!md) return bad("signature hash algorithm " + std::to_string(sig.hash) + " is not supported");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), md, nullptr);
    for (auto p : pieces)
        EVP_DigestUpdate(ctx.get(), p.data(), p.size());
    EVP_DigestUpdate(ctx.get(), sig.hashed_part.data(), sig.hashed_part.size());
    auto n = static_cast<std::uint32_t>(sig.hashed_part.size());
    unsigned char trailer[6] = {4,
                                0xff,
                                static_cast<unsigned char>(n >> 24),
                                static_cast<unsigned char>(n >> 16),
                                static_cast<unsigned char>(n >> 8),
                                static_cast<unsigned char>(n)};
    EVP_DigestUpdate(ctx.get(), trailer, sizeof trailer);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

} // namespace weir::openpgp::detail
