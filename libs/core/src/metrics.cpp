#include <weir/core/metrics.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace weir {
namespace {

void atomic_add(std::atomic<double>& a, double v)
{
    double cur = a.load();
    while (!a.compare_exchange_weak(cur, cur + v)) {
    }
}

std::string escape_label(std::string_view v)
{
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_number(double v)
{
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
    return fmt::format("{}", v);
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {})
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], escape_label(values[i]));
    if (!extra_name.empty()) out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", extra_name, extra_value);
    return out.empty() ? "" : "{" + out + "}";
}

template <class Metric>
std::unique_ptr<Metric> make_metric(const std::vector<double>& bounds)
{
    if constexpr (std::is_same_v<Metric, histogram>) return std::make_unique<histogram>(bounds);
    else return std::make_unique<Metric>();
}

} // namespace

void counter::inc(double v) { atomic_add(value_, v); }
void gauge::inc(double v) { atomic_add(value_, v); }

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0)
{
    std::sort(bounds_.begin(), bounds_.end());
}

void histogram::observe(double v)
{
    std::lock_guard lock(mutex_);
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
    sum_ += v;
    ++count_;
}

std::vector<std::uint64_t> histogram::cumulative_counts() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> out(counts_.size());
    std::uint64_t run = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) out[i] = run += counts_[i];
    return out;
}

double histogram::sum() const
{
    std::lock_guard lock(mutex_);
    return sum_;
}

std::uint64_t histogram::count() const
{
    std::lock_guard lock(mutex_);
    return count_;
}

std::vector<double> default_duration_buckets()
{
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

template <class Metric>
Metric& family<Metric>::with(const std::vector<std::string>& values)
{
    std::lock_guard lock(mutex_);
    auto& slot = children_[values];
    if (!slot) slot = make_metric<Metric>(bounds_);
    return *slot;
}

template <class Metric>
void family<Metric>::remove(const std::vector<std::string>& values)
{
    std::lock_guard lock(mutex_);
    children_.erase(values);
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

family<counter>& registry::counter(std::string name, std::string help, std::vector<std::string> labels)
{
    std::lock_guard lock(mutex_);
    auto& slot = counters_[name];
    if (!slot) slot = std::make_unique<family<weir::counter>>(name, std::move(help), std::move(labels));
    return *slot;
}

family<gauge>& registry::gauge(std::string name, std::string help, std::vector<std::string> labels)
{
    std::lock_guard lock(mutex_);
    auto& slot = gauges_[name];
    if (!slot) slot = std::make_unique<family<weir::gauge>>(name, std::move(help), std::move(labels));
    return *slot;
}

family<histogram>& registry::histogram(std::string name, std::string help, std::vector<std::string> labels,
                                       std::vector<double> bounds)
{
    std::lock_guard lock(mutex_);
    auto& slot = histograms_[name];
    if (!slot)
        slot = std::make_unique<family<weir::histogram>>(name, std::move(help), std::move(labels), std::move(bounds));
    return *slot;
}

std::string registry::expose() const
{
    std::lock_guard lock(mutex_);
    std::string out;
    auto header = [&](const auto& f, std::string_view type) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name(), f.help(), f.name(), type);
    };
    for (const auto& entry : counters_) {
        const std::string& name = entry.first;
        const auto& f = entry.second;
        header(*f, "counter");
        f->each([&](const auto& values, const weir::counter& c) {
            out += fmt::format("{}{} {}\n", name, label_set(f->labels(), values), format_number(c.value()));
        });
    }
    for (const auto& entry : gauges_) {
        const std::string& name = entry.first;
        const auto& f = entry.second;
        header(*f, "gauge");
        f->each([&](const auto& values, const weir::gauge& g) {
            out += fmt::format("{}{} {}\n", name, label_set(f->labels(), values), format_number(g.value()));
        });
    }
    for (const auto& entry : histograms_) {
        const std::string& name = entry.first;
        const auto& f = entry.second;
        header(*f, "histogram");
        f->each([&](const auto& values, const weir::histogram& h) {
            auto counts = h.cumulative_counts();
            for (std::size_t i = 0; i < counts.size(); ++i) {
                std::string le = i < h.bounds().size() ? format_number(h.bounds()[i]) : "+Inf";
                out += fmt::format("{}_bucket{} {}\n", name, label_set(f->labels(), values, "le", le), counts[i]);
            }
            out += fmt::format("{}_sum{} {}\n", name, label_set(f->labels(), values), format_number(h.sum()));
            out += fmt::format("{}_count{} {}\n", name, label_set(f->labels(), values), h.count());
        });
    }
    return out;
}

registry& default_registry()
{
    static registry r;
    return r;
}

} // namespace weir
