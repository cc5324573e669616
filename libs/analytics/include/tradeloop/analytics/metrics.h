// Performance metrics of one run: 47 numbers computed from a RunRecord (equity curve, closed
// trades, benchmark closes). Every metric is defined in docs/metrics.md; where backtesting.py 0.6
// reports the same statistic the formula is its formula, so numbers can be compared one to one.
//
// Values are doubles in a fixed, documented order (metric_catalog()); a metric that is undefined
// for a run (no trades, zero volatility, ...) is NaN, and +-inf where backtesting.py gives an
// infinity (Sortino with no losing period). JSON output writes both as null.
//
// Speed: compute_metrics() makes one pass over the equity curve, one over the period returns and
// one over the trades. Pass a MetricsWorkspace to reuse its buffers across calls (an optimizer
// trial then allocates nothing), and MetricsOptions::requested to skip whole groups (the benchmark
// pass with its logarithms, the trade statistics, ...).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tradeloop/analytics/annualization.h"
#include "tradeloop/analytics/records.h"
#include "tradeloop/core/result.h"

namespace tradeloop::analytics {

/// Metric identifiers, in output order. The numeric values are stable (used as array indices).
enum class Metric : std::uint8_t {
  kFinalEquity = 0,
  kEquityPeak = 1,
  kTotalReturnPct = 2,
  kBuyHoldReturnPct = 3,
  kReturnAnnPct = 4,
  kVolatilityAnnPct = 5,
  kCagrPct = 6,
  kSharpeRatio = 7,
  kSortinoRatio = 8,
  kCalmarRatio = 9,
  kOmegaRatio = 10,
  kAlpha = 11,
  kBeta = 12,
  kMaxDrawdownPct = 13,
  kAvgDrawdownPct = 14,
  kMaxDrawdownDuration = 15,
  kAvgDrawdownDuration = 16,
  kUlcerIndex = 17,
  kRecoveryFactor = 18,
  kVar95Pct = 19,
  kCvar95Pct = 20,
  kSkew = 21,
  kKurtosis = 22,
  kTailRatio = 23,
  kExposurePct = 24,
  kTimeInMarketPct = 25,
  kNumTrades = 26,
  kWinRatePct = 27,
  kBestTradePct = 28,
  kWorstTradePct = 29,
  kAvgTradePct = 30,
  kMaxTradeDuration = 31,
  kAvgTradeDuration = 32,
  kProfitFactor = 33,
  kExpectancy = 34,
  kSqn = 35,
  kKellyCriterion = 36,
  kAvgWin = 37,
  kAvgLoss = 38,
  kPayoffRatio = 39,
  kMaxConsecutiveWins = 40,
  kMaxConsecutiveLosses = 41,
  kCommissions = 42,
  kTotalFees = 43,
  kDurationDays = 44,
  kNumBars = 45,
  kPeriodsPerYear = 46,
};

inline constexpr std::size_t kMetricCount = 47;

struct MetricInfo {
  Metric id;
  std::string_view key;             // snake_case JSON key, e.g. "sharpe_ratio"
  std::string_view unit;            // "currency", "percent", "ratio", "days", "count", "periods"
  std::string_view label;           // human label for reports, e.g. "Sharpe ratio"
  std::string_view backtesting_py;  // the backtesting.py 0.6 statistic it equals, or "" when none
};

/// All metrics in output order (index == static_cast<size_t>(id)).
std::span<const MetricInfo> metric_catalog();
const MetricInfo& metric_info(Metric m);
std::string_view metric_key(Metric m);
/// The metric with this snake_case key, if any.
std::optional<Metric> metric_from_key(std::string_view key);

/// A set of metrics (a bit mask).
class MetricSet {
 public:
  constexpr MetricSet() = default;
  static constexpr MetricSet all() { return MetricSet((std::uint64_t{1} << kMetricCount) - 1); }
  static MetricSet of(std::initializer_list<Metric> metrics) {
    MetricSet s;
    for (Metric m : metrics) s.add(m);
    return s;
  }
  MetricSet& add(Metric m) {
    bits_ |= bit(m);
    return *this;
  }
  constexpr bool contains(Metric m) const { return (bits_ & bit(m)) != 0; }
  constexpr bool intersects(MetricSet other) const { return (bits_ & other.bits_) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint64_t bits() const { return bits_; }
  friend constexpr bool operator==(MetricSet, MetricSet) = default;

 private:
  constexpr explicit MetricSet(std::uint64_t bits) : bits_(bits) {}
  static constexpr std::uint64_t bit(Metric m) { return std::uint64_t{1} << static_cast<unsigned>(m); }
  std::uint64_t bits_ = 0;
};

/// Parses "sharpe_ratio,max_drawdown_pct" (comma-separated keys) into a set; an unknown key is
/// an invalid_argument error naming it.
Result<MetricSet> parse_metric_set(std::string_view keys);

/// What runs over the same bars share (optimizer trials): their timestamps and benchmark closes,
/// and what metrics derive from those alone (the annualization, the benchmark's log returns,
/// whether every bar is its own return period). Built once per data set by make(); it borrows `ts`
/// and `benchmark_close`, which must outlive it. Read-only afterwards: one context serves all
/// threads. Using it changes no value, only what is recomputed per run.
class MetricsContext {
 public:
  /// `periods_per_year` is the RunRecord::periods_per_year of the runs (0 = inferred).
  static MetricsContext make(std::span<const Timestamp> ts, std::span<const double> benchmark_close,
                             double periods_per_year = 0);

