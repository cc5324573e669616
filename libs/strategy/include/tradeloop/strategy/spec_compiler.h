// The spec compiler: turns a valid Spec plus its data legs into a SignalPlan (per-bar entry/exit
// flags decided at each bar's close, exit rules, entry filter, sizing, hedge ratios) that the
// backtest kernel's signal runner trades.
//
// How it runs: the spec is lowered once to a program of nodes (SpecProgram); a run evaluates every
// node over whole arrays (no per-bar allocation, no virtual call per bar). Indicators are computed
// once per (data, indicator, inputs, parameters) and kept in an IndicatorCache that an optimizer
// shares across trials and threads, so a grid over 'fast' x 'slow' computes each SMA once.
//
//   IndicatorCache cache;                                       // one per data set, shared by trials
//   TL_ASSIGN_OR_RETURN(SpecProgram program, SpecProgram::create(spec));
//   for (trial : trials) {
//     TL_ASSIGN_OR_RETURN(SignalPlan plan, program.run(trial.values, legs, &cache));
//     ...
//   }
//
// Evaluation semantics (documented in docs/strategy-spec.md): NaN compares false; crosses_above(a, b)
// at bar t is a[t-1] < b[t-1] and a[t] > b[t] (strict on both bars, as backtesting.py's crossover()
// and the built-in sma_cross); x[n] before bar n is NaN (false for booleans);
// an indicator whose input series starts with NaN (e.g. ema(rsi(close, 14), 9)) is computed from the
// first bar where every input is a number, as TA-Lib's Python wrapper does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::strategy {

// Computed indicator columns (one per output, each of the data's length) keyed by a canonical text
// that names the data, the indicator, its inputs and its parameter values
// ("<data id>|sma(close,timeperiod=10)"). Thread-safe; entries are immutable once stored. Keep one
// cache per data set for the run's lifetime; entries for other data sets simply do not collide.
class IndicatorCache {
 public:
  using Columns = std::vector<std::vector<double>>;

  // Stops storing new entries (computing them anyway) once `max_bytes` of columns are held.
  explicit IndicatorCache(std::size_t max_bytes = std::size_t{2} << 30) : max_bytes_(max_bytes) {}
  IndicatorCache(const IndicatorCache&) = delete;
  IndicatorCache& operator=(const IndicatorCache&) = delete;

  // nullptr when absent.
  std::shared_ptr<const Columns> find(std::string_view key) const;
  // Stores `columns` under `key` unless present (or full) and returns what is stored under it (the
  // earlier entry if another thread got there first, so every user sees the same bits).
  std::shared_ptr<const Columns> insert(std::string key, Columns columns);

  std::size_t entries() const;
  std::size_t bytes() const;
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  void clear();

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Columns>, Hash, std::equal_to<>> map_;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
  mutable std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

namespace internal {
struct Program;
}

// A spec lowered once for many runs. Copyable (shares the immutable program); run() is const and
// thread-safe.
class SpecProgram {
 public:
  // Validates and lowers. Errors list the spec's issues (as check_spec).
  static Result<SpecProgram> create(const Spec& spec);

  const Spec& spec() const;
  std::size_t num_legs() const;  // 1, or 2 for pairs
  // Parameter values in spec.parameters order: the number for int/float, the choice index for
  // categorical (as the optimizer's ParamPoint).
  std::vector<double> default_values() const;
  int parameter_index(std::string_view name) const;  // -1 when absent

  // Checks values against ranges and constraints (errors as with_overrides).
  Status check(std::span<const double> values) const;

  // REQUIRES: legs.size() == num_legs(); legs of equal length with identical timestamps (pairs).
  // Errors: parameter values out of range, constraint violations, indicator parameter errors
  // (e.g. macd fastperiod >= slowperiod), misaligned legs.
  Result<SignalPlan> run(std::span<const double> values, std::span<const data::BarSeries* const> legs,
                         IndicatorCache* cache = nullptr) const;
  // With the spec's own values.
  Result<SignalPlan> run(std::span<const data::BarSeries* const> legs, IndicatorCache* cache = nullptr) const;

  // Per-bar values of one named series (or "long_entry" ... "short_exit", "hedge_ratio") as
  // doubles (booleans as 0/1), for inspection, plots and tests.
  Result<std::vector<double>> series_values(std::string_view name, std::span<const double> values,
                                            std::span<const data::BarSeries* const> legs,
                                            IndicatorCache* cache = nullptr) const;

 private:
  std::shared_ptr<const internal::Program> program_;
};

// Pairs data on one time axis: copies of the legs restricted to the timestamps they all have (bars
// missing from any leg are dropped from all), for files with gaps such as the 5-minute crypto samples.
// Errors when the legs share no timestamp. `dropped` (optional) receives the bars dropped per leg.
Result<std::vector<data::BarSeries>> align_legs(std::span<const data::BarSeries* const> legs,
                                                std::vector<std::size_t>* dropped = nullptr);

// One-shot: SpecProgram::create(spec) then run with the spec's values.
Result<SignalPlan> compile(const Spec& spec, std::span<const data::BarSeries* const> legs,
                           IndicatorCache* cache = nullptr);
// Single-instrument convenience.
Result<SignalPlan> compile(const Spec& spec, const data::BarSeries& bars, IndicatorCache* cache = nullptr);

}  // namespace tradeloop::strategy
