// BacktestEvaluator: scores strategy parameters by backtests on one data set, exactly as
// `tradeloop backtest` does: the strategy (a C++ built-in such as sma_cross, or a JSON spec) is
// reduced to a SignalPlan over the whole data, traded by the backtest kernel's signal runner, and
// measured by analytics::compute_metrics. A trial on the full data therefore equals a backtest with
// the same parameters, metric for metric.
//
// Shared work across trials: indicator columns are computed once per parameter set and data set
// (the spec compiler's IndicatorCache; for sma_cross a cache of SMA columns per period) and reused
// by every trial and thread. Per-thread scratch (run buffers, metric workspaces) is reused, so a
// trial allocates little.
//
// A selection of bars [b, e) is traded as its own run (fresh account) on the plan computed over the
// whole data, so indicators are warm at b and nothing after e is read. Several ranges are stitched:
// each run's money is scaled so its initial cash equals the previous run's final equity.
//
// Ownership: the evaluator owns its bar series. evaluate() is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tradeloop/analytics/metrics.h"
#include "tradeloop/backtest/config.h"
#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/optimize/evaluator.h"

namespace tradeloop::optimize {

struct BacktestEvaluatorOptions {
  std::string strategy;                      // built-in name, library spec name or SPEC.json path
  std::map<std::string, std::string> fixed;  // --param k=v overrides that are not searched
  backtest::BacktestConfig config;           // the backtest flags
  analytics::MetricsOptions metrics;         // which metrics (default all)
  std::string data_label;                    // for messages ("GOOG-1d.csv")
};

class BacktestEvaluator final : public Evaluator {
 public:
  // Errors: unknown strategy (not_found), invalid spec or fixed parameter (invalid_argument /
  // out_of_range), legs that do not fit the strategy (one file for a single-instrument strategy,
  // two for a pairs spec).
  static Result<std::unique_ptr<BacktestEvaluator>> create(std::vector<data::BarSeries> legs,
                                                           BacktestEvaluatorOptions options);
  ~BacktestEvaluator() override;

  // Checks the searched parameters against the strategy's declaration: unknown names (with a
  // suggestion), ranges outside the declared range, and sets each parameter's kind (int / float /
  // categorical) from the declaration. Categorical choices must be among the declared ones.
  Status check_space(ParamSpace& space) const;

  // The strategy as a user reads it ("sma_cross", or the spec's name).
  const std::string& strategy_name() const;
  bool is_builtin() const;
  const std::vector<data::BarSeries>& legs() const;

  std::size_t bars() const override;
  std::string identity() const override;
  std::vector<std::string> metric_names() const override;
  double periods_per_year() const override;
  Result<Evaluation> evaluate(const ParamSpace& space, const ParamPoint& point, const BarSelection& bars,
                              const EvalOptions& options) const override;
  Result<Evaluation> stitch(const std::vector<Evaluation>& pieces, const EvalOptions& options) const override;

  // The full backtest record of one point on one selection (for reports and tests).
  Result<analytics::RunRecord> run_record(const ParamSpace& space, const ParamPoint& point,
                                          const BarSelection& bars) const;

  struct Impl;

 private:
  explicit BacktestEvaluator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Joins runs traded back to back: equity, cash and position values (and trade money) of run k are
// scaled by (final equity of the joined runs before it) / (run k's initial cash); bar indices of
// trades are shifted. Exposure and prices are unchanged.
analytics::RunRecord stitch_records(const std::vector<const analytics::RunRecord*>& runs);

}  // namespace tradeloop::optimize