  std::span<const Timestamp> ts() const { return ts_; }
  std::span<const double> benchmark_close() const { return benchmark_close_; }
  const Annualization& annualization() const { return annualization_; }
  double periods_per_year_override() const { return periods_per_year_; }
  /// Every bar falls in its own return period (daily bars): period returns are bar returns.
  bool one_bar_per_period() const { return one_bar_per_period_; }
  /// ln(c_i / c_{i-1}) of the benchmark at index i (index 0 unused); empty without a benchmark.
  const std::vector<double>& benchmark_log_returns() const { return benchmark_log_returns_; }

 private:
  std::span<const Timestamp> ts_;
  std::span<const double> benchmark_close_;
  double periods_per_year_ = 0;
  Annualization annualization_;
  bool one_bar_per_period_ = false;
  std::vector<double> benchmark_log_returns_;
};

struct MetricsOptions {
  // Annual risk-free rate as a fraction (0.02 = 2%), used like backtesting.py's risk_free_rate
  // by sharpe_ratio, sortino_ratio and alpha. Must be in (-1, 1).
  double risk_free_rate = 0;
  // Metrics to compute; the others are left NaN and marked not computed. Dependencies are
  // resolved internally (sharpe_ratio computes what it needs without reporting it).
  MetricSet requested = MetricSet::all();
  // Shared per-data-set inputs (optional). A run whose equity.ts is empty (a signal run with
  // share_series) takes the context's timestamps and benchmark closes; the annualization and the
  // benchmark log returns come from the context whenever the run's series are the context's.
  const MetricsContext* context = nullptr;
};

/// The values of one run. Cheap to copy (a fixed array).
class Metrics {
 public:
  Metrics();

  /// NaN when not computed or undefined for this run.
  double operator[](Metric m) const { return values_[static_cast<std::size_t>(m)]; }
  double value(Metric m) const { return (*this)[m]; }
  /// The value of a metric by key; not_found for an unknown key.
  Result<double> value(std::string_view key) const;
  bool computed(Metric m) const { return computed_.contains(m); }
  MetricSet computed_set() const { return computed_; }

  /// The JSON-ready view: (key, value) of every computed metric in catalog order.
  std::vector<std::pair<std::string_view, double>> items() const;
  /// One JSON object {"final_equity":12345.6,...} of the computed metrics in catalog order;
  /// non-finite values are written as null. Numbers use the shortest form that round-trips.
  std::string to_json() const;

  void set(Metric m, double v) {
    values_[static_cast<std::size_t>(m)] = v;
    computed_.add(m);
  }

 private:
  std::array<double, kMetricCount> values_;
  MetricSet computed_;
};

/// Scratch buffers reused across compute_metrics() calls, and the log returns of the last
/// benchmark seen (runs of one data set share them). Not thread-safe: one per thread.
class MetricsWorkspace {
 public:
  MetricsWorkspace() = default;

  /// The period returns of the last compute_metrics() call (as analytics::period_returns gives
  /// them: the first is NaN); empty when that call needed none.
  std::span<const double> period_returns() const { return {returns_.data(), returns_size_}; }

  /// Sums over period_returns() after the first, NaNs skipped: their count and sum, and the central
  /// moments about mean = sum / count, as analytics::sum_returns and central_sums give them.
  /// `valid` is false when the last call computed no returns.
  struct ReturnMoments {
    bool valid = false;
    std::size_t count = 0;
    double sum = 0, m2 = 0, m3 = 0, m4 = 0;
  };
  const ReturnMoments& return_moments() const { return moments_; }

 private:
  friend class MetricsEngine;
  std::vector<double> returns_;  // kept between calls: no zero-fill when the next has as many
  std::size_t returns_size_ = 0;
  ReturnMoments moments_;
  std::vector<double> sorted_;
  std::vector<double> tail_;
  std::vector<std::pair<std::int64_t, std::int64_t>> intervals_;
  // The last benchmark seen and its log returns (reused while it is unchanged).
  std::vector<double> benchmark_close_;
  std::vector<double> benchmark_log_returns_;
};

/// Computes the requested metrics of `run`.
/// REQUIRES (with equity.ts read from options.context when the run shares it) of the record (an
/// invalid_argument error otherwise, naming the field and sizes): at least one bar; equity.ts and
/// equity.equity of the same length (cash, position_value and exposure either empty or that length too);
/// benchmark_close empty or that length; trades' bar indices within the curve.
Result<Metrics> compute_metrics(const RunRecord& run, const MetricsOptions& options = {},
                                MetricsWorkspace* workspace = nullptr);

/// Formats a metric value for people: fixed decimals by unit, "n/a" for NaN, "inf" / "-inf".
std::string format_metric_value(Metric m, double v);

}  // namespace tradeloop::analytics
