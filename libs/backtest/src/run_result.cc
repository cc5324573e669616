#include "tradeloop/backtest/run_result.h"

namespace tradeloop::backtest {

void RunResult::clear() {
  auto& r = record;
  r.initial_cash = 0;
  r.total_fees = 0;
  r.equity.ts.clear();
  r.equity.cash.clear();
  r.equity.position_value.clear();
  r.equity.equity.clear();
  r.equity.exposure.clear();
  r.trades.clear();
  r.open_positions.clear();
  r.benchmark_close.clear();
  r.periods_per_year = 0;
  r.warmup_bars = 0;
  orders.clear();
  events.clear();
  fills.clear();
  charges.clear();
  bars = 0;
  liquidated = false;
  account_blown = false;
  fault.clear();
  warnings.clear();
}

}  // namespace tradeloop::backtest
