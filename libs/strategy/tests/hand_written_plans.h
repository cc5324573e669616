// Hand-written C++ twins of two library specs (strategies/ema_cross.json, rsi_reversion.json): what a
// C++ programmer writes with the typed indicators. The library test checks the specs give exactly
// these signals; the spec compile benchmark times the specs against them. Header-only, no test
// framework: tests and benchmarks both include it.
#pragma once

#include <cstddef>
#include <vector>

#include "tradeloop/data/bar_series.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/strategy/signal_plan.h"

namespace tradeloop::strategy::hand_written {

// Long when EMA(fast) crosses above EMA(slow), short (or exit) when it crosses below.
inline SignalPlan ema_cross(const data::BarSeries& bars, int fast_period, int slow_period) {
  const std::size_t n = bars.size();
  std::vector<double> fast(n), slow(n);
  indicators::ema(bars.close, fast_period, fast);
  indicators::ema(bars.close, slow_period, slow);
  SignalPlan plan;
  plan.bars = n;
  plan.long_entry.assign(n, 0);
  plan.long_exit.assign(n, 0);
  for (std::size_t t = 1; t < n; ++t) {
    plan.long_entry[t] = fast[t - 1] < slow[t - 1] && fast[t] > slow[t];
    plan.long_exit[t] = fast[t - 1] > slow[t - 1] && fast[t] < slow[t];
  }
  plan.short_entry = plan.long_exit;
  plan.short_exit = plan.long_entry;
  plan.warmup_bars = static_cast<std::size_t>(slow_period - 1);
  return plan;
}

// Long below `oversold`, out above `exit_level`; short above `overbought`, out below 100 - exit_level.
inline SignalPlan rsi_reversion(const data::BarSeries& bars, int period, double oversold, double overbought,
                                double exit_level) {
  const std::size_t n = bars.size();
  std::vector<double> r(n);
  indicators::rsi(bars.close, period, r);
  SignalPlan plan;
  plan.bars = n;
  plan.long_entry.resize(n);
  plan.long_exit.resize(n);
  plan.short_entry.resize(n);
  plan.short_exit.resize(n);
  for (std::size_t t = 0; t < n; ++t) {
    plan.long_entry[t] = r[t] < oversold;
    plan.long_exit[t] = r[t] > exit_level;
    plan.short_entry[t] = r[t] > overbought;
    plan.short_exit[t] = r[t] < 100 - exit_level;
  }
  plan.warmup_bars = static_cast<std::size_t>(period);
  return plan;
}

}  // namespace tradeloop::strategy::hand_written
