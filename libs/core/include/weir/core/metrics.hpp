// A Prometheus metrics registry with the text exposition format (version 0.0.4).
//
//   auto& reconciles = default_registry().counter("gotk_reconcile_total", "Reconciles", {"kind"});
//   reconciles.with({"GitRepository"}).inc();
//   auto& dur = default_registry().histogram("gotk_reconcile_duration_seconds", "...", {"kind"},
//                                            default_duration_buckets());
//   dur.with({"GitRepository"}).observe(0.42);
//   std::string text = default_registry().expose();
//
// Families and their children live as long as the registry; references stay valid. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

class counter {
public:
    void inc(double v = 1);
    double value() const { return value_.load(); }

private:
    std::atomic<double> value_{0};
};

class gauge {
public:
    void set(double v) { value_.store(v); }
    void inc(double v = 1);
    void dec(double v = 1) { inc(-v); }
    double value() const { return value_.load(); }

private:
    std::atomic<double> value_{0};
};

class histogram {
public:
    explicit histogram(std::vector<double> bounds);
    void observe(double v);
    // Cumulative counts per bound (the last is +Inf), the sum and the count.
    std::vector<std::uint64_t> cumulative_counts() const;
    double sum() const;
    std::uint64_t count() const;
    const std::vector<double>& bounds() const { return bounds_; }

private:
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> counts_;
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

std::vector<double> default_duration_buckets();

template <class Metric>
class family {
public:
    family(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds = {})
        : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds))
    {
    }
    // The child for these label values (in the order the family declared its labels).
    Metric& with(const std::vector<std::string>& values);
    // Forgets a child, e.g. when the object it described is deleted.
    void remove(const std::vector<std::string>& values);

    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }
    const std::vector<std::string>& labels() const { return labels_; }
    template <class Fn>
    void each(Fn&& fn) const
    {
        std::lock_guard lock(mutex_);
        for (const auto& [values, metric] : children_) fn(values, *metric);
    }

private:
    std::string name_, help_;
    std::vector<std::string> labels_;
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

class registry {
public:
    family<weir::counter>& counter(std::string name, std::string help, std::vector<std::string> labels = {});
    family<weir::gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
    family<weir::histogram>& histogram(std::string name, std::string help, std::vector<std::string> labels,
                                       std::vector<double> bounds);
    std::string expose() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<family<weir::counter>>> counters_;
    std::map<std::string, std::unique_ptr<family<weir::gauge>>> gauges_;
    std::map<std::string, std::unique_ptr<family<weir::histogram>>> histograms_;
};

registry& default_registry();

} // namespace weir
