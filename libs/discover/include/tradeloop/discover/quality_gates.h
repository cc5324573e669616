// QualityGates: the thresholds a candidate must pass to be accepted, with defaults per data
// frequency, overrides from a JSON file and flags, and the check that lists every failed gate.
//
// The starting point is the Trading Infinite Loop document (min Sharpe 1.5, max drawdown 10%, min
// win rate 60%), which targets short intraday crypto backtests; see docs/discover.md for why daily
// and weekly data get other defaults. On top: a minimum number of trades, the deflated Sharpe ratio
// given every trial so far, an out-of-sample degradation limit and a correlation limit against the
// strategies already accepted (duplicates).
//
// Gates read these metrics (names as stored by the loop; percentages in percent):
//   num_trades, sharpe_ratio, max_drawdown_pct (negative, as analytics reports it), win_rate_pct,
//   deflated_sharpe,
//   oos_sharpe_ratio, oos_degradation, max_correlation, correlated_with (id of that strategy).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/core/timeframe.h"
#include "tradeloop/discover/candidate.h"

namespace tradeloop::discover {

// Data frequency classes with their own default gates.
enum class FrequencyClass : std::uint8_t { kIntraday = 0, kDaily = 1, kWeekly = 2 };

std::string_view frequency_class_name(FrequencyClass c);  // "intraday", "daily", "weekly"
// Bars shorter than a day are intraday, exactly a day daily, longer weekly (weeks, months).
FrequencyClass classify_timeframe(const Timeframe& tf);

struct QualityGates {
  double min_sharpe_ratio = 1.5;      // annualized, in-sample
  double max_drawdown = 0.10;         // fraction of peak equity (0.10 = 10%)
  double min_win_rate = 0.60;         // fraction of closed trades with pnl > 0
  double min_trades = 30;             // closed trades in-sample
  double min_deflated_sharpe = 0.95;  // probability that the true Sharpe beats the best of the trials so far
  // Trials whose in-sample returns correlate at least this much count as one test in the deflated
  // Sharpe ratio (see trial_clusters.h).
  double trial_correlation = 0.7;
  double max_oos_degradation = 0.5;  // out-of-sample Sharpe may lose at most this fraction of in-sample
  double min_oos_sharpe_ratio = 0;   // and must stay above this
  double max_correlation = 0.9;      // |returns correlation| with any accepted strategy on the same data

  // Defaults for a frequency class (see docs/discover.md).
  static QualityGates defaults_for(FrequencyClass c);
};

// Gate overrides as read from a --gates file: flat keys apply to every frequency class, keys inside
// an "intraday" / "daily" / "weekly" object only to that class (they win over flat keys). Keys are
// the QualityGates member names; `max_drawdown` and `min_win_rate` are fractions (0.1 = 10%), as in
// the seed document's config. Unknown keys and values out of range are errors naming the file and
// key.
class GateOverrides {
 public:
  static Result<GateOverrides> load_file(const std::string& path);
  static Result<GateOverrides> parse(std::string_view json_text, std::string_view origin);

  // Sets a flat override (command-line flags), after validating the value's range.
  Status set(std::string_view key, double value, std::string_view origin);

  // Defaults of the class with every override applied.
  QualityGates resolve(FrequencyClass c) const;

  // The overrides as JSON text (stored in the session config so --resume uses the same gates).
  std::string to_json() const;
  bool empty() const {
    return flat_.empty() && per_class_[0].empty() && per_class_[1].empty() && per_class_[2].empty();
  }

 private:
  struct Entry {
    std::string key;
    double value = 0;
  };
  std::vector<Entry> flat_;
  std::vector<Entry> per_class_[3];
};

// Every failed gate as a readable reason, in a fixed order (trades, Sharpe, drawdown, win rate,
// deflated Sharpe, out-of-sample, correlation). Empty means accepted. A missing or undefined
// metric fails its gate with a reason that says so.
std::vector<std::string> check_gates(const QualityGates& gates, const Metrics& metrics);

// In-sample fitness that steers evolution: the Sharpe ratio minus penalties for each in-sample gate
// missed, scaled by how far it was missed, so that near-misses rank above far misses. Never reads
// out-of-sample metrics (they must stay unseen by the search). -1e9 for an untestable candidate.
double fitness(const QualityGates& gates, const Metrics& metrics);

}  // namespace tradeloop::discover
