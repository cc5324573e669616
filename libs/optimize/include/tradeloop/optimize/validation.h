// validate(): out-of-sample validation of a strategy's parameter search.
//
// For each fold of the scheme (folds.h): optimize on the training bars (the same search, objective,
// executor and store as optimize()), then trade the best point on each test block. Reported:
// in-sample vs out-of-sample metrics per fold with the degradation, the best point's parameter
// stability, the out-of-sample runs stitched in time order (holdout, walkforward, kfold, purged) or
// as cpcv paths, and the overfitting statistics over every distinct point tried:
//   - deflated Sharpe ratio of the best point on the whole data set, given all distinct points tried
//     (their Sharpe ratios on the whole data set);
//   - PBO by CSCV over those points' whole-data return series;
//   - the probabilistic Sharpe ratio (against 0) of the stitched out-of-sample returns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/folds.h"
#include "tradeloop/optimize/optimizer.h"

namespace tradeloop::optimize {

struct ValidateOptions {
  SchemeConfig scheme;
  // Search, objective, executor, store, progress. `selection` is ignored (set per fold).
  OptimizeOptions optimize;
  bool overfitting = true;  // evaluate every distinct point on all bars for DSR and PBO
};

struct FoldReport {
  Fold fold;
  std::size_t trials = 0;
  bool has_best = false;  // false when every trial of the fold was rejected
  ParamPoint best;
  double is_value = 0;
  double oos_value = 0;
  std::map<std::string, double> is_metrics;
  std::map<std::string, double> oos_metrics;
  // In-sample minus out-of-sample utility (higher-is-better units): > 0 means worse out of sample.
  double degradation = 0;
  // degradation / |in-sample value| * 100 (0 when the in-sample value is 0).
  double degradation_pct = 0;
  Stability stability;
  std::vector<Evaluation> oos_blocks;  // one per test block (returns kept), for stitching
};

struct PathReport {
  std::vector<std::size_t> folds;  // fold index per group
  std::map<std::string, double> metrics;
  double value = 0;
  double probabilistic_sharpe = 0;
};

struct ValidationResult {
  Scheme scheme = Scheme::kWalkForward;
  std::vector<FoldReport> folds;
  // Stitched out-of-sample run (cpcv: mean over paths of each metric).
  std::map<std::string, double> oos_metrics;
  double oos_value = 0;
  ReturnStats oos_stats;
  std::vector<double> oos_returns;                         // stitched per-bar returns (not cpcv)
  std::shared_ptr<const analytics::RunRecord> oos_record;  // stitched record when the evaluator has one
  double oos_probabilistic_sharpe = 0;
  std::vector<PathReport> paths;  // cpcv
  // Means over folds with a best point.
  double mean_is_value = 0, mean_oos_value = 0, mean_degradation = 0, mean_degradation_pct = 0;
  std::size_t total_trials = 0;
  // Every distinct point tried, scored on all bars (for DSR/PBO), in order of first appearance.
  std::vector<Trial> candidates;
  std::ptrdiff_t full_best = -1;  // position in candidates
  DeflatedSharpe deflated_sharpe;
  Pbo pbo;
  double seconds = 0;
};

Result<ValidationResult> validate(const Evaluator& evaluator, const ParamSpace& space,
                                  const ValidateOptions& options);

}  // namespace tradeloop::optimize
