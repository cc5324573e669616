#include "tradeloop/execution/sizing.h"

#include <cfloat>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace tradeloop::execution {
namespace {

SizingInputs inputs(double price, double equity, const FeeModel& fees, const model::Instrument& inst) {
  SizingInputs in;
  in.price = price;
  in.equity = equity;
  in.margin_available = equity;
  in.leverage = 1;
  in.fees = &fees;
  in.instrument = &inst;
  return in;
}

model::Instrument whole() {
  model::Instrument i;
  i.symbol = "GOOG";
  i.lot_size = 1;
  return i;
}

TEST(PythonFloorDiv, MatchesExactFloorWherePlainDivisionRoundsUp) {
  // 0.3 / 0.1 = 2.9999999999999996 in floats; exact floor is 2.
  EXPECT_EQ(python_floor_div(0.3, 0.1), 2.0);
  EXPECT_EQ(std::floor(0.3 / 0.1), 2.0);
  // A case where a / b rounds to a whole number but the exact quotient is just below it.
  const double a = 1.0, b = 0.1;
  EXPECT_EQ(python_floor_div(a, b), 9.0);  // Python: 1.0 // 0.1 == 9.0
  EXPECT_EQ(std::floor(a / b), 10.0);      // the naive floor disagrees
  EXPECT_EQ(python_floor_div(-7, 2), -4.0);
  EXPECT_EQ(python_floor_div(7, 2), 3.0);
}

TEST(Sizing, AllInReproducesBacktestingPyFirstGoogTrade) {
  // backtesting.py SmaCross(10, 20), commission 0.002: first order fills 2004-11-17 at the open 169.02
  // with 10000 cash and sells 59 units (verified by an independent simulation of its broker).
  FeeModel fees;
  fees.taker_rate = 0.002;
  auto inst = whole();
  std::string why;
  EXPECT_EQ(size_order(Sizing{}, inputs(169.02, 10000, fees, inst), &why), 59);
}

TEST(Sizing, AllInIsFloorOfCashOverPriceWithCommission) {
  FeeModel fees;
  fees.taker_rate = 0.001;
  auto inst = whole();
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> price(1, 1000), cash(100, 1e6);
  for (int k = 0; k < 2000; ++k) {
    const double p = std::round(price(rng) * 100) / 100, c = std::round(cash(rng) * 100) / 100;
    const double q = size_order(Sizing{}, inputs(p, c, fees, inst), nullptr);
    // Affordable, and one more unit is not (allowing the 2^-52 full-equity fraction).
    EXPECT_LE(q * p * 1.001, c * (1 + 1e-12)) << p << " " << c;
    EXPECT_GT((q + 1) * p * 1.001, c * (1 - 1e-12)) << p << " " << c;
  }
}

TEST(Sizing, FractionalLots) {
  FeeModel fees;
  model::Instrument crypto = model::Instrument::guess("ETH/BTC");
  ASSERT_EQ(crypto.lot_size, 0.0);
  EXPECT_NEAR(size_order(Sizing{}, inputs(0.05, 1, fees, crypto), nullptr), 20.0, 1e-9);
  crypto.lot_size = 0.01;
  EXPECT_NEAR(size_order(Sizing{}, inputs(3, 10, fees, crypto), nullptr), 3.33, 1e-12);
}

TEST(Sizing, UnitsCashPercentRisk) {
  FeeModel fees;
  auto inst = whole();
  std::string why;
  EXPECT_EQ(size_order(*Sizing::parse("units:7"), inputs(50, 1000, fees, inst), &why), 7);
  EXPECT_EQ(size_order(*Sizing::parse("cash:1000"), inputs(30, 5000, fees, inst), &why), 33);
  EXPECT_EQ(size_order(*Sizing::parse("percent:50"), inputs(10, 1000, fees, inst), &why), 50);
  auto in = inputs(100, 10000, fees, inst);
  in.stop_distance = 5;  // risk 1% of 10000 = 100 -> 20 units
  EXPECT_EQ(size_order(*Sizing::parse("risk:1"), in, &why), 20);
  in.stop_distance = 0.01;  // risk sizing capped by what the account can buy
  EXPECT_EQ(size_order(*Sizing::parse("risk:1"), in, &why), 99);
  in.stop_distance = 0;
  EXPECT_EQ(size_order(*Sizing::parse("risk:1"), in, &why), 0);
  EXPECT_NE(why.find("stop-loss"), std::string::npos);
}

TEST(Sizing, SizedToZeroSaysWhy) {
  FeeModel fees;
  auto inst = whole();
  std::string why;
  EXPECT_EQ(size_order(Sizing{}, inputs(500, 100, fees, inst), &why), 0);
  EXPECT_NE(why.find("sized to zero"), std::string::npos);
  EXPECT_NE(why.find("500"), std::string::npos);
}

TEST(Sizing, ParseRoundTripAndErrors) {
  for (const char* s : {"all_in", "units:10", "cash:500", "percent:25", "risk:1.5"}) {
    auto p = Sizing::parse(s);
    ASSERT_TRUE(p.ok()) << s;
    EXPECT_EQ(p->to_string(), s);
  }
  for (const char* s : {"", "units", "units:", "units:-1", "units:x", "kelly:1", "risk:150"}) {
    EXPECT_FALSE(Sizing::parse(s).ok()) << s;
  }
}

}  // namespace
}  // namespace tradeloop::execution
