// Candlestick patterns on hand-made bars where the pattern is unmistakable (and where it just is not),
// plus brute-force re-checks of doji and engulfing on real data.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_helpers.h"

namespace tradeloop::indicators {
namespace {

using testing::Bars;
using testing::batch;
using testing::load_sample;
using testing::same;

// 20 ordinary white candles: body 1 (100 -> 101), range 2, shadows 0.5. With TA-Lib's settings this
// makes "short"/"long" body = 1, doji body <= 0.2, very short shadow < 0.2, near = 0.4, far = 1.2.
Bars baseline() {
  Bars b;
  for (int i = 0; i < 20; ++i) b.add(100, 101.5, 99.5, 101);
  return b;
}

// Output of `name` on `b` at its last bar; every earlier bar after the lookback must be 0.
double last_value(const std::string& name, const Bars& b, const std::map<std::string, double>& params = {}) {
  const auto out = batch(name, b.series(), params);
  const int lookback = make_indicator(name, params).value()->lookback();
  for (std::size_t i = 0; i + 1 < b.size(); ++i) {
    if (static_cast<int>(i) < lookback) {
      EXPECT_TRUE(std::isnan(out[0][i])) << name << " bar " << i;
    } else if (i + 4 < b.size()) {  // the pattern's own bars may legitimately match something
      EXPECT_EQ(out[0][i], 0) << name << " bar " << i;
    }
  }
  return out[0].back();
}

TEST(CdlDoji, DetectsABodyWithinTenPercentOfTheAverageRange) {
  Bars b = baseline();
  b.add(100, 101, 99, 100.15);  // body 0.15 <= 0.1 * 2
  EXPECT_EQ(last_value("cdldoji", b), 100);
  b.close.back() = 100.25;  // body 0.25 > 0.2
  EXPECT_EQ(last_value("cdldoji", b), 0);
}

TEST(CdlHammer, DetectsSmallBodyLongLowerShadowNearThePriorLow) {
  Bars b = baseline();
  b.add(99.6, 99.85, 98.0, 99.8);  // body 0.2, lower shadow 1.6, upper 0.05; body low 99.6 <= 99.5 + 0.4
  EXPECT_EQ(last_value("cdlhammer", b), 100);
  Bars long_upper = b;
  long_upper.high.back() = 100.3;  // upper shadow 0.5: not very short
  EXPECT_EQ(last_value("cdlhammer", long_upper), 0);
  Bars too_high = b;
  too_high.open.back() = 100.0, too_high.close.back() = 100.2,
  too_high.high.back() = 100.25;  // body above 99.9
  EXPECT_EQ(last_value("cdlhammer", too_high), 0);
}

TEST(CdlShootingStar, DetectsASmallBodyGappingUpWithALongUpperShadow) {
  Bars b = baseline();
  b.add(101.3, 103, 101.05, 101.1);  // body 0.2 above the prior body, upper 1.7, lower 0.05
  EXPECT_EQ(last_value("cdlshootingstar", b), -100);
  b.open.back() = 100.9;  // body now overlaps the prior body: no gap
  b.close.back() = 101.1;
  b.low.back() = 100.85;
  EXPECT_EQ(last_value("cdlshootingstar", b), 0);
}

TEST(CdlEngulfing, BullishBearishAndSharedEnd) {
  Bars bull = baseline();
  bull.add(101, 101.2, 99.9, 100);     // black 101 -> 100
  bull.add(99.5, 101.6, 99.4, 101.5);  // white 99.5 -> 101.5 engulfs it
  EXPECT_EQ(last_value("cdlengulfing", bull), 100);

  Bars bear = baseline();  // last baseline candle is white 100 -> 101
  bear.add(101.5, 101.6, 99.4, 99.5);
  EXPECT_EQ(last_value("cdlengulfing", bear), -100);

  Bars shared = baseline();
  shared.add(101, 101.2, 99.9, 100);
  shared.add(100, 101.6, 99.9, 101.5);  // opens exactly at the prior close
  EXPECT_EQ(last_value("cdlengulfing", shared), 80);

  Bars inside = baseline();
  inside.add(101, 101.2, 99.9, 100);
  inside.add(100.2, 100.9, 100.1, 100.8);  // white but inside: not engulfing
  EXPECT_EQ(last_value("cdlengulfing", inside), 0);
}

TEST(CdlHarami, SignIsOppositeToTheLongCandle) {
  Bars bear = baseline();
  bear.add(100, 103.2, 99.9, 103);     // long white, body 3
  bear.add(101.5, 101.7, 100.9, 101);  // short black inside
  EXPECT_EQ(last_value("cdlharami", bear), -100);

  Bars bull = baseline();
  bull.add(103, 103.1, 99.8, 100);  // long black
  bull.add(101, 101.7, 100.9, 101.5);
  EXPECT_EQ(last_value("cdlharami", bull), 100);

  Bars shared = baseline();
  shared.add(100, 103.2, 99.9, 103);
  shared.add(100, 100.6, 99.9, 100.5);  // bottoms equal
  EXPECT_EQ(last_value("cdlharami", shared), -80);

  Bars not_long = baseline();
  not_long.add(100, 101.2, 99.9, 101);  // body 1 is not above the average 1
  not_long.add(100.6, 100.7, 100.3, 100.4);
  EXPECT_EQ(last_value("cdlharami", not_long), 0);
}

TEST(CdlMorningStar, DetectsAndHonoursPenetration) {
  Bars b = baseline();
  b.add(103, 103.1, 99.9, 100);   // long black
  b.add(99.5, 99.8, 99.4, 99.7);  // short, body gapping down
  b.add(99.8, 102.1, 99.7, 102);  // white closing 2 into the first body (> 0.3 * 3)
  EXPECT_EQ(last_value("cdlmorningstar", b), 100);
  EXPECT_EQ(last_value("cdlmorningstar", b, {{"penetration", 0.8}}), 0);  // needs close > 102.4
  EXPECT_EQ(last_value("cdleveningstar", b), 0);
}

TEST(CdlEveningStar, DetectsTheMirrorPattern) {
  Bars b = baseline();
  b.add(100, 103.1, 99.9, 103);       // long white
  b.add(103.3, 103.6, 103.2, 103.5);  // short, gapping up
  b.add(103.2, 103.3, 100.9, 101);    // black closing below 103 - 0.9
  EXPECT_EQ(last_value("cdleveningstar", b), -100);
  b.close.back() = 102.5;  // not deep enough into the first body
  b.low.back() = 102.4;
  EXPECT_EQ(last_value("cdleveningstar", b), 0);
}

TEST(Cdl3WhiteSoldiers, DetectsThreeAdvancingWhiteCandles) {
  Bars b = baseline();
  b.add(100, 101.55, 99.9, 101.5);
  b.add(101, 102.55, 100.9, 102.5);
  b.add(102, 103.55, 101.9, 103.5);
  EXPECT_EQ(last_value("cdl3whitesoldiers", b), 100);
  b.high.back() = 104.5;  // long upper shadow on the third
  EXPECT_EQ(last_value("cdl3whitesoldiers", b), 0);
}

TEST(Cdl3BlackCrows, DetectsThreeDecliningBlackCandlesAfterAWhiteOne) {
  Bars b = baseline();
  b.add(100.8, 100.9, 99.78, 99.8);
  b.add(100.5, 100.6, 98.98, 99.0);
  b.add(99.8, 99.9, 98.18, 98.2);
  EXPECT_EQ(last_value("cdl3blackcrows", b), -100);
  Bars gap = b;
  gap.open[gap.size() - 2] = 100.9;  // second crow opens above the first one's body
  gap.high[gap.size() - 2] = 101.0;
  EXPECT_EQ(last_value("cdl3blackcrows", gap), 0);
}

// Doji re-derived naively: average high-low range of the 10 previous bars, fresh sum each time.
TEST(CdlDoji, MatchesABruteForceScanOfRealData) {
  const Bars b = load_sample("GOOG-1d");
  const auto out = batch("cdldoji", b.series());
  int hits = 0, checked = 0;
  for (std::size_t i = 10; i < b.size(); ++i) {
    double sum = 0;
    for (std::size_t j = i - 10; j < i; ++j) sum += b.high[j] - b.low[j];
    const double threshold = 0.1 * (sum / 10);
    const double body = std::fabs(b.close[i] - b.open[i]);
    if (std::fabs(body - threshold) < 1e-9 * threshold) continue;  // a tie the summation order decides
    ++checked;
    ASSERT_EQ(out[0][i], body <= threshold ? 100 : 0) << i;
    hits += body <= threshold;
  }
  EXPECT_GT(hits, 100);
  EXPECT_GT(checked, 2000);
}

TEST(CdlEngulfing, MatchesABruteForceScanOfRealData) {
  const Bars b = load_sample("EURUSD-1h");
  const auto out = batch("cdlengulfing", b.series());
  int hits = 0;
  for (std::size_t i = 2; i < b.size(); ++i) {
    const double o = b.open[i], c = b.close[i], po = b.open[i - 1], pc = b.close[i - 1];
    const bool white = c >= o, prev_white = pc >= po;
    int want = 0;
    if (white && !prev_white && c >= po && o <= pc && (c > po || o < pc))
      want = (o != pc && c != po) ? 100 : 80;
    if (!white && prev_white && o >= pc && c <= po && (o > pc || c < po))
      want = (o != pc && c != po) ? -100 : -80;
    ASSERT_EQ(out[0][i], want) << i;
    hits += want != 0;
  }
  EXPECT_GT(hits, 100);
}

TEST(CandlestickPatterns, OutputOnlyTaLibsIntegerCodes) {
  const Bars b = load_sample("ETH_BTC-5m");
  for (const auto& info : list_indicators()) {
    if (info.group != "pattern") continue;
    EXPECT_TRUE(info.integer_output) << info.name;
    const auto out = batch(info.name, b.series());
    const int lookback = make_indicator(info.name, {}).value()->lookback();
    for (std::size_t i = 0; i < b.size(); ++i) {
      const double v = out[0][i];
      if (static_cast<int>(i) < lookback) {
        ASSERT_TRUE(std::isnan(v)) << info.name << " " << i;
      } else {
        ASSERT_TRUE(v == 0 || v == 100 || v == -100 || v == 80 || v == -80)
            << info.name << " " << i << " " << v;
      }
    }
  }
}

TEST(CandlestickPatterns, StreamingEqualsBatchAndResets) {
  const Bars b = load_sample("ADA_BTC-5m");
  for (const char* name : {"cdldoji", "cdlhammer", "cdlengulfing", "cdlharami", "cdlmorningstar",
                           "cdleveningstar", "cdlshootingstar", "cdl3whitesoldiers", "cdl3blackcrows"}) {
    const auto want = batch(name, b.series());
    auto ind = make_indicator(name, {}).value();
    for (int pass = 0; pass < 2; ++pass) {
      ind->reset();
      for (std::size_t i = 0; i < b.size(); ++i) {
        double v = 0;
        ind->update(b.bar(i), &v);
        ASSERT_TRUE(same(v, want[0][i])) << name << " pass " << pass << " bar " << i;
      }
    }
  }
}

}  // namespace
}  // namespace tradeloop::indicators
