// Byte encodings every layer needs: base64 (Secret data, kubeconfig certificates, Helm releases)
// and hex (digests).
//
//   WEIR_TRY_ASSIGN(auto password, base64_decode(secret_data));
//   std::string data = base64_encode(bytes);
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>

namespace weir {

// Standard alphabet with padding (RFC 4648 section 4), as Kubernetes writes Secret data.
std::string base64_encode(std::string_view bytes);
// Accepts padded and unpadded input and ignores whitespace (line-wrapped PEM-like bodies);
// any other character outside the alphabet is a terminal error naming its offset.
result<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);

} // namespace weir
