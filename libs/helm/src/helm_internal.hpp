// Shared helpers of libs/helm (private).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/helm/chart.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weir::helm {

std::string fmt_origin(std::string_view origin);

namespace detail {
// Go's strconv.FormatFloat(f, 'g', -1, 64)-like shortest form, as YAML numbers print in Go.
std::string go_float_string(double d);
}

// values.yaml / -f files: YAML 1.1 as sigs.k8s.io/yaml reads it; null or empty is {}.
result<weir::value> parse_values_yaml(std::string_view text);
result<std::string> read_file(const std::filesystem::path& p);
// Every file of a chart directory, .helmignore applied, paths relative with '/'.
result<std::vector<chart_file>> read_chart_dir(const std::filesystem::path& dir);
// Files of a .tgz, the top directory stripped.
result<std::vector<chart_file>> read_tgz(std::string_view bytes, std::string_view origin);
// gzip (best compression) and gunzip.
result<std::string> gzip_bytes(std::string_view in);
result<std::string> gunzip_bytes(std::string_view in, std::size_t max_out = 256u << 20);

// Values of path "a.b.c" in v (nullptr when absent).
const weir::value* value_at(const weir::value& v, std::string_view dotted);

} // namespace weir::helm
