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

// Funding rate events of a perpetual: at each ts a long position pays rate x its market value
// (a short receives it; negative rates reverse). Timestamps strictly increasing.
struct FundingSeries {
  std::vector<Timestamp> ts;
  std::vector<double> rate;
};

struct SignalRunInput {
  const data::BarSeries* bars = nullptr;       // REQUIRED
  const strategy::SignalPlan* plan = nullptr;  // REQUIRED; plan->bars == bars->size()
  model::Instrument instrument;                // tick/lot rules; symbol defaults to bars->symbol
  const FundingSeries* funding = nullptr;      // optional
  // Leg 1 for a pairs plan (plan->hedge_ratio non-empty); same timestamps as `bars`.
  const data::BarSeries* bars2 = nullptr;
  model::Instrument instrument2;
};

// Runs the plan. `out` is cleared first and its buffers reused. Errors: inconsistent sizes (plan vs
// bars, ATR missing for *_atr rules), an invalid config, an unparsable plan sizing.
Status run_signals(const SignalRunInput& input, const BacktestConfig& config, RunResult& out);
Result<RunResult> run_signals(const SignalRunInput& input, const BacktestConfig& config);

}  // namespace tradeloop::backtest
