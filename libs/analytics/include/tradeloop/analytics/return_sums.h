// Sums over a series of period returns: the one implementation behind the return metrics (Sharpe,
// Sortino, volatility, skew, ...) and the optimizer's return statistics (deflated Sharpe, PBO), so a
// trial of `tradeloop optimize` and a single `tradeloop backtest` get the same bits.
//
// Element k of the span goes to partial sum k % 4 and the four partials are added as (0 + 1) + (2 + 3):
// four independent chains the compiler turns into SIMD, instead of one sequential sum that waits on the
// latency of every addition. NaN elements are skipped (they add nothing and are not counted).
#pragma once

#include <cstddef>
#include <span>

namespace tradeloop::analytics {

struct ReturnSums {
  std::size_t count = 0;  // non-NaN returns
  double sum = 0;
  double down_sq = 0;  // sum of min(r, 0)^2
  double gains = 0;    // sum of max(r, 0)
  double losses = 0;   // sum of -min(r, 0)
  // log of the product of (1 + r) (meaningless when wiped_out).
  double log_growth = 0;
  bool wiped_out = false;  // some 1 + r <= 0
};
ReturnSums sum_returns(std::span<const double> returns);

// Sums of (r - mean)^2, ^3 and ^4 over the non-NaN returns, with the same lanes as sum_returns.
struct CentralSums {
  double m2 = 0, m3 = 0, m4 = 0;
};
CentralSums central_sums(std::span<const double> returns, double mean);

// Whether any element is NaN (two lanes at a time).
bool has_nan(std::span<const double> values);

}  // namespace tradeloop::analytics
