// SignalPlan: a strategy reduced to per-bar decisions, computed ahead over whole arrays. It is what
// a compiled JSON spec produces and what the backtest kernel's signal runner trades (the same
// runner trades the built-in sma_cross, so both give identical trades).
//
// Every flag at bar t is decided from data up to and including bar t's close (no look-ahead); the
// kernel acts on it at t+1's open (default) or t's close (--fill close).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tradeloop::strategy {

inline constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

struct ExitRules {
  // Percent of the entry price (5 = 5%); NaN = not used.
  double stop_loss_pct = kUnset;
  double take_profit_pct = kUnset;
  double trailing_stop_pct = kUnset;
  // Multiples of ATR at entry (atr below must then be filled); NaN = not used.
  double stop_loss_atr = kUnset;
  double take_profit_atr = kUnset;
  double trailing_stop_atr = kUnset;
  std::vector<double> atr;  // per bar, for the *_atr rules
  // Bars to wait after an exit before a new entry.
  int cooldown_bars = 0;
};

struct SignalPlan {
  std::size_t bars = 0;
  // Leading bars before every indicator the rules use has a value (the strategy cannot act yet).
  // Reported as RunRecord::warmup_bars: buy-and-hold starts there, as in backtesting.py 0.6.
  std::size_t warmup_bars = 0;
  // One byte per bar (0/1). Empty vector = never.
  std::vector<std::uint8_t> long_entry, long_exit, short_entry, short_exit;
  // Entries are allowed only on bars where this is 1 (session / weekday filters). Empty = always.
  std::vector<std::uint8_t> entry_allowed;
  ExitRules exits;
  // Sizing from the spec, in the CLI's syntax ("all_in", "percent:50", "units:10", "cash:1000",
  // "risk:1"); empty = the run's default. A --sizing flag overrides it.
  std::string sizing;
  // Pairs (two instruments, legs 0 and 1): a long spread position buys leg 0 and sells
  // hedge_ratio[t] units of leg 1 per unit of leg 0 (t = entry bar); short is the reverse. Empty for
  // single-instrument strategies.
  std::vector<double> hedge_ratio;
};

// Bars [begin, end) of `plan` as a plan of its own (a fold of a walk-forward split); the warm-up
// still to come inside the slice is kept.
SignalPlan slice_plan(const SignalPlan& plan, std::size_t begin, std::size_t end);

}  // namespace tradeloop::strategy
