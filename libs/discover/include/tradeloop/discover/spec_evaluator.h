// SpecEvaluator: tests one discovery candidate on its data target. The spec is compiled once over
// the whole target (indicators are causal and cached per target, so every slice of the signal plan
// sees only the past), then traded by the backtest kernel's signal runner:
//   - in sample: the first window of an anchored walk-forward split (optimize::make_folds), the
//     only data the search ever sees (fitness, in-sample gates, the deflated Sharpe ratio);
//   - out of sample: the walk-forward test windows after it, each a fresh account, stitched end to
//     end (metrics prefixed "oos_"). The candidate's parameters are not re-fitted per window: the
//     search that chose them saw only the in-sample window, so every test window is unseen data.
// Metrics are the analytics module's (same names and definitions as `tradeloop backtest`).
//
// Owns its data targets; evaluate() is const and thread-safe (the indicator cache is shared).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tradeloop/analytics/records.h"
#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/discover/discovery_loop.h"
#include "tradeloop/discover/spec_generator.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::discover {

/// One data target: a single instrument, or two aligned legs (pairs).
struct DataTarget {
  TargetInfo info;
  std::vector<std::string> files;
  std::vector<data::BarSeries> legs;  // 1, or 2 with identical timestamps
  std::shared_ptr<strategy::IndicatorCache> cache;
};

// Loads bar files and builds the targets: one per file, plus one per pair of files with the same
// timeframe whose timestamps match on at least 90% of the shorter file (aligned on the common
// timestamps; the legs are named after the files, "ETH_BTC-5m~ADA_BTC-5m"). Data errors fail with
// the file's located messages; data warnings (gaps, flat bars) go to `notes`.
Result<std::vector<DataTarget>> load_targets(const std::vector<std::string>& files,
                                             std::vector<std::string>* notes);

struct EvaluatorOptions {
  double initial_cash = 10000;
  double commission = 0.0005;       // fraction of the notional per fill (5 bps)
  double in_sample_fraction = 0.6;  // share of the bars in the in-sample window
  std::size_t oos_folds = 4;        // walk-forward test windows after it
};

class SpecEvaluator final : public Evaluator {
 public:
  static Result<std::unique_ptr<SpecEvaluator>> create(std::vector<DataTarget> targets,
                                                       EvaluatorOptions options);

  Evaluation evaluate(const Candidate& candidate) const override;
  FrequencyClass frequency(std::string_view target) const override;

  // The candidate traded over its whole target in one account (tearsheets).
  Result<analytics::RunRecord> full_run(const Candidate& candidate) const;

  const std::vector<DataTarget>& targets() const { return targets_; }
  std::vector<TargetInfo> target_infos() const;
  const DataTarget* find_target(std::string_view id) const;
  // Bars of the in-sample window of a target.
  std::size_t in_sample_bars(std::string_view id) const;

  struct Split;

 private:
  SpecEvaluator(std::vector<DataTarget> targets, EvaluatorOptions options);
  std::vector<DataTarget> targets_;
  EvaluatorOptions options_;
  std::vector<std::shared_ptr<const Split>> splits_;  // per target
};

}  // namespace tradeloop::discover
