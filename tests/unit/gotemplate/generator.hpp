// A deterministic generator of Go templates for the differential test: random compositions of
// Sprig and builtin calls, pipelines, control structures and printf verbs over testdata/data.json,
// typed loosely enough that both successes and Go's errors come up often.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace weir::gotemplate::test {

class template_generator {
public:
    explicit template_generator(std::uint32_t seed) : rng_(seed) {}
    std::string next();

private:
    std::mt19937 rng_;
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    template <class T> const T& one(const std::vector<T>& v) { return v[pick(v.size())]; }
    std::string operand(char kind, int depth);
    std::string call(int depth);
    std::string pipeline(int depth);
    std::string action(int depth);
};

} // namespace weir::gotemplate::test
