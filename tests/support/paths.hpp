// Where tests find the source tree, the build tree and the shared corpora.
#pragma once

#include <filesystem>

namespace weir::test {

inline std::filesystem::path source_dir() { return WEIR_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return WEIR_BINARY_DIR; }
// ../shared next to the checkout (absent on machines without it).
inline std::filesystem::path shared_dir() { return source_dir().parent_path() / "shared"; }

} // namespace weir::test
