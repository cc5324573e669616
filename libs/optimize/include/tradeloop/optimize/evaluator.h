// Evaluator: what an optimizer calls to score one parameter point on a selection of bars. The real
// one runs a strategy through the backtest (backtest_evaluator.h); tests use small functions. The
// optimizer only sees metrics and per-bar return statistics, never the engine.
//
// Ownership: an Evaluator owns (or borrows, for its lifetime) its data; evaluate() is const,
// thread-safe and deterministic (same point and bars -> same bits) so trials can run on any thread
// or MPI rank.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tradeloop/analytics/records.h"
#include "tradeloop/core/result.h"
#include "tradeloop/optimize/param_space.h"

namespace tradeloop::optimize {

// Bars [begin, end) of the evaluator's data set.
struct BarRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
  bool operator==(const BarRange&) const = default;
};

// Sorted, disjoint, non-empty ranges. Each range is traded as its own run (a fresh account whose
// indicators are warmed up on the bars before it); the runs are stitched end to end.
using BarSelection = std::vector<BarRange>;

std::size_t selection_bars(const BarSelection& selection);
std::string selection_text(const BarSelection& selection);  // "[0,700)+[750,1000)"

// Sums of one block of returns: enough to get a Sharpe ratio of any union of blocks (PBO by CSCV).
struct BlockMoments {
  double count = 0;
  double sum = 0;
  double sum_sq = 0;
};

// Moments of a per-bar return series (r_t = equity_t / equity_{t-1} - 1).
struct ReturnStats {
  std::size_t count = 0;
  double mean = 0;
  double stdev = 0;     // sample standard deviation (n - 1)
  double skew = 0;      // population skewness m3 / m2^1.5
  double kurtosis = 3;  // population kurtosis m4 / m2^2 (not excess: 3 for a normal)
  // The series cut into equal contiguous blocks (the first count % blocks are one longer), in order.
  std::vector<BlockMoments> blocks;

  // Per-bar Sharpe ratio mean / stdev (0 when stdev is 0 or there are < 2 returns).
  double sharpe() const;
};

ReturnStats summarize_returns(std::span<const double> returns, std::size_t blocks);
// The same, given the sums summarize_returns would compute first (sum of returns in order, then the
// sums of (r - sum / n)^2, ^3, ^4 in order): callers that have them skip two passes, same bits.
ReturnStats summarize_returns(std::span<const double> returns, double sum, double m2, double m3, double m4,
                              std::size_t blocks);

// Sharpe of a set of blocks given by a mask of block indices.
double blocks_sharpe(const std::vector<BlockMoments>& blocks, const std::vector<std::uint8_t>& use);

struct EvalOptions {
  bool keep_returns = false;  // fill Evaluation::returns
  bool keep_record = false;   // fill Evaluation::record (stitching needs it)
  std::size_t blocks = 16;    // ReturnStats::blocks (PBO's S)
};

struct Evaluation {
  std::map<std::string, double> metrics;
  ReturnStats stats;
  std::vector<double> returns;                         // when EvalOptions::keep_returns
  std::shared_ptr<const analytics::RunRecord> record;  // when EvalOptions::keep_record and supported
  // Non-empty when the evaluator refused the point (e.g. the strategy rejects fast >= slow): the
  // trial is recorded as rejected with this reason.
  std::string rejected_reason;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  // Number of bars of the data set (selections index into it).
  virtual std::size_t bars() const = 0;
  // Identity of data + strategy + run settings, part of an optimization run's id (resume).
  virtual std::string identity() const = 0;
  // Metric names evaluate() reports (to refuse an unknown --objective early); empty = unknown.
  virtual std::vector<std::string> metric_names() const { return {}; }
  virtual double periods_per_year() const { return 252; }

  // Scores `point` on `bars`. Errors end the whole run; a refusal of this point only goes in
  // Evaluation::rejected_reason.
  virtual Result<Evaluation> evaluate(const ParamSpace& space, const ParamPoint& point,
                                      const BarSelection& bars, const EvalOptions& options) const = 0;

  // Joins evaluations of consecutive pieces (out-of-sample folds in time order, possibly with
  // different parameters) into one, as if traded back to back with the equity compounding. The
  // default joins return series (pieces need keep_returns) and computes return-based metrics.
  virtual Result<Evaluation> stitch(const std::vector<Evaluation>& pieces, const EvalOptions& options) const;
};

// Return-based metrics of a per-bar return series: total_return_pct, sharpe_ratio (annualized by
// periods_per_year), volatility_ann_pct, max_drawdown_pct (negative, as the analytics convention),
// bars. Used by Evaluator::stitch's default and by test evaluators.
std::map<std::string, double> returns_metrics(std::span<const double> returns, double periods_per_year);

// Per-bar returns of an equity curve over each contiguous run of a stitched record.
std::vector<double> equity_returns(std::span<const double> equity);

}  // namespace tradeloop::optimize
