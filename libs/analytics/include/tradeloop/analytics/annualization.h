// How returns are sampled and annualized: the data's bar spacing decides the return period
// (calendar day, week, month or year) and how many such periods make a year. The rule is
// backtesting.py 0.6's, so annualized statistics match it (see docs/metrics.md, "Annualization").
//
// Stateless free functions over timestamp and equity columns; nothing is owned or cached.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tradeloop/core/time.h"

namespace tradeloop::analytics {

/// The calendar period equity is resampled to before computing returns.
enum class ReturnPeriod : std::uint8_t {
  kDay = 0,    // intraday and daily bars (and anything not weekly/monthly/yearly)
  kWeek = 1,   // weeks ending Sunday (pandas 'W')
  kMonth = 2,  // calendar months (pandas 'ME')
  kYear = 3,   // calendar years (pandas 'YE')
};

struct Annualization {
  ReturnPeriod period = ReturnPeriod::kDay;
  // Return periods per year: 252 (daily, weekends closed), 365 (daily, trades every day),
  // 52, 12 or 1. NaN when there are no timestamps.
  double periods_per_year = 0;
  // Median spacing of the last 100 bars (ns), the data period backtesting.py uses; 0 when < 2 bars.
  Timestamp bar_period_ns = 0;
  // Share of bars on Saturday or Sunday (UTC); NaN when an override made counting unnecessary.
  double weekend_share = 0;
};

/// Infers the return period and annualization factor from bar timestamps (strictly increasing):
///  - bar period = median difference of the last 100 timestamps; whole days of it:
///    7 -> weekly (52/year), 31 -> monthly (12/year), 365 -> yearly (1/year);
///  - otherwise daily returns, and 365 periods/year when more than 60% of 2/7 of the bars fall on
///    weekends (markets that trade every day: crypto), else 252.
/// A positive `periods_per_year_override` replaces the inferred factor (the period is still
/// inferred) and skips the pass over every bar (weekend_share is then NaN).
Annualization infer_annualization(std::span<const Timestamp> ts, double periods_per_year_override = 0);

/// The annualization factor alone, for callers that fill RunRecord::periods_per_year.
double periods_per_year(std::span<const Timestamp> ts);

/// Group key of the calendar period holding `ts` (days, Sunday-ending weeks, months or years since
/// the epoch). Consecutive bars with the same key fall in the same period.
std::int64_t period_key(Timestamp ts, ReturnPeriod period);

/// Returns of the equity curve resampled to `period` (last value of each period with data), as
/// backtesting.py computes them: out[0] is the first period and has no return (NaN), out[k] =
/// e_k / e_{k-1} - 1. NaN equity values are skipped. Clears and fills `out` (and `period_end_ts`,
/// the timestamp of each period's last bar, when not null); reuses their capacity.
void period_returns(std::span<const Timestamp> ts, std::span<const double> equity, ReturnPeriod period,
                    std::vector<double>* out, std::vector<Timestamp>* period_end_ts = nullptr);

/// Ceils a duration (ns) to the resolution of the data period, as pandas' Timedelta.ceil with the
/// period's resolution string does: the finest non-zero unit of `bar_period_ns` among day, hour,
/// minute, second, millisecond, microsecond, nanosecond. Durations of daily bars become whole days.
Timestamp ceil_to_resolution(Timestamp duration_ns, Timestamp bar_period_ns);

}  // namespace tradeloop::analytics
