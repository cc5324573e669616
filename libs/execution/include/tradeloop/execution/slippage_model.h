// SlippageModel: how much worse than the reference price a taker fill executes. Applied to market,
// market-on-close, stop and trailing-stop fills (they cross the spread); never to limit fills (a limit
// is never filled worse than its limit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/model/order.h"

namespace tradeloop::execution {

enum class SlippageKind : std::uint8_t {
  kNone = 0,
  kBps = 1,    // value basis points of the price (5 = 0.05%)
  kTicks = 2,  // value instrument ticks (needs tick_size > 0)
  kAtr = 3,    // value times the ATR(atr_period) of the previous bar (known before the fill: no look-ahead)
};

struct SlippageModel {
  SlippageKind kind = SlippageKind::kNone;
  double value = 0;
  int atr_period = 14;

  // Reference price moved against the taker: up for buys, down for sells. `atr` is the ATR of the bar
  // before the fill (NaN during the ATR's warm-up: no slippage then); `tick_size` 0 = no tick slippage.
  double apply(model::OrderSide side, double price, double atr, double tick_size) const;

  bool needs_atr() const { return kind == SlippageKind::kAtr; }

  // "none", "bps:5", "ticks:2", "atr:0.1" or "atr:0.1:20" (fraction of ATR with its period).
  static Result<SlippageModel> parse(std::string_view text);
  std::string to_string() const;
};

}  // namespace tradeloop::execution
