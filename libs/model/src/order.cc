#include "tradeloop/model/order.h"

#include <fmt/format.h>

#include "tradeloop/model/order_event.h"

namespace tradeloop::model {

std::string_view order_side_name(OrderSide side) {
  return side == OrderSide::kBuy ? "buy" : "sell";
}

std::string_view order_type_name(OrderType type) {
  switch (type) {
    case OrderType::kMarket:
      return "market";
    case OrderType::kLimit:
      return "limit";
    case OrderType::kStop:
      return "stop";
    case OrderType::kStopLimit:
      return "stop_limit";
    case OrderType::kTrailingStop:
      return "trailing_stop";
    case OrderType::kMarketOnClose:
      return "market_on_close";
  }
  return "market";
}

std::string_view time_in_force_name(TimeInForce tif) {
  switch (tif) {
    case TimeInForce::kGtc:
      return "gtc";
    case TimeInForce::kDay:
      return "day";
    case TimeInForce::kIoc:
      return "ioc";
    case TimeInForce::kFok:
      return "fok";
    case TimeInForce::kGtd:
      return "gtd";
  }
  return "gtc";
}

std::string_view order_status_name(OrderStatus status) {
  switch (status) {
    case OrderStatus::kNew:
      return "new";
    case OrderStatus::kAccepted:
      return "accepted";
    case OrderStatus::kPartiallyFilled:
      return "partially_filled";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
      return "canceled";
    case OrderStatus::kRejected:
      return "rejected";
    case OrderStatus::kExpired:
      return "expired";
  }
  return "new";
}

Result<OrderType> parse_order_type(std::string_view text) {
  for (auto t : {OrderType::kMarket, OrderType::kLimit, OrderType::kStop, OrderType::kStopLimit,
                 OrderType::kTrailingStop, OrderType::kMarketOnClose}) {
    if (order_type_name(t) == text) return t;
  }
  return Error::invalid_argument(fmt::format(
      "unknown order type '{}' (expected market, limit, stop, stop_limit, trailing_stop or market_on_close)",
      text));
}

Result<TimeInForce> parse_time_in_force(std::string_view text) {
  for (auto t :
       {TimeInForce::kGtc, TimeInForce::kDay, TimeInForce::kIoc, TimeInForce::kFok, TimeInForce::kGtd}) {
    if (time_in_force_name(t) == text) return t;
  }
  return Error::invalid_argument(
      fmt::format("unknown time in force '{}' (expected gtc, day, ioc, fok or gtd)", text));
}

bool is_legal_transition(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::kNew:
      return to == S::kAccepted || to == S::kRejected;
    case S::kAccepted:
    case S::kPartiallyFilled:
      return to == S::kPartiallyFilled || to == S::kFilled || to == S::kCanceled || to == S::kExpired;
    case S::kFilled:
    case S::kCanceled:
    case S::kRejected:
    case S::kExpired:
      return false;
  }
  return false;
}

OrderEvent transition(Order& order, OrderStatus to, Timestamp ts, std::int64_t bar, std::string reason) {
  TL_CHECK(is_legal_transition(order.status, to), "order ", order.id, ": illegal transition ",
           order_status_name(order.status), " -> ", order_status_name(to), " (", reason, ")");
  TL_CHECK(!reason.empty() ||
               (to != OrderStatus::kRejected && to != OrderStatus::kCanceled && to != OrderStatus::kExpired),
           "order ", order.id, ": ", order_status_name(to), " without a reason");
  OrderEvent event;
  event.order = order.id;
  event.instrument = order.instrument;
  event.ts = ts;
  event.bar = bar;
  event.from = order.status;
  event.to = to;
  event.reason = std::move(reason);
  order.status = to;
  return event;
}

}  // namespace tradeloop::model
