#include "tradeloop/execution/fee_model.h"

#include <gtest/gtest.h>

namespace tradeloop::execution {
namespace {

using model::Liquidity;

TEST(FeeModel, PercentOfNotional) {
  FeeModel m;
  m.taker_rate = 0.002;
  EXPECT_DOUBLE_EQ(m.fee(10, 100, Liquidity::kTaker, true), 2.0);
  EXPECT_DOUBLE_EQ(m.fee(-10, 100, Liquidity::kTaker, true), 2.0);  // sign of quantity does not matter
}

TEST(FeeModel, MakerTakerPerUnitAndPerOrder) {
  FeeModel m;
  m.taker_rate = 0.001;
  m.maker_rate = -0.0002;  // rebate
  m.per_unit = 0.01;
  m.per_order = 1.5;
  // taker, first fill: 1.5 + 1000 * 0.001 + 10 * 0.01
  EXPECT_DOUBLE_EQ(m.fee(10, 100, Liquidity::kTaker, true), 1.5 + 1.0 + 0.1);
  // maker, later fill of the same order: -0.2 + 0.1
  EXPECT_NEAR(m.fee(10, 100, Liquidity::kMaker, false), -0.1, 1e-12);
}

TEST(FeeModel, SameArithmeticAsBacktestingPy) {
  // backtesting.py: fixed + abs(size) * price * rate, left to right.
  FeeModel m;
  m.taker_rate = 0.002;
  m.per_order = 100;
  const double size = 59, price = 169.02;
  EXPECT_EQ(m.fee(size, price, Liquidity::kTaker, true), 100 + size * price * 0.002);
}

TEST(FeeModel, ParsesBareRateAndKeyValues) {
  auto bare = FeeModel::parse("0.002");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->taker_rate, 0.002);
  auto kv = FeeModel::parse("taker:0.001,maker:0.0005,per_unit:0.01,per_order:2");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->taker_rate, 0.001);
  EXPECT_EQ(kv->maker_rate, 0.0005);
  EXPECT_EQ(kv->per_unit, 0.01);
  EXPECT_EQ(kv->per_order, 2);
  auto back = FeeModel::parse(kv->to_string());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->maker_rate, 0.0005);
}

TEST(FeeModel, RefusesOutOfRangeAndUnknownKeys) {
  auto big = FeeModel::parse("0.2");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("0.2"), std::string::npos);
  EXPECT_FALSE(FeeModel::parse("abc").ok());
  auto unknown = FeeModel::parse("taker:0.001,spread:0.1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("'spread'"), std::string::npos);
  EXPECT_FALSE(FeeModel::parse("per_order:-1").ok());
  EXPECT_FALSE(FeeModel::parse("").ok());
}

}  // namespace
}  // namespace tradeloop::execution
