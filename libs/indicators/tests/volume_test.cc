// obv, ad, adosc against hand-computed values and a naive re-implementation of their definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_helpers.h"

namespace tradeloop::indicators {
namespace {

using testing::Bars;
using testing::batch;
using testing::load_sample;
using testing::near_rel;
using testing::same;

TEST(Obv, MatchesHandComputedValues) {
  // close: 10, 11, 11, 10, 12 -> first bar = its volume, then +v on up, unchanged on equal, -v on down.
  Bars b;
  const double close[] = {10, 11, 11, 10, 12};
  const double volume[] = {100, 200, 300, 400, 500};
  for (int i = 0; i < 5; ++i) b.add(close[i], close[i], close[i], close[i], volume[i]);
  const auto out = batch("obv", b.series());
  const double expected[] = {100, 300, 300, -100, 400};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[0][i], expected[i]) << i;
}

TEST(Obv, UsesTheBoundRealSeries) {
  Bars b;
  for (int i = 0; i < 4; ++i) b.add(10, 12, 8, 10, 100);  // flat close: OBV stays at 100
  const std::vector<double> rising = {1, 2, 3, 4};
  InputSeries in = b.series();
  in.real = rising;
  const auto out = batch("obv", in);
  const double expected[] = {100, 200, 300, 400};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[0][i], expected[i]);
}

TEST(Ad, MatchesHandComputedValues) {
  Bars b;
  b.add(0, 12, 8, 11, 1000);  // CLV = ((11-8) - (12-11)) / 4 = 0.5 -> +500
  b.add(0, 10, 10, 10, 999);  // high == low: adds nothing
  b.add(0, 20, 10, 10, 100);  // close at the low: CLV = -1 -> -100
  b.add(0, 20, 10, 15, 300);  // mid: 0
  const auto out = batch("ad", b.series());
  EXPECT_EQ(out[0][0], 500);
  EXPECT_EQ(out[0][1], 500);
  EXPECT_EQ(out[0][2], 400);
  EXPECT_EQ(out[0][3], 400);
}

// Naive A/D line and EMAs seeded with the first A/D value, over all of GOOG.
TEST(Adosc, MatchesNaiveDefinitionOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  const auto out = batch("adosc", b.series(), {{"fastperiod", 4}, {"slowperiod", 15}});
  std::vector<double> ad(b.size());
  double sum = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const double range = b.high[i] - b.low[i];
    if (range > 0) sum += ((b.close[i] - b.low[i]) - (b.high[i] - b.close[i])) / range * b.volume[i];
    ad[i] = sum;
  }
  double fast = ad[0], slow = ad[0];
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i > 0) {
      fast += 2.0 / 5 * (ad[i] - fast);
      slow += 2.0 / 16 * (ad[i] - slow);
    }
    if (i < 14) {
      EXPECT_TRUE(std::isnan(out[0][i])) << i;
    } else {
      // A/D reaches 1e9 on GOOG while the oscillator crosses 0: compare relative to the A/D scale.
      EXPECT_NEAR(out[0][i], fast - slow, 1e-9 * std::fabs(ad[i]) + 1e-6) << i;
    }
  }
}

TEST(Adosc, RejectsFastNotBelowSlow) {
  auto r = make_indicator("adosc", {{"fastperiod", 10}, {"slowperiod", 3}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("fastperiod"), std::string::npos);
  EXPECT_NE(r.error().message().find("slowperiod"), std::string::npos);
  EXPECT_FALSE(make_indicator("adosc", {{"fastperiod", 5}, {"slowperiod", 5}}).ok());
  auto low = make_indicator("adosc", {{"fastperiod", 1}});
  ASSERT_FALSE(low.ok());
  EXPECT_NE(low.error().message().find("'fastperiod' = 1"), std::string::npos) << low.error().message();
}

TEST(VolumeIndicators, StreamingEqualsBatchBitForBit) {
  const Bars b = load_sample("ETH_BTC-5m");
  for (const char* name : {"obv", "ad", "adosc"}) {
    const auto want = batch(name, b.series());
    const auto got = testing::stream(name, b.size(), [&](std::size_t i) { return b.bar(i); });
    for (std::size_t i = 0; i < b.size(); ++i)
      ASSERT_TRUE(same(got[0][i], want[0][i])) << name << " bar " << i;
  }
}

TEST(VolumeIndicators, NanVolumePropagatesToTheRunningSum) {
  Bars b;
  for (int i = 0; i < 6; ++i) b.add(10 + i, 12 + i, 9 + i, 11 + i, 100);
  b.volume[3] = std::nan("");
  const auto obv = batch("obv", b.series());
  const auto ad = batch("ad", b.series());
  EXPECT_FALSE(std::isnan(obv[0][2]));
  EXPECT_FALSE(std::isnan(ad[0][2]));
  for (int i = 3; i < 6; ++i) {
    EXPECT_TRUE(std::isnan(obv[0][i])) << i;
    EXPECT_TRUE(std::isnan(ad[0][i])) << i;
  }
}

TEST(VolumeIndicators, LeadingNanBarsAreSkippedLikeTaLibsPythonWrapper) {
  Bars b;
  b.add(NAN, NAN, NAN, NAN, NAN);
  b.add(10, 10, 10, 10, 100);
  b.add(11, 11, 11, 11, 50);
  const auto out = batch("obv", b.series());
  EXPECT_TRUE(std::isnan(out[0][0]));
  EXPECT_EQ(out[0][1], 100);  // the series starts here
  EXPECT_EQ(out[0][2], 150);
}

}  // namespace
}  // namespace tradeloop::indicators
