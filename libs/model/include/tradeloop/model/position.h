// Position: the net holding of one instrument as a strategy sees it (a snapshot; the portfolio's
// Account owns the books and the lots behind it).
#pragma once

#include <cstdint>

#include "tradeloop/core/time.h"

namespace tradeloop::model {

enum class PositionSide : std::uint8_t { kFlat = 0, kLong = 1, kShort = 2 };

struct Position {
  std::uint32_t instrument = 0;
  double quantity = 0;         // signed units: > 0 long, < 0 short
  double avg_entry_price = 0;  // quantity-weighted entry price of the open lots (0 when flat)
  double last_price = 0;       // mark price
  double unrealized_pnl = 0;   // before exit fees
  Timestamp entry_time = 0;    // of the oldest open lot
  std::int64_t entry_bar = -1;

  PositionSide side() const {
    return quantity > 0 ? PositionSide::kLong : quantity < 0 ? PositionSide::kShort : PositionSide::kFlat;
  }
  bool is_flat() const { return quantity == 0; }
  double market_value() const { return quantity * last_price; }
};

}  // namespace tradeloop::model
