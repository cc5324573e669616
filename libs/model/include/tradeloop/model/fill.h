// Fill: one execution of (part of) an order. The fill log of a run is the source of truth of its
// books: cash and positions are a left fold over it (see docs/adr/0002-money.md).
#pragma once

#include <cstdint>

#include "tradeloop/core/time.h"
#include "tradeloop/model/order.h"

namespace tradeloop::model {

enum class Liquidity : std::uint8_t { kTaker = 0, kMaker = 1 };

struct Fill {
  OrderId order = kNoOrder;
  std::uint32_t instrument = 0;
  Timestamp ts = 0;       // timestamp label of the bar the fill happened in
  std::int64_t bar = -1;  // bar index of the instrument
  OrderSide side = OrderSide::kBuy;
  double quantity = 0;  // units, > 0
  double price = 0;     // after slippage and tick rounding
  double fee = 0;       // commission charged for this fill, quote currency
  Liquidity liquidity = Liquidity::kTaker;

  double signed_quantity() const { return side == OrderSide::kBuy ? quantity : -quantity; }
};

}  // namespace tradeloop::model
