#include "tradeloop/execution/slippage_model.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tradeloop::execution {
namespace {

using model::OrderSide;

TEST(SlippageModel, NoneLeavesThePrice) {
  SlippageModel m;
  EXPECT_EQ(m.apply(OrderSide::kBuy, 101.25, 3, 0.01), 101.25);
}

TEST(SlippageModel, BpsMovesAgainstTheTaker) {
  auto m = SlippageModel::parse("bps:10");
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kBuy, 100, 0, 0), 100.1);
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kSell, 100, 0, 0), 99.9);
}

TEST(SlippageModel, TicksUseTheInstrumentTick) {
  auto m = SlippageModel::parse("ticks:2");
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kBuy, 100, 0, 0.25), 100.5);
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kSell, 100, 0, 0.25), 99.5);
  EXPECT_EQ(m->apply(OrderSide::kSell, 100, 0, 0), 100);  // no tick size: nothing to move by
}

TEST(SlippageModel, AtrFractionAndPeriod) {
  auto m = SlippageModel::parse("atr:0.5:20");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->atr_period, 20);
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kBuy, 100, 4, 0), 102);
  EXPECT_DOUBLE_EQ(m->apply(OrderSide::kSell, 100, 4, 0), 98);
  EXPECT_EQ(m->apply(OrderSide::kSell, 100, std::nan(""), 0), 100);  // ATR warm-up: no slippage
  EXPECT_EQ(SlippageModel::parse("atr:0.1")->atr_period, 14);
}

TEST(SlippageModel, ParseErrorsNameTheProblem) {
  auto bad = SlippageModel::parse("pips:3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("'pips'"), std::string::npos);
  EXPECT_FALSE(SlippageModel::parse("bps:-1").ok());
  EXPECT_FALSE(SlippageModel::parse("bps").ok());
  EXPECT_FALSE(SlippageModel::parse("atr:0.1:0").ok());
  for (const char* s : {"none", "bps:5", "ticks:1", "atr:0.25:10"}) {
    auto m = SlippageModel::parse(s);
    ASSERT_TRUE(m.ok()) << s;
    EXPECT_EQ(SlippageModel::parse(m->to_string())->to_string(), m->to_string());
  }
}

}  // namespace
}  // namespace tradeloop::execution
