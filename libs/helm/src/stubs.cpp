// Placeholders while the implementation lands (removed as each part arrives).
#include <weir/helm/release.hpp>
#include <weir/helm/values.hpp>

namespace weir::helm {
namespace {
error todo(std::string_view what) { return terminal_error(std::string(what) + ": not implemented yet"); }
} // namespace
std::vector<const chart_file*> chart::crd_files() const { return {}; }
result<chart> load_chart(const std::filesystem::path&) { return todo("load_chart"); }
result<chart> load_chart_archive(std::string_view, std::string_view) { return todo("load_chart_archive"); }
result<chart> load_chart_files(std::vector<chart_file>, std::string_view) { return todo("load_chart_files"); }
} // namespace weir::helm
