#include "tradeloop/execution/fill_rules.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tradeloop::execution {
namespace {

using model::Bar;
using model::OrderSide;

Bar bar(double o, double h, double l, double c) {
  return {0, o, h, l, c, 1000};
}

TEST(FillRules, BuyStopTriggersAtTheStopOrAtAGapOpen) {
  EXPECT_EQ(stop_fill_price(OrderSide::kBuy, 105, bar(100, 106, 99, 104)), 105);
  EXPECT_EQ(stop_fill_price(OrderSide::kBuy, 105, bar(107, 110, 106, 109)), 107);  // gap through: the open
  EXPECT_TRUE(std::isnan(stop_fill_price(OrderSide::kBuy, 105, bar(100, 104.99, 99, 104))));
  EXPECT_EQ(stop_fill_price(OrderSide::kBuy, 105, bar(100, 105, 99, 104)), 105);  // touch counts (>=)
}

TEST(FillRules, SellStopMirrors) {
  EXPECT_EQ(stop_fill_price(OrderSide::kSell, 95, bar(100, 101, 94, 96)), 95);
  EXPECT_EQ(stop_fill_price(OrderSide::kSell, 95, bar(90, 92, 88, 91)), 90);  // gap down: the open
  EXPECT_TRUE(std::isnan(stop_fill_price(OrderSide::kSell, 95, bar(100, 101, 95.01, 96))));
}

TEST(FillRules, LimitsFillAtTheLimitOrBetterAtTheOpen) {
  EXPECT_EQ(limit_fill_price(OrderSide::kBuy, 98, bar(100, 101, 97, 99)), 98);
  EXPECT_EQ(limit_fill_price(OrderSide::kBuy, 98, bar(96, 99, 95, 97)), 96);  // opens below the limit: better
  EXPECT_TRUE(std::isnan(limit_fill_price(OrderSide::kBuy, 98, bar(100, 101, 98.5, 99))));
  EXPECT_EQ(limit_fill_price(OrderSide::kSell, 105, bar(100, 106, 99, 104)), 105);
  EXPECT_EQ(limit_fill_price(OrderSide::kSell, 105, bar(108, 109, 104, 105)), 108);
  EXPECT_TRUE(std::isnan(limit_fill_price(OrderSide::kSell, 105, bar(100, 104.9, 99, 104))));
}

TEST(FillRules, TrailingStopLevels) {
  using model::TrailingOffsetType;
  EXPECT_DOUBLE_EQ(trailing_stop_level(OrderSide::kSell, TrailingOffsetType::kPercent, 10, 200), 180);
  EXPECT_DOUBLE_EQ(trailing_stop_level(OrderSide::kBuy, TrailingOffsetType::kPercent, 10, 200), 220);
  EXPECT_DOUBLE_EQ(trailing_stop_level(OrderSide::kSell, TrailingOffsetType::kAmount, 2.5, 100), 97.5);
  EXPECT_DOUBLE_EQ(trailing_stop_level(OrderSide::kBuy, TrailingOffsetType::kAmount, 2.5, 100), 102.5);
}

}  // namespace
}  // namespace tradeloop::execution
