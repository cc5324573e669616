// Fill pricing shared by the signal runner and the simulated exchange: slippage, then tick rounding
// against the taker. A price the slippage leaves unchanged is used as is (no float noise from rounding
// a price that is already on the grid).
#pragma once

#include <cmath>
#include <span>

#include "tradeloop/execution/slippage_model.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/model/order.h"

namespace tradeloop::backtest::internal {

inline double round_against(model::OrderSide side, double price, double tick) {
  if (tick <= 0) return price;
  const double n = price / tick;
  const double nearest = std::round(n);
  // Already on the grid (within representation error): keep the grid value.
  if (std::fabs(n - nearest) < 1e-9) return nearest * tick;
  return (side == model::OrderSide::kBuy ? std::ceil(n) : std::floor(n)) * tick;
}

inline double taker_price(const execution::SlippageModel& slippage, model::OrderSide side, double reference,
                          double atr, const model::Instrument& inst) {
  const double slipped = slippage.apply(side, reference, atr, inst.tick_size);
  if (slipped == reference) return reference;
  return round_against(side, slipped, inst.tick_size);
}

// ATR value known before bar t opens (bar t-1's), NaN when unavailable.
inline double atr_before(std::span<const double> atr, std::int64_t t) {
  return t >= 1 && static_cast<std::size_t>(t) <= atr.size() ? atr[static_cast<std::size_t>(t - 1)]
                                                             : std::nan("");
}

}  // namespace tradeloop::backtest::internal
