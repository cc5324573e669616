// OrderEvent: one transition of an order's state machine, with the reason. The sequence of events of a
// run is its order journal: replaying it reproduces every order's status.
#pragma once

#include <cstdint>
#include <string>

#include "tradeloop/core/time.h"
#include "tradeloop/model/order.h"

namespace tradeloop::model {

struct OrderEvent {
  OrderId order = kNoOrder;
  std::uint32_t instrument = 0;
  Timestamp ts = 0;       // venue time of the transition (the bar's timestamp in a backtest)
  std::int64_t bar = -1;  // bar index of the order's instrument
  OrderStatus from = OrderStatus::kNew;
  OrderStatus to = OrderStatus::kNew;
  std::string reason;  // always set for rejected/canceled/expired: says why
};

// Moves `order` to `to` and returns the event. REQUIRES: is_legal_transition(order.status, to)
// (checked: an illegal transition is a bug).
OrderEvent transition(Order& order, OrderStatus to, Timestamp ts, std::int64_t bar, std::string reason);

}  // namespace tradeloop::model
