// The age header parser, the armor decoder and the whole decryption path must never crash or
// over-read on hostile input; a file whose header parses must report consistent offsets.
#include <weir/sops/age.hpp>

#include <cstdlib>
#include <string_view>

namespace age = weir::sops::age;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto h = age::parse_header(in)) {
        if (h->mac_input_size > h->payload_offset || h->payload_offset > in.size()) std::abort();
        if (h->mac.size() != 32) std::abort();
    }
    if (auto bin = age::dearmor(in)) {
        if (age::armor(*bin).empty()) std::abort();
    }
    // A fixed identity (the X25519 key with scalar 1..32) drives the unwrap and payload code.
    static const age::identity id = [] {
        std::array<unsigned char, 32> s{};
        for (unsigned i = 0; i < 32; ++i) s[i] = static_cast<unsigned char>(i + 1);
        return age::identity(s);
    }();
    (void)age::decrypt(in, {id});
    (void)age::decrypt_with_passphrase(in, "fuzz", "fuzz", 4);
    return 0;
}
