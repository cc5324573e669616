#include "tradeloop/analytics/return_sums.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace tradeloop::analytics {
namespace {

// Two lanes per SSE2 register (x86-64's baseline), two registers: lanes 0-1 and 2-3. GCC's vector
// extensions give the same element-wise IEEE operations as scalar code, so every lane holds exactly the
// sum a scalar loop over its elements would.
using V = double __attribute__((vector_size(16)));
constexpr std::size_t kLanes = 4;
// Growth products are brought back to [0.5, 1) with frexp every this many elements per lane, before a
// run of large factors can overflow them.
constexpr std::size_t kRenormEvery = 64;

inline V load(const double* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline V splat(double x) {
  return V{x, x};
}
// Element-wise as std::min(a, b) and std::max(a, b) (b when a < b, else a).
inline V vmin(V a, V b) {
  return b < a ? b : a;
}
inline V vmax(V a, V b) {
  return a < b ? b : a;
}
inline double total(V a, V b) {
  return (a[0] + a[1]) + (b[0] + b[1]);
}

struct SumLanes {
  V count = splat(0), sum = splat(0), down_sq = splat(0), gains = splat(0), losses = splat(0);
  V growth = splat(1), low = splat(1);
  // NaN counts as 0 (adds nothing, multiplies growth by 1) and is not counted.
  void step(V x) {
    const auto ok = x == x;
    const V v = ok ? x : splat(0);
    count += ok ? splat(1) : splat(0);
    sum += v;
    const V down = vmin(v, splat(0));
    down_sq += down * down;
    losses -= down;
    gains += vmax(v, splat(0));
    const V factor = splat(1) + v;
    growth *= factor;
    low = vmin(low, factor);
  }
};

// Elements [k, n) with k + 4 > n, into lanes 0, 1, 2 as the vector loop would have placed them.
template <typename Step>
void tail(const double* r, std::size_t k, std::size_t n, Step&& step) {
  double a[kLanes];
  for (std::size_t j = 0; j < kLanes; ++j) a[j] = k + j < n ? r[k + j] : std::nan("");
  step(load(a), load(a + 2));
}

}  // namespace

ReturnSums sum_returns(std::span<const double> returns) {
  const double* r = returns.data();
  const std::size_t n = returns.size();
  SumLanes a, b;  // lanes 0-1 and 2-3
  int growth_exp = 0;
  auto renormalize = [&] {
    for (SumLanes* l : {&a, &b}) {
      for (int j = 0; j < 2; ++j) {
        int e = 0;
        l->growth[j] = std::frexp(l->growth[j], &e);
        growth_exp += e;
      }
    }
  };
  std::size_t k = 0;
  while (n - k >= kLanes) {
    const std::size_t end = k + kLanes * std::min(kRenormEvery, (n - k) / kLanes);
    for (; k < end; k += kLanes) {
      a.step(load(r + k));
      b.step(load(r + k + 2));
    }
    renormalize();
  }
  if (k < n) {
    // NaN fill: the missing elements add nothing.
    tail(r, k, n, [&](V x, V y) {
      a.step(x);
      b.step(y);
    });
    renormalize();
  }
  ReturnSums s;
  s.count = static_cast<std::size_t>(total(a.count, b.count));
  s.sum = total(a.sum, b.sum);
  s.down_sq = total(a.down_sq, b.down_sq);
  s.gains = total(a.gains, b.gains);
  s.losses = total(a.losses, b.losses);
  s.wiped_out = std::min({a.low[0], a.low[1], b.low[0], b.low[1]}) <= 0.0;
  // Each lane is in [0.5, 1) (or 0 when wiped out): their product cannot underflow.
  const double g = (a.growth[0] * a.growth[1]) * (b.growth[0] * b.growth[1]);
  s.log_growth = std::log(g) + static_cast<double>(growth_exp) * std::numbers::ln2;
  return s;
}

CentralSums central_sums(std::span<const double> returns, double mean) {
  const double* r = returns.data();
  const std::size_t n = returns.size();
  V m2a = splat(0), m3a = splat(0), m4a = splat(0), m2b = splat(0), m3b = splat(0), m4b = splat(0);
  const V mu = splat(mean);
  auto step = [&](V x, V& m2, V& m3, V& m4) {
    const V d = x == x ? x - mu : splat(0);
    const V d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  };
  std::size_t k = 0;
  for (; n - k >= kLanes; k += kLanes) {
    step(load(r + k), m2a, m3a, m4a);
    step(load(r + k + 2), m2b, m3b, m4b);
  }
  if (k < n) {
    tail(r, k, n, [&](V x, V y) {
      step(x, m2a, m3a, m4a);
      step(y, m2b, m3b, m4b);
    });
  }
  return {total(m2a, m2b), total(m3a, m3b), total(m4a, m4b)};
}

bool has_nan(std::span<const double> values) {
  const double* v = values.data();
  const std::size_t n = values.size();
  using M = long long __attribute__((vector_size(16)));
  M any = {0, 0};
  std::size_t k = 0;
  for (; k + 2 <= n; k += 2) {
    const V x = load(v + k);
    any |= x != x;
  }
  return (any[0] | any[1]) != 0 || (k < n && std::isnan(v[k]));
}

}  // namespace tradeloop::analytics
