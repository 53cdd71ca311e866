// Label and field selectors as the Kubernetes API reads them from list and watch queries.
//
//   WEIR_TRY_ASSIGN(auto sel, parse_label_selector("app=web,tier in (a,b),!legacy"));
//   bool hit = sel.matches(labels);
//
// Errors are terminal with reason BadRequest and say which requirement is wrong.
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::apiserver {

struct requirement {
    enum class op : unsigned char { eq, neq, in, notin, exists, not_exists };
    std::string key;
    op oper = op::eq;
    std::vector<std::string> values;
};

class label_selector {
public:
    std::vector<requirement> reqs;
    bool empty() const { return reqs.empty(); }
    bool matches(const std::vector<std::pair<std::string, std::string>>& labels) const;
};

result<label_selector> parse_label_selector(std::string_view text);
// Field selectors: only =, == and != terms.
result<label_selector> parse_field_selector(std::string_view text);

} // namespace weir::apiserver
