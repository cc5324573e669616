// Order: what a strategy asked the venue to do, and the order's state machine.
//
// Every order moves through
//   new -> accepted -> (partially_filled ->)* filled
//   new -> rejected                      (always with the reason, e.g. "short selling is not allowed")
//   accepted | partially_filled -> canceled | expired
// and nothing else: every transition is an OrderEvent with a reason, and an illegal transition is a bug
// (TL_CHECK). Orders are plain data owned by whoever runs them (the simulated exchange in a backtest, the
// live order manager later); OrderId is unique within one run.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"

namespace tradeloop::model {

using OrderId = std::uint64_t;
inline constexpr OrderId kNoOrder = 0;
inline constexpr double kNoPrice = std::numeric_limits<double>::quiet_NaN();

enum class OrderSide : std::uint8_t { kBuy = 0, kSell = 1 };

enum class OrderType : std::uint8_t {
  kMarket = 0,         // next fill opportunity (next bar's open, or this bar's close with --fill close)
  kLimit = 1,          // at limit_price or better
  kStop = 2,           // becomes a market order when the price touches stop_price
  kStopLimit = 3,      // becomes a limit order at limit_price when the price touches stop_price
  kTrailingStop = 4,   // a stop that follows the best price by trailing_offset (amount or percent)
  kMarketOnClose = 5,  // at the close of the next bar
};

enum class TimeInForce : std::uint8_t {
  kGtc = 0,  // good till canceled
  kDay = 1,  // expires when a bar of a later UTC day arrives
  kIoc = 2,  // immediate or cancel: whatever fills on its first eligible bar, the rest is canceled
  kFok = 3,  // fill or kill: fills completely on its first eligible bar or is canceled
  kGtd = 4,  // good till expire_time
};

enum class OrderStatus : std::uint8_t {
  kNew = 0,
  kAccepted = 1,
  kPartiallyFilled = 2,
  kFilled = 3,
  kCanceled = 4,
  kRejected = 5,
  kExpired = 6,
};

enum class TrailingOffsetType : std::uint8_t { kNone = 0, kAmount = 1, kPercent = 2 };

// How much of an order to trade, when the quantity is decided at fill time instead of at submission
// (as backtesting.py's fractional sizes are). See execution/sizing.h.
enum class SizingMode : std::uint8_t { kFixed = 0, kAllIn = 1, kCash = 2, kPercent = 3, kRisk = 4 };

std::string_view order_side_name(OrderSide side);
std::string_view order_type_name(OrderType type);
std::string_view time_in_force_name(TimeInForce tif);
std::string_view order_status_name(OrderStatus status);
Result<OrderType> parse_order_type(std::string_view text);
Result<TimeInForce> parse_time_in_force(std::string_view text);

inline double side_sign(OrderSide side) {
  return side == OrderSide::kBuy ? 1.0 : -1.0;
}
inline OrderSide opposite(OrderSide side) {
  return side == OrderSide::kBuy ? OrderSide::kSell : OrderSide::kBuy;
}

// True for filled, canceled, rejected and expired.
inline bool is_terminal(OrderStatus status) {
  return status == OrderStatus::kFilled || status == OrderStatus::kCanceled ||
         status == OrderStatus::kRejected || status == OrderStatus::kExpired;
}
// The state machine above.
bool is_legal_transition(OrderStatus from, OrderStatus to);

struct Order {
  OrderId id = kNoOrder;
  std::uint32_t instrument = 0;  // index into the run's instruments
  OrderSide side = OrderSide::kBuy;
  OrderType type = OrderType::kMarket;
  TimeInForce tif = TimeInForce::kGtc;
  OrderStatus status = OrderStatus::kNew;
  bool reduce_only = false;  // may only shrink the position; trimmed at fill time, canceled when flat

  // Requested quantity in units (> 0). With sizing != kFixed it is decided at the first fill from
  // sizing_value (see execution/sizing.h) and stays 0 until then.
  double quantity = 0;
  SizingMode sizing = SizingMode::kFixed;
  double sizing_value = 0;
  double filled_quantity = 0;
  double avg_fill_price = 0;

  double limit_price = kNoPrice;  // kLimit, kStopLimit
  double stop_price = kNoPrice;   // kStop, kStopLimit; kTrailingStop: current trigger level
  TrailingOffsetType trailing_type = TrailingOffsetType::kNone;
  double trailing_offset = 0;       // price units (kAmount) or percent (kPercent, 2 = 2%)
  double trail_extreme = kNoPrice;  // best price seen since the trailing stop became active
  bool triggered = false;           // kStopLimit: the stop was touched, the limit is working

  Timestamp created_time = 0;
  Timestamp expire_time = 0;      // kGtd
  std::int64_t created_bar = -1;  // bar index (of its instrument) on which it was submitted
  std::int64_t first_bar = -1;    // first bar the venue processed it on (IOC/FOK/DAY windows)

  // Contingencies. An order with a parent is held (not working) until the parent fills completely
  // (OTO; a bracket's stop-loss and take-profit). Orders sharing a nonzero oco_group cancel each other
  // when one of them fills.
  OrderId parent = kNoOrder;
  std::uint64_t oco_group = 0;
  bool working = true;  // false while held by an OTO parent

  std::string tag;  // why the order exists: "signal", "stop_loss", "take_profit", "trailing_stop", ...

  double remaining() const { return quantity - filled_quantity; }
  bool is_open() const { return !is_terminal(status); }
};

}  // namespace tradeloop::model
