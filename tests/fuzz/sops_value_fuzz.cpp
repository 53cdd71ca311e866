// SOPS's ENC[...] value parser, the dotenv/JSON/YAML metadata readers and the document walk must
// never crash on hostile input; parsed values keep SOPS's shape (a 16-byte tag, a non-empty IV).
#include <weir/sops/sops.hpp>

#include <cstdlib>
#include <string_view>

namespace sops = weir::sops;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto v = sops::parse_encrypted_value(in)) {
        if (v->tag.size() != 16 || v->iv.empty()) std::abort();
    }
    if (size > 64 * 1024) return 0;
    // Flux's public test key, so that the seeds taken from Flux's test data decrypt all the way.
    static const sops::keys keys =
        sops::keys_from_secret({{"age.agekey", "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM"}},
                               "fuzz")
            .value();
    for (auto f : {sops::format::yaml, sops::format::json, sops::format::dotenv, sops::format::binary})
        (void)sops::decrypt_file(in, f, keys, "fuzz");
    return 0;
}
