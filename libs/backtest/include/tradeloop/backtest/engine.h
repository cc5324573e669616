// The event kernel: a single-threaded, deterministic loop that drives a C++ Strategy over one or many
// instruments merged in time order. Injected parts: the Clock (SimulatedClock), the DataFeed
// (HistoricalBarFeed), the ExecutionClient (SimulatedExchange) and the books (portfolio::Account);
// paper and live trading will inject a wall clock, a live feed and a venue client instead.
//
// Life of a bar (all bars sharing a timestamp form one step; see docs/architecture.md):
//   1. the clock moves to the bar's time; funding due is paid on the positions held;
//   2. the exchange matches the working orders against the bar (open: market orders; intrabar: stops,
//      limits, trailing stops, brackets; close: market-on-close); fills update the account at once
//      and reach the strategy (on_order_event, on_fill) with the data still at the previous bar;
//   3. every instrument is marked at its close; borrow is charged; a margin breach liquidates;
//   4. the bar becomes visible and the strategy's on_bar runs for each instrument of the step;
//   5. with --fill close, market orders it placed fill at this close; the equity is recorded.
//
// Results are identical to the signal runner's for a strategy that trades a SignalPlan (tests prove it
// with SignalPlanStrategy on random plans), so the fast path and the event API cannot drift apart.
#pragma once

#include <vector>

#include "tradeloop/backtest/config.h"
#include "tradeloop/backtest/run_result.h"
#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/strategy/strategy.h"

namespace tradeloop::backtest {

struct EngineInput {
  std::vector<const data::BarSeries*> bars;    // REQUIRED: one series per instrument
  std::vector<model::Instrument> instruments;  // optional: default Instrument::guess(series symbol)
  std::vector<const FundingSeries*> funding;   // optional: per instrument, nullptr = none
  // One instrument: leave record.equity.ts and record.benchmark_close empty. They would be copies of
  // the bars' ts and close, which a caller that keeps the bars (or moves them into the record, as the
  // CLI does) need not hold twice. Ignored with several instruments (the curve has its own steps).
  bool share_series = false;
};

// Runs the strategy. `out` is cleared first. Errors: bad input (no series, unsorted timestamps,
// mismatched instruments), an invalid config, an error returned by the strategy's on_start. A strategy
// callback that throws is not an error: the run stops trading there and reports it in out.fault.
Status run_strategy(const EngineInput& input, strategy::Strategy& strategy, const BacktestConfig& config,
                    RunResult& out);

}  // namespace tradeloop::backtest
