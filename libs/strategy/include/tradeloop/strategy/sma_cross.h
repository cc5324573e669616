// sma_cross: the built-in moving-average crossover. Buy when SMA(fast) crosses strictly above
// SMA(slow) (prev_fast < prev_slow && fast > slow), sell on the opposite cross (prev_fast > prev_slow &&
// fast < slow). Long-only by default: the sell closes the long; with --allow-short it reverses.
//
// Two forms with identical trades: sma_cross_plan() reduces it to a SignalPlan for the signal runner
// (the fast path: spec strategies and the optimizer use the same runner), and SmaCross is the same rule
// written against the event-driven Strategy API (tests prove both give the same fills).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/strategy.h"

namespace tradeloop::strategy {

struct SmaCrossParams {
  int fast = 10;
  int slow = 20;

  // fast and slow in [2, 100000] (the SMA's range); fast != slow.
  Status validate() const;
};

// Cross flags from precomputed averages (NaN before their lookback never crosses). Writes
// long_entry = short_exit = cross up and long_exit = short_entry = cross down into `plan` (resized).
void sma_cross_flags(std::span<const double> fast, std::span<const double> slow, SignalPlan& plan);

// The plan over a close series: SMAs from the indicator library, then sma_cross_flags.
Result<SignalPlan> sma_cross_plan(std::span<const double> close, const SmaCrossParams& params);

class SmaCross final : public Strategy {
 public:
  explicit SmaCross(SmaCrossParams params) : params_(params) {}
  std::string_view name() const override { return "sma_cross"; }
  Status on_start(StrategyContext& ctx) override;
  void on_bar(StrategyContext& ctx, std::uint32_t instrument) override;

 private:
  SmaCrossParams params_;
  std::vector<SeriesView> fast_, slow_;  // one per instrument
};

}  // namespace tradeloop::strategy
