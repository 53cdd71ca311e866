#include "internal.hpp"

namespace weir::openpgp {
using namespace detail;

namespace {

// Text signatures (type 0x01) hash the document with CRLF line endings.
std::string canonical_text(std::string_view data)
{
    std::string out;
    out.reserve(data.size() + data.size() / 32);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out += '\r';
        out += data[i];
    }
    return out;
}

struct candidate {
    const entity* owner;
    const public_key* key;
};

std::vector<candidate> keys_for(const keyring& keys, const signature& sig)
{
    std::vector<candidate> out;
    auto matches = [&](const public_key& k) {
        if (!sig.issuer_fingerprint.empty()) return k.fingerprint == sig.issuer_fingerprint;
        return !sig.issuer_key_id.empty() && k.key_id == sig.issuer_key_id;
    };
    for (const auto& e : keys.entities()) {
        if (matches(e.primary)) out.push_back({&e, &e.primary});
        for (const auto& s : e.subkeys)
            if (matches(s)) out.push_back({&e, &s});
    }
    return out;
}

result<signer> verify_one(const keyring& keys, const signature& sig, std::string_view data)
{
    if (sig.type != 0x00 && sig.type != 0x01)
        return bad("signature is of type 0x" + upper_hex(std::string(1, static_cast<char>(sig.type))) +
                   ", not a signature over a document");
    // SHA-1 collisions are practical; gpg has not made document signatures with it for a decade.
    if (sig.hash == 2) return bad("signature uses SHA-1, which is refused for document signatures");
    std::string issuer = !sig.issuer_fingerprint.empty() ? sig.issuer_fingerprint : sig.issuer_key_id;
    if (issuer.empty()) return bad("signature names no issuer key");
    auto found = keys_for(keys, sig);
    if (found.empty())
        return bad("signature was made by key " + issuer + ", which is not among the trusted keys (" +
                   (keys.empty() ? std::string("none") : keys.describe()) + ")");
    std::string text = sig.type == 0x01 ? canonical_text(data) : std::string();
    std::string_view signed_data = sig.type == 0x01 ? std::string_view(text) : data;
    error last = bad("no key verified the signature");
    for (const auto& c : found) {
        auto checked = check_signature(*c.key, sig, {signed_data});
        if (!checked) {
            last = std::move(checked).err();
            continue;
        }
        signer s;
        s.key_id = c.owner->primary.key_id;
        s.signing_key_id = c.key->key_id;
        s.fingerprint = c.key->fingerprint;
        s.user_id = c.owner->user_ids.empty() ? "" : c.owner->user_ids.front();
        s.source = c.owner->source;
        return s;
    }
    return last;
}

} // namespace

result<signer> verify_detached(const keyring& keys, std::string_view signature_text, std::string_view data)
{
    WEIR_TRY_ASSIGN(auto binary, binary_of(signature_text, "PGP SIGNATURE"));
    WEIR_TRY_ASSIGN(auto packets, split_packets(binary));
    std::optional<error> first;
    for (const auto& p : packets) {
        if (p.tag != tag_signature) continue;
        auto sig = parse_signature(p.body);
        auto r = sig ? verify_one(keys, *sig, data) : result<signer>(std::move(sig).err());
        if (r) return r;
        if (!first) first = std::move(r).err();
    }
    if (!first) return bad("no signature packet found");
    return *first;
}

} // namespace weir::openpgp
