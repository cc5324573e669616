// BacktestConfig: everything about a run that is not the data or the strategy: money, costs, fill
// timing, sizing, position rules, risk, and what to record. Shared by the signal runner and the event
// kernel, and filled from the `tradeloop backtest` flags (docs/backtest.md lists the mapping).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/execution/fee_model.h"
#include "tradeloop/execution/fill_rules.h"
#include "tradeloop/execution/sizing.h"
#include "tradeloop/execution/slippage_model.h"
#include "tradeloop/portfolio/account.h"

namespace tradeloop::backtest {

enum class FillTiming : std::uint8_t {
  kNextOpen = 0,  // a decision at bar t's close fills at bar t+1's open (default; no look-ahead)
  kClose = 1,     // fills at bar t's close, the price the decision saw (backtesting.py trade_on_close)
};

// What a run keeps besides the books. Turning recording off makes optimizer trials cheaper.
struct RecordOptions {
  bool equity = true;          // equity and timestamps per bar
  bool equity_details = true;  // cash, position value and exposure per bar (needs equity)
  bool trades = true;          // closed trades
  bool orders = true;          // orders, order events and fills
  // With equity_details, store position value only and leave cash and exposure empty: readers derive
  // them (analytics::EquityCurve::cash_at, exposure_at; same bits). 16 bytes a bar less. Event kernel and
  // signal runner (the pairs runner stores them).
  // (Last: callers brace-initialize the fields above in order.)
  bool derive_details = false;
};

// Funding rate events of a perpetual: at each ts a long position pays rate x its market value at the
// next bar's open (a short receives it; negative rates reverse). Timestamps strictly increasing.
struct FundingSeries {
  std::vector<Timestamp> ts;
  std::vector<double> rate;
};

struct BacktestConfig {
  double initial_cash = 10000;
  execution::FeeModel fees;                 // --commission
  execution::SlippageModel slippage;        // --slippage
  FillTiming fill = FillTiming::kNextOpen;  // --fill
  std::optional<execution::Sizing> sizing;  // --sizing; unset = the strategy's, else all_in
  bool exclusive = false;                   // --exclusive: an entry first closes an opposite position
  bool allow_short = false;                 // --allow-short
  portfolio::PositionMode position_mode = portfolio::PositionMode::kNetting;
  double leverage = 1;  // buying power = margin available x leverage
  // Maintenance margin as a fraction of gross exposure: when equity falls below it at a bar's close
  // the positions are liquidated at that close. 0 = liquidate only when equity <= 0.
  double maintenance_margin = 0;
  double borrow_rate = 0;  // annual rate on the market value of short positions
  execution::IntrabarOrder intrabar = execution::IntrabarOrder::kStopFirst;
  // Largest fraction of a bar's volume one order may fill on that bar (0 = no cap). The rest stays
  // working (partially filled) for the next bars.
  double volume_participation = 0;
  // Return periods per year for annualized metrics (RunRecord::periods_per_year); 0 = inferred from
  // the timestamps by analytics.
  double periods_per_year = 0;
  RecordOptions record;

  // Checks ranges and names the offending field: "cash: -5 must be > 0".
  Status validate() const;
};

}  // namespace tradeloop::backtest
