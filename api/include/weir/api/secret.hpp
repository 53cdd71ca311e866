// The core/v1 Secret's payload as controllers read it: data (base64) decoded and stringData merged
// over it, as the API server would.
//
//   WEIR_TRY_ASSIGN(auto data, api::secret_data(secret));
//   auto it = data.find("identity");
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <map>
#include <string>

namespace weir::api {

// Terminal error naming the Secret and key when a data value is not valid base64.
result<std::map<std::string, std::string>> secret_data(const value& secret);

// A ConfigMap's data and binaryData (decoded) in one map.
result<std::map<std::string, std::string>> config_map_data(const value& config_map);

} // namespace weir::api
