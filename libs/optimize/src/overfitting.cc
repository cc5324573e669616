#include "tradeloop/optimize/overfitting.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace tradeloop::optimize {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
double acklam(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log1p(-p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// Combinations of k out of n as masks, in lexicographic order of the chosen indices.
std::vector<std::vector<std::uint8_t>> combinations(std::size_t n, std::size_t k) {
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::size_t> idx(k);
  std::iota(idx.begin(), idx.end(), 0);
  while (true) {
    std::vector<std::uint8_t> mask(n, 0);
    for (const std::size_t i : idx) mask[i] = 1;
    out.push_back(std::move(mask));
    std::size_t i = k;
    while (i > 0 && idx[i - 1] == n - k + i - 1) --i;
    if (i == 0) break;
    ++idx[i - 1];
    for (std::size_t j = i; j < k; ++j) idx[j] = idx[j - 1] + 1;
  }
  return out;
}

double sharpe_of(double n, double sum, double sum_sq) {
  if (n < 2) return 0;
  const double mean = sum / n;
  const double var = (sum_sq - n * mean * mean) / (n - 1);
  return var > 0 ? mean / std::sqrt(var) : 0;
}

}  // namespace

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double normal_quantile(double p) {
  if (!(p > 0)) return p == 0 ? -kInf : std::numeric_limits<double>::quiet_NaN();
  if (!(p < 1)) return p == 1 ? kInf : std::numeric_limits<double>::quiet_NaN();
  double x = acklam(p);
  // One Halley step on the exact CDF brings the error to about machine precision. In the upper
  // tail, refine on the complement to keep precision.
  constexpr double kSqrt2Pi = 2.50662827463100050242;
  for (int i = 0; i < 2; ++i) {
    double e;
    if (p > 0.5) {
      e = (1 - p) - 0.5 * std::erfc(x / std::sqrt(2.0));  // = cdf(x) - p, without cancellation
    } else {
      e = normal_cdf(x) - p;
    }
    const double u = e * kSqrt2Pi * std::exp(x * x / 2);
    x = x - u / (1 + x * u / 2);
  }
  return x;
}

double expected_max_sharpe(double trials, double sharpe_variance) {
  if (trials <= 1 || !(sharpe_variance > 0)) return 0;
  const double z1 = normal_quantile(1 - 1 / trials);
  const double z2 = normal_quantile(1 - 1 / (trials * std::exp(1.0)));
  return std::sqrt(sharpe_variance) * ((1 - kEulerGamma) * z1 + kEulerGamma * z2);
}

double probabilistic_sharpe(double sharpe, double benchmark, double observations, double skew,
                            double kurtosis) {
  const double denom_sq = 1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe * sharpe;
  if (observations < 2 || !(denom_sq > 0)) return std::numeric_limits<double>::quiet_NaN();
  return normal_cdf((sharpe - benchmark) * std::sqrt(observations - 1) / std::sqrt(denom_sq));
}

DeflatedSharpe deflated_sharpe(double sharpe, double observations, double trials, double sharpe_variance,
                               double skew, double kurtosis) {
  DeflatedSharpe d;
  d.sharpe = sharpe;
  d.observations = observations;
  d.trials = trials;
  d.sharpe_variance = sharpe_variance;
  d.skew = skew;
  d.kurtosis = kurtosis;
  if (trials < 1) {
    d.note = "no trials";
    return d;
  }
  if (observations < 3) {
    d.note = fmt::format("{} returns are too few", observations);
    return d;
  }
  d.expected_max_sharpe = expected_max_sharpe(trials, sharpe_variance);
  d.probability = probabilistic_sharpe(sharpe, d.expected_max_sharpe, observations, skew, kurtosis);
  if (std::isnan(d.probability)) {
    d.note = "the Sharpe ratio's standard error is undefined (1 - skew*SR + (kurtosis-1)/4*SR^2 <= 0)";
    d.probability = 0;
    return d;
  }
  d.valid = true;
  return d;
}

DeflatedSharpe deflated_sharpe(const ReturnStats& selected, std::span<const double> trial_sharpes) {
  double mean = 0, var = 0;
  std::size_t n = 0;
  for (const double s : trial_sharpes) {
    if (!std::isfinite(s)) continue;
    ++n;
    mean += s;
  }
  if (n > 0) mean /= static_cast<double>(n);
  for (const double s : trial_sharpes) {
    if (std::isfinite(s)) var += (s - mean) * (s - mean);
  }
  var = n > 1 ? var / static_cast<double>(n - 1) : 0;
  return deflated_sharpe(selected.sharpe(), static_cast<double>(selected.count), static_cast<double>(n), var,
                         selected.skew, selected.kurtosis);
}

Result<Pbo> pbo_cscv(const std::vector<std::vector<BlockMoments>>& strategy_blocks, int jobs) {
  Pbo out;
  const std::size_t n = strategy_blocks.size();
  out.strategies = n;
  if (n < 2) {
    out.note = fmt::format("PBO needs at least 2 trials with returns, got {}", n);
    return out;
  }
  const std::size_t s = strategy_blocks[0].size();
  for (std::size_t i = 1; i < n; ++i) {
    if (strategy_blocks[i].size() != s) {
      return Error::invalid_argument(fmt::format(
          "PBO: trial {} has {} blocks, trial 0 has {}: all need the same", i, strategy_blocks[i].size(), s));
    }
  }
  if (s < 2 || s % 2 != 0) {
    out.note = fmt::format("PBO needs an even number >= 2 of blocks, got {} (too few returns?)", s);
    return out;
  }
  if (s > 24) return Error::invalid_argument(fmt::format("PBO: {} blocks is too many (at most 24)", s));
  out.blocks = s;
  const auto masks = combinations(s, s / 2);
  out.combinations = masks.size();
  out.logits.assign(masks.size(), 0);
  std::vector<double> is_best(masks.size()), oos_best(masks.size());

  // Totals per strategy, so out-of-sample sums are totals minus in-sample sums.
  std::vector<BlockMoments> totals(n);
  for (std::size_t j = 0; j < n; ++j) {
    for (const BlockMoments& b : strategy_blocks[j]) {
      totals[j].count += b.count;
      totals[j].sum += b.sum;
      totals[j].sum_sq += b.sum_sq;
    }
  }
  const auto run = [&](std::size_t c0, std::size_t c1) {
    std::vector<double> oos(n);
    for (std::size_t c = c0; c < c1; ++c) {
      const auto& mask = masks[c];
      std::size_t best = 0;
      double best_is = -kInf;
      for (std::size_t j = 0; j < n; ++j) {
        double cn = 0, cs = 0, cq = 0;
        const auto& blocks = strategy_blocks[j];
        for (std::size_t k = 0; k < s; ++k) {
          if (!mask[k]) continue;
          cn += blocks[k].count;
          cs += blocks[k].sum;
          cq += blocks[k].sum_sq;
        }
        const double is = sharpe_of(cn, cs, cq);
        oos[j] = sharpe_of(totals[j].count - cn, totals[j].sum - cs, totals[j].sum_sq - cq);
        if (is > best_is) {  // strict: ties keep the lowest index
          best_is = is;
          best = j;
        }
      }
      double less = 0, equal = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (oos[j] < oos[best]) {
          less += 1;
        } else if (oos[j] == oos[best]) {
          equal += 1;
        }
      }
      const double rank = less + (equal + 1) / 2;  // 1-based mid-rank, ascending
      const double w = rank / (static_cast<double>(n) + 1);
      out.logits[c] = std::log(w / (1 - w));
      is_best[c] = best_is;
      oos_best[c] = oos[best];
    }
  };
  if (jobs > 1) {
    tbb::task_arena arena(std::min(jobs, std::max(1, tbb::info::default_concurrency())));
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, masks.size(), 64),
                        [&](const tbb::blocked_range<std::size_t>& r) { run(r.begin(), r.end()); });
    });
  } else {
    run(0, masks.size());
  }
  double overfit = 0, loss = 0, sum = 0;
  for (std::size_t c = 0; c < masks.size(); ++c) {
    if (out.logits[c] <= 0) overfit += 1;
    if (oos_best[c] < 0) loss += 1;
    sum += out.logits[c];
  }
  const double m = static_cast<double>(masks.size());
  out.probability = overfit / m;
  out.prob_oos_loss = loss / m;
  out.logit_mean = sum / m;
  double mx = 0, my = 0;
  for (std::size_t c = 0; c < masks.size(); ++c) {
    mx += is_best[c];
    my += oos_best[c];
  }
  mx /= m;
  my /= m;
  double sxy = 0, sxx = 0;
  for (std::size_t c = 0; c < masks.size(); ++c) {
    sxy += (is_best[c] - mx) * (oos_best[c] - my);
    sxx += (is_best[c] - mx) * (is_best[c] - mx);
  }
  out.degradation_slope = sxx > 0 ? sxy / sxx : 0;
  out.valid = true;
  return out;
}

Result<Pbo> pbo_cscv(const std::vector<std::vector<double>>& strategy_returns, std::size_t blocks, int jobs) {
  std::vector<std::vector<BlockMoments>> all;
  all.reserve(strategy_returns.size());
  for (std::size_t j = 0; j < strategy_returns.size(); ++j) {
    if (strategy_returns[j].size() != strategy_returns[0].size()) {
      return Error::invalid_argument(fmt::format("PBO: return series {} has {} values, series 0 has {}", j,
                                                 strategy_returns[j].size(), strategy_returns[0].size()));
    }
    all.push_back(summarize_returns(strategy_returns[j], blocks).blocks);
  }
  return pbo_cscv(all, jobs);
}

}  // namespace tradeloop::optimize
