// Where the value scalars of a YAML stream sit in its bytes (from libyaml's parser events), and
// which document (object) each belongs to.
#pragma once

#include <weir/core/result.hpp>
#include <weir/setters/setters.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace weir::setters::detail {

enum class scalar_style : unsigned char { plain, single_quoted, double_quoted, other };

struct scalar_site {
    std::size_t begin = 0, end = 0; // byte range of the scalar's own text (quotes included)
    std::size_t line = 0;           // 0-based line it starts and ends on
    bool single_line = false;
    scalar_style style = scalar_style::plain;
    std::string value;
    std::size_t document = 0;
};

struct scan_result {
    std::vector<scalar_site> values;   // value scalars (not mapping keys), in order
    std::vector<object_id> documents;  // per document index
};

// A terminal error with line and column when the text is not YAML.
result<scan_result> scan_values(std::string_view text);

} // namespace weir::setters::detail
