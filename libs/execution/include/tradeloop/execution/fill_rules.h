// Fill rules on bars: where a resting order executes inside one OHLC bar. Pure functions shared by the
// simulated exchange (event kernel) and the signal runner, so both paths fill identically.
//
// A bar only tells open, high, low and close, not the path between. The rules:
//  - a buy stop at S triggers when high >= S; if the bar opens at or above S (a gap through the stop) it
//    fills at the open, else at S. A sell stop mirrors it with low <= S.
//  - a buy limit at L fills when low <= L: at the open when the open is already at or below L (a gap in
//    the limit's favour), else at L. A sell limit mirrors it with high >= L.
//  - comparisons are inclusive (>=, <=), as TradingView and backtesting.py >= 0.6.
//  - when a protective stop and a take-profit of the same position can both trigger in one bar, the
//    caller decides the order (IntrabarOrder): stop first by default, the pessimistic assumption.
#pragma once

#include <cmath>
#include <cstdint>

#include "tradeloop/model/bar.h"
#include "tradeloop/model/order.h"

namespace tradeloop::execution {

enum class IntrabarOrder : std::uint8_t { kStopFirst = 0, kTakeProfitFirst = 1 };

// Price at which a stop of `side` at `stop` executes in `bar`, or NaN when the bar does not reach it.
inline double stop_fill_price(model::OrderSide side, double stop, const model::Bar& bar) {
  if (side == model::OrderSide::kBuy) {
    if (bar.open >= stop) return bar.open;
    return bar.high >= stop ? stop : std::nan("");
  }
  if (bar.open <= stop) return bar.open;
  return bar.low <= stop ? stop : std::nan("");
}

// Price at which a limit of `side` at `limit` executes in `bar`, or NaN when the bar does not reach it.
inline double limit_fill_price(model::OrderSide side, double limit, const model::Bar& bar) {
  if (side == model::OrderSide::kBuy) {
    if (bar.open <= limit) return bar.open;
    return bar.low <= limit ? limit : std::nan("");
  }
  if (bar.open >= limit) return bar.open;
  return bar.high >= limit ? limit : std::nan("");
}

// Stop level of a trailing stop protecting a position, from the best price seen so far.
// A sell trailing stop (protecting a long) sits below the highest price; a buy one above the lowest.
inline double trailing_stop_level(model::OrderSide side, model::TrailingOffsetType type, double offset,
                                  double extreme) {
  if (type == model::TrailingOffsetType::kPercent) {
    return side == model::OrderSide::kSell ? extreme * (1 - offset / 100) : extreme * (1 + offset / 100);
  }
  return side == model::OrderSide::kSell ? extreme - offset : extreme + offset;
}

}  // namespace tradeloop::execution
