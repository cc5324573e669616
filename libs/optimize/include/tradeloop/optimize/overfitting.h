// Overfitting statistics: the deflated Sharpe ratio and the probability of backtest overfitting.
//
// Deflated Sharpe ratio (Bailey and López de Prado, 2014, "The Deflated Sharpe Ratio: Correcting
// for Selection Bias, Backtest Overfitting and Non-Normality"): the probabilistic Sharpe ratio of
// the selected strategy against SR0, the Sharpe ratio the best of N unskilled trials is expected to
// reach,
//   SR0 = sqrt(V) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e))),   g = Euler-Mascheroni,
//   DSR = Z((SR - SR0) * sqrt(T - 1) / sqrt(1 - skew * SR + (kurtosis - 1) / 4 * SR^2)),
// with SR the selected strategy's per-period (not annualized) Sharpe ratio over T returns, V the
// variance of the per-period Sharpe ratios of all N trials, and skew/kurtosis (not excess) of the
// selected strategy's returns.
//
// PBO by CSCV (Bailey, Borwein, López de Prado and Zhu, 2015, "The Probability of Backtest
// Overfitting"): the T x N matrix of trial returns is cut into S contiguous blocks; for each of the
// C(S, S/2) ways to pick S/2 blocks as in-sample (the rest out-of-sample), the trial with the best
// in-sample Sharpe ratio is found, w = its out-of-sample rank / (N + 1) (mid-rank on ties) and
// lambda = ln(w / (1 - w)). PBO = share of lambdas <= 0 (the in-sample winner lands at or below the
// out-of-sample median).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/evaluator.h"

namespace tradeloop::optimize {

inline constexpr double kEulerGamma = 0.57721566490153286061;

double normal_cdf(double x);
// Inverse of normal_cdf for p in (0, 1) (-inf / +inf at 0 / 1), accurate to ~1e-15.
double normal_quantile(double p);

// SR0 above (for mean trial Sharpe 0). 0 when trials <= 1.
double expected_max_sharpe(double trials, double sharpe_variance);

// Probability that the true Sharpe ratio exceeds `benchmark` given the observed one (all per period).
double probabilistic_sharpe(double sharpe, double benchmark, double observations, double skew,
                            double kurtosis);

struct DeflatedSharpe {
  bool valid = false;              // false when there is nothing to deflate (no trial, < 3 returns)
  std::string note;                // why not valid
  double probability = 0;          // the DSR, in [0, 1]
  double sharpe = 0;               // observed, per period
  double expected_max_sharpe = 0;  // SR0, per period
  double trials = 0;               // N
  double sharpe_variance = 0;      // V
  double skew = 0;
  double kurtosis = 3;
  double observations = 0;  // T
};

DeflatedSharpe deflated_sharpe(double sharpe, double observations, double trials, double sharpe_variance,
                               double skew, double kurtosis);
// The selected strategy's returns summary and the per-period Sharpe ratios of all trials (the
// selected one included); V is their sample variance.
DeflatedSharpe deflated_sharpe(const ReturnStats& selected, std::span<const double> trial_sharpes);

struct Pbo {
  bool valid = false;
  std::string note;
  double probability = 0;        // PBO
  std::size_t strategies = 0;    // N
  std::size_t blocks = 0;        // S
  std::size_t combinations = 0;  // C(S, S/2)
  std::vector<double> logits;    // one per combination, in lexicographic order of the IS block sets
  double logit_mean = 0;
  double prob_oos_loss = 0;      // share of combinations whose IS winner has OOS Sharpe < 0
  double degradation_slope = 0;  // least-squares slope of OOS Sharpe on IS Sharpe of the IS winners
};

// From per-strategy block moments (all strategies with the same number S >= 2 of blocks, S even).
// jobs > 1 spreads the combinations over threads; the result does not depend on it.
Result<Pbo> pbo_cscv(const std::vector<std::vector<BlockMoments>>& strategy_blocks, int jobs = 1);
// From return series (one per strategy, all the same length), cut into `blocks` blocks.
Result<Pbo> pbo_cscv(const std::vector<std::vector<double>>& strategy_returns, std::size_t blocks,
                     int jobs = 1);

}  // namespace tradeloop::optimize
