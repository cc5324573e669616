// The indicator library's contract: every indicator is described by an IndicatorInfo (inputs,
// parameters with type/default/range, output names, TA-Lib's names) and made by name into an
// Indicator that computes both ways with identical output:
//   - batch:     compute(inputs, outputs) over whole arrays (research, fast);
//   - streaming: update(bar, out) one bar at a time (live trading).
// Values before the lookback (and wherever undefined) are NaN. The lookback is TA-Lib's: the number of
// leading bars without a value (with TA-Lib's default unstable period of 0).
//
// NaN in the input: a NaN input value propagates to every output that depends on it (as TA-Lib's
// arithmetic does); see docs/indicators.md for the per-indicator rule.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"

namespace tradeloop::indicators {

enum class ParamType : std::uint8_t { kInt = 0, kDouble = 1 };

struct ParamInfo {
  std::string name;  // TA-Lib Python API name: "timeperiod", "fastperiod", "nbdevup", "matype"
  ParamType type = ParamType::kInt;
  double default_value = 0;
  double min = 0;  // inclusive
  double max = 0;  // inclusive
  std::string description;
};

// Input series names. "real" is any one series (close unless the caller binds another);
// "real0"/"real1" are the two series of beta and correl.
inline constexpr std::string_view kInputNames[] = {"open",   "high", "low",   "close",
                                                   "volume", "real", "real0", "real1"};

struct IndicatorInfo {
  std::string name;                 // lower-case TA-Lib name ("rsi") or ours ("supertrend")
  std::string group;                // overlap, momentum, volatility, volume, statistics, pattern, custom
  std::string description;          // one line
  std::vector<std::string> inputs;  // names from kInputNames, e.g. {"high", "low", "close"}
  std::vector<ParamInfo> params;
  std::vector<std::string> outputs;  // {"rsi"} or TA-Lib's names {"macd", "macdsignal", "macdhist"}
  bool integer_output = false;       // candlestick patterns: 100 / -100 / 0
};

// Parameter values in the order of IndicatorInfo::params (ints are stored as whole doubles).
using ParamValues = std::vector<double>;

// Arrays for batch computation. All bound spans have the same length. `ts` is needed only by
// time-anchored indicators (session VWAP). `real` falls back to `close` when empty; `real0` and
// `real1` fall back to `real`/`close` and must be bound for beta and correl.
struct InputSeries {
  std::span<const Timestamp> ts;
  std::span<const double> open, high, low, close, volume;
  std::span<const double> real, real0, real1;

  std::size_t size() const;
  // The span bound to an input name (with the fallbacks above); empty when unbound.
  std::span<const double> get(std::string_view name) const;
};

// One bar for streaming. `real`, `real0` and `real1` are NaN when not set and then follow the
// fallbacks of InputSeries: `real` reads `close`, `real0` reads `real` (then `close`); `real1` has none
// (beta and correl need it set). So a NaN `real` with a numeric `close` reads the close.
struct BarInput {
  static constexpr double kNotSet = std::numeric_limits<double>::quiet_NaN();
  Timestamp ts = 0;
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
  double real = kNotSet, real0 = kNotSet, real1 = kNotSet;

  // The value bound to an input name (see kInputNames), with the fallbacks above; NaN for an unknown name.
  double get(std::string_view name) const;
};

class Indicator {
 public:
  virtual ~Indicator() = default;

  const IndicatorInfo& info() const { return *info_; }
  const ParamValues& params() const { return params_; }
  std::size_t num_outputs() const { return info_->outputs.size(); }

  // Leading bars without a value (TA-Lib's TA_XXX_Lookback for the same parameters).
  virtual int lookback() const = 0;

  // REQUIRES: outputs.size() == num_outputs(), each of in.size() elements; every input in
  // info().inputs is bound. Writes every element (NaN where there is no value).
  virtual void compute(const InputSeries& in, std::span<const std::span<double>> outputs) const = 0;

  // Streaming: forgets every bar seen.
  virtual void reset() = 0;
  // Consumes the next bar and writes num_outputs() values to out (NaN until the lookback has passed).
  // No allocation. The k-th call writes what compute() writes at index k-1.
  virtual void update(const BarInput& bar, double* out) = 0;

 protected:
  Indicator(const IndicatorInfo* info, ParamValues params) : info_(info), params_(std::move(params)) {}
  int int_param(std::size_t i) const { return static_cast<int>(params_[i]); }
  double double_param(std::size_t i) const { return params_[i]; }

 private:
  const IndicatorInfo* info_;
  ParamValues params_;
};

// Every indicator, sorted by name.
const std::vector<IndicatorInfo>& list_indicators();

// nullptr when there is no indicator of that name.
const IndicatorInfo* find_indicator(std::string_view name);

// Closest indicator name to a misspelling (for "did you mean 'sma'?"); empty when none is close.
std::string suggest_indicator(std::string_view name);

// Builds parameter values from name -> value pairs: missing names take their defaults. Errors name
// the indicator, parameter, value and limit: "rsi: parameter 'timeperiod' = 1 is below its minimum 2".
// Unknown names and non-integers for int parameters are errors too.
Result<ParamValues> resolve_params(const IndicatorInfo& info, const std::map<std::string, double>& given);

// Makes a configured indicator. Parameters are checked as in resolve_params, plus cross-parameter
// rules (e.g. macd: fastperiod < slowperiod) with an error naming both.
Result<std::unique_ptr<Indicator>> make_indicator(std::string_view name,
                                                  const std::map<std::string, double>& params);
Result<std::unique_ptr<Indicator>> make_indicator(const IndicatorInfo& info, ParamValues params);

// Convenience: batch-computes into freshly allocated columns, one per output.
Result<std::vector<std::vector<double>>> compute(std::string_view name, const InputSeries& in,
                                                 const std::map<std::string, double>& params);

}  // namespace tradeloop::indicators
