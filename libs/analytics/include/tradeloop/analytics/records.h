// What a backtest (or a paper/live session) hands to analytics: the equity curve per bar and the
// closed trades. Plain data, no behaviour, so any engine can produce it and metrics/reports can
// consume it without depending on the engine.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tradeloop/core/time.h"

namespace tradeloop::analytics {

enum class Side : std::uint8_t { kLong = 0, kShort = 1 };

/// One closed round trip (a position opened and fully or partly closed). Partial closes are
/// separate trades of the closed size.
struct ClosedTrade {
  std::string symbol;
  Side side = Side::kLong;
  double size = 0;             // units, positive
  Timestamp entry_time = 0;    // fill time of the entry (UTC ns)
  Timestamp exit_time = 0;     // fill time of the exit
  std::int64_t entry_bar = 0;  // bar index of the entry fill
  std::int64_t exit_bar = 0;   // bar index of the exit fill
  double entry_price = 0;      // average fill price of the entry, after slippage
  double exit_price = 0;
  double pnl = 0;         // in quote currency, after fees on both legs
  double return_pct = 0;  // price return of the trade in percent, before fees, sign-adjusted for shorts
  double fees = 0;        // entry + exit commissions (and borrow/funding attributed to the trade)
  double mae_pct = 0;     // maximum adverse excursion in percent of entry (<= 0)
  double mfe_pct = 0;     // maximum favourable excursion in percent of entry (>= 0)
  std::string
      exit_reason;  // "signal", "stop_loss", "take_profit", "trailing_stop", "liquidation", "end", ...
};

/// The account per bar, sampled after the bar's events.
///
/// A runner may leave `cash` and `exposure` empty while recording `position_value` (the event kernel's
/// RecordOptions::derive_details, 16 bytes a bar less): they then follow from equity and position value.
/// cash_at() and exposure_at() read the stored column when there is one and derive the value otherwise,
/// with the same arithmetic the runners use, so both ways give the same bits.
struct EquityCurve {
  std::vector<Timestamp> ts;
  std::vector<double> cash;
  std::vector<double> position_value;  // signed market value of open positions
  std::vector<double> equity;          // cash + position value (+ unrealized margin PnL)
  std::vector<double> exposure;  // fraction of equity in the market (|position value| / equity), 0 when flat

  std::size_t size() const { return ts.size(); }

  // Whether cash (exposure) is known at bar i: stored, or derivable from the position value.
  bool has_cash(std::size_t i) const { return i < cash.size() || i < position_value.size(); }
  bool has_exposure(std::size_t i) const { return i < exposure.size() || i < position_value.size(); }
  // REQUIRES: has_cash(i) (has_exposure(i)).
  double cash_at(std::size_t i) const { return i < cash.size() ? cash[i] : equity[i] - position_value[i]; }
  double exposure_at(std::size_t i) const {
    if (i < exposure.size()) return exposure[i];
    const double pv = position_value[i], eq = equity[i];
    return pv == 0 ? 0.0 : (eq > 0 ? std::fabs(pv) / eq : std::numeric_limits<double>::quiet_NaN());
  }
};

/// An open position at the end of a run (counted in final equity, not in trade statistics).
struct OpenPosition {
  std::string symbol;
  Side side = Side::kLong;
  double size = 0;
  Timestamp entry_time = 0;
  double entry_price = 0;
  double last_price = 0;
  double unrealized_pnl = 0;
};

/// Everything metrics and reports need from one run.
struct RunRecord {
  double initial_cash = 0;
  double total_fees = 0;
  EquityCurve equity;
  std::vector<ClosedTrade> trades;
  std::vector<OpenPosition> open_positions;
  // Benchmark: close prices of the (first) traded instrument on the same bars, for buy-and-hold,
  // alpha and beta.
  std::vector<double> benchmark_close;
  // Leading bars during which the strategy could not trade yet (indicator warm-up). Buy-and-hold
  // starts at the close of this bar, as backtesting.py 0.6 does. 0 when there is no warm-up.
  std::int64_t warmup_bars = 0;
  // Return periods per year for annualization. Metrics resample the equity curve to calendar
  // periods first (days for intraday and daily bars, weeks/months/years for coarser bars; see
  // docs/metrics.md), so this counts those periods: 252 for markets closed at weekends, 365 for
  // markets that trade every day (crypto), 52 weekly, 12 monthly, 1 yearly.
  // 0 (the default) infers it from the timestamps with analytics::infer_annualization().
  double periods_per_year = 0;
};

}  // namespace tradeloop::analytics
