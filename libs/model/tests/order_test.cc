#include "tradeloop/model/order.h"

#include <gtest/gtest.h>

#include <vector>

#include "tradeloop/model/order_event.h"

namespace tradeloop::model {
namespace {

constexpr OrderStatus kAll[] = {OrderStatus::kNew,    OrderStatus::kAccepted, OrderStatus::kPartiallyFilled,
                                OrderStatus::kFilled, OrderStatus::kCanceled, OrderStatus::kRejected,
                                OrderStatus::kExpired};

TEST(OrderStateMachine, AllowsExactlyTheDocumentedTransitions) {
  // The full 7x7 table written out independently of the implementation's switch.
  const std::vector<std::pair<OrderStatus, OrderStatus>> legal = {
      {OrderStatus::kNew, OrderStatus::kAccepted},
      {OrderStatus::kNew, OrderStatus::kRejected},
      {OrderStatus::kAccepted, OrderStatus::kPartiallyFilled},
      {OrderStatus::kAccepted, OrderStatus::kFilled},
      {OrderStatus::kAccepted, OrderStatus::kCanceled},
      {OrderStatus::kAccepted, OrderStatus::kExpired},
      {OrderStatus::kPartiallyFilled, OrderStatus::kPartiallyFilled},
      {OrderStatus::kPartiallyFilled, OrderStatus::kFilled},
      {OrderStatus::kPartiallyFilled, OrderStatus::kCanceled},
      {OrderStatus::kPartiallyFilled, OrderStatus::kExpired},
  };
  int count = 0;
  for (auto from : kAll) {
    for (auto to : kAll) {
      bool expected = false;
      for (auto& [f, t] : legal) expected = expected || (f == from && t == to);
      EXPECT_EQ(is_legal_transition(from, to), expected)
          << order_status_name(from) << " -> " << order_status_name(to);
      count += is_legal_transition(from, to) ? 1 : 0;
    }
  }
  EXPECT_EQ(count, 10);
}

TEST(OrderStateMachine, TerminalStatesHaveNoWayOut) {
  for (auto s : kAll) {
    if (!is_terminal(s)) continue;
    for (auto to : kAll) EXPECT_FALSE(is_legal_transition(s, to));
  }
  EXPECT_FALSE(is_terminal(OrderStatus::kPartiallyFilled));
}

TEST(OrderStateMachine, TransitionReturnsTheEventWithItsReason) {
  Order order;
  order.id = 7;
  order.instrument = 2;
  auto accepted = transition(order, OrderStatus::kAccepted, 100, 3, "accepted");
  EXPECT_EQ(accepted.from, OrderStatus::kNew);
  EXPECT_EQ(accepted.to, OrderStatus::kAccepted);
  EXPECT_EQ(accepted.order, 7u);
  EXPECT_EQ(accepted.instrument, 2u);
  EXPECT_EQ(accepted.ts, 100);
  EXPECT_EQ(accepted.bar, 3);
  auto canceled =
      transition(order, OrderStatus::kCanceled, 200, 4, "sized to zero: equity 5 buys no unit at 10");
  EXPECT_EQ(order.status, OrderStatus::kCanceled);
  EXPECT_EQ(canceled.reason, "sized to zero: equity 5 buys no unit at 10");
}

TEST(OrderStateMachineDeathTest, IllegalTransitionIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Order order;
  order.id = 1;
  (void)transition(order, OrderStatus::kAccepted, 0, 0, "accepted");
  (void)transition(order, OrderStatus::kFilled, 0, 0, "filled");
  EXPECT_DEATH((void)transition(order, OrderStatus::kCanceled, 0, 0, "late cancel"), "illegal transition");
}

TEST(OrderStateMachineDeathTest, RejectionWithoutReasonIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Order order;
  EXPECT_DEATH((void)transition(order, OrderStatus::kRejected, 0, 0, ""), "without a reason");
}

TEST(OrderNames, ParseWhatTheyPrint) {
  for (auto t : {OrderType::kMarket, OrderType::kLimit, OrderType::kStop, OrderType::kStopLimit,
                 OrderType::kTrailingStop, OrderType::kMarketOnClose}) {
    auto parsed = parse_order_type(order_type_name(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  for (auto t :
       {TimeInForce::kGtc, TimeInForce::kDay, TimeInForce::kIoc, TimeInForce::kFok, TimeInForce::kGtd}) {
    auto parsed = parse_time_in_force(time_in_force_name(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  auto bad = parse_order_type("iceberg");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("'iceberg'"), std::string::npos);
}

}  // namespace
}  // namespace tradeloop::model
