// Private: runs a step kernel (see kernel_indicator.h) over whole arrays, with the same rules as
// KernelIndicator::compute: leading bars where any input is NaN get NaN outputs and are not fed to the
// kernel (TA-Lib's Python wrapper starts at the first complete bar). Used by the typed functions of
// functions.h so they equal the registry's indicators.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <span>

#include "kernel_indicator.h"

namespace tradeloop::indicators::internal {

// Index of the first bar where every input is a number (n when there is none).
template <std::size_t N>
std::size_t first_complete_bar(const std::array<std::span<const double>, N>& in, std::size_t n) {
  std::size_t i = 0;
  for (; i < n; ++i) {
    bool complete = true;
    for (const auto& s : in) complete = complete && !std::isnan(s[i]);
    if (complete) break;
  }
  return i;
}

template <class K, std::size_t NI, std::size_t NO>
void run_kernel(K k, const std::array<std::span<const double>, NI>& in,
                const std::array<std::span<double>, NO>& out) {
  static_assert(K::kInputs == static_cast<int>(NI) && K::kOutputs == static_cast<int>(NO));
  const std::size_t n = in[0].size();
  for (const auto& s : in) TL_CHECK(s.size() == n, "input lengths differ");
  for (const auto& s : out) TL_CHECK(s.size() == n, "output length differs from the input length");
  const std::size_t first = first_complete_bar(in, n);
  for (const auto& s : out) {
    for (std::size_t i = 0; i < first; ++i) s[i] = kNaN;
  }
  if constexpr (HasBatch<K>) {
    std::array<const double*, NI> from{};
    std::array<double*, NO> to{};
    for (std::size_t j = 0; j < NI; ++j) from[j] = in[j].data() + first;
    for (std::size_t o = 0; o < NO; ++o) to[o] = out[o].data() + first;
    k.batch(from.data(), to.data(), n - first);
    return;
  }
  std::array<double, NI> x{};
  std::array<double, NO> y{};
  for (std::size_t i = first; i < n; ++i) {
    for (std::size_t j = 0; j < NI; ++j) x[j] = in[j][i];
    k.step(Timestamp{0}, x.data(), y.data());
    for (std::size_t o = 0; o < NO; ++o) out[o][i] = y[o];
  }
}

}  // namespace tradeloop::indicators::internal
