// The signal runner: the fast path of the kernel. It trades a SignalPlan (per-bar entry/exit flags
// decided at each bar's close, plus exit rules) over one instrument, with the same fill rules, fees,
// slippage, sizing and books as the event kernel, but without strategy callbacks: one tight loop, no
// allocation per bar. Compiled JSON specs, the built-in sma_cross and the optimizer use it.
//
// Life of a bar t (docs/architecture.md has the long version):
//  1. orders decided at t-1 fill at t's open (fill = next_open): first the exit, then the entry, sized
//     from the equity right after the exit;
//  2. an open position's stop-loss / trailing stop / take-profit trigger inside the bar from its OHLC
//     (gaps fill at the open; stop first when both could trigger, configurable);
//  3. the position is marked at the close; borrow cost and funding are charged; a margin breach
//     liquidates at the close;
//  4. the flags of bar t are read: exits, then entries (netting: an entry against an open position
//     needs --exclusive or an exit on the same bar); with fill = close they execute now at t's close;
//  5. the equity is recorded.
#pragma once

#include <span>

#include "tradeloop/backtest/config.h"
#include "tradeloop/backtest/run_result.h"
#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/strategy/signal_plan.h"

namespace tradeloop::backtest {

struct SignalRunInput {
  const data::BarSeries* bars = nullptr;       // REQUIRED
  const strategy::SignalPlan* plan = nullptr;  // REQUIRED; plan->bars == bars->size()
  model::Instrument instrument;                // tick/lot rules; symbol defaults to bars->symbol
  const FundingSeries* funding = nullptr;      // optional
  // Leg 1 for a pairs plan (plan->hedge_ratio non-empty); same timestamps as `bars`.
  const data::BarSeries* bars2 = nullptr;
  model::Instrument instrument2;
  // Leave record.equity.ts and record.benchmark_close empty: they would be copies of bars->ts and
  // bars->close, which a caller running many plans over the same bars (the optimizer) passes to
  // analytics once (analytics::MetricsContext) instead of copying them on every run.
  bool share_series = false;
};

// Runs the plan. `out` is cleared first and its buffers reused. Errors: inconsistent sizes (plan vs
// bars, ATR missing for *_atr rules), an invalid config, an unparsable plan sizing.
Status run_signals(const SignalRunInput& input, const BacktestConfig& config, RunResult& out);
Result<RunResult> run_signals(const SignalRunInput& input, const BacktestConfig& config);

// Runs a pairs plan (plan->hedge_ratio set) over legs `bars` (leg 0, "y") and `bars2` (leg 1, "x") with
// identical timestamps. A long spread buys q units of leg 0 and sells round(hedge_ratio[t] x q) units
// of leg 1 (t = the signal bar); a short spread the reverse. Both legs always trade, whatever
// --allow-short says (the hedge is the strategy). Sizing applies to the spread's gross cost per unit
// of leg 0 (price0 + |h| x price1). Exit rules act on the pair's PnL in percent of its entry gross
// notional, checked at each close (two legs have no common intrabar path); ATR rules are refused.
Status run_pair_signals(const SignalRunInput& input, const BacktestConfig& config, RunResult& out);

}  // namespace tradeloop::backtest
