// Private: plaintext output in the byte layout SOPS itself writes, so that a Secret generated from
// a decrypted file holds the same bytes under weir as under Flux.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>

namespace weir::sops::detail {

// SOPS's JSON store with its default settings: Go's encoding/json (HTML-safe escapes, Go's float
// format), re-indented by json.Indent with a tab, and a final newline.
std::string emit_json(const value& doc);
// SOPS's dotenv store: KEY=value lines, "\n" in values written as \n; only flat documents.
result<std::string> emit_dotenv(const value& doc, std::string_view name);

} // namespace weir::sops::detail
