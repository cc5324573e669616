// Indicators beyond TA-Lib: hand-computed values on small series, naive array re-derivations of the
// published formulas on real data, no-look-ahead and streaming checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "reference_helpers.h"

namespace tradeloop::indicators {
namespace {

using testing::Bars;
using testing::batch;
using testing::load_sample;
using testing::near_rel;
using testing::same;

const double kNan = std::nan("");

// ---- naive array references (whole-series, straight from the definitions)

// EMA seeded with the SMA of the first `n` values of `x` that are not NaN (Pine and TA-Lib's seeding).
std::vector<double> ref_ema(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNan);
  std::size_t first = 0;
  while (first < x.size() && std::isnan(x[first])) ++first;
  if (first + n > x.size()) return out;
  double seed = 0;
  for (int k = 0; k < n; ++k) seed += x[first + k];
  double value = seed / n;
  out[first + n - 1] = value;
  const double alpha = 2.0 / (n + 1);
  for (std::size_t i = first + n; i < x.size(); ++i) out[i] = value = alpha * x[i] + (1 - alpha) * value;
  return out;
}

std::vector<double> ref_sma(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNan);
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double s = 0;
    for (int k = 0; k < n; ++k) s += x[i - k];
    out[i] = s / n;
  }
  return out;
}

std::vector<double> ref_wma(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNan);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i + 1 < static_cast<std::size_t>(n)) continue;
    double s = 0;
    for (int k = 0; k < n; ++k) s += (n - k) * x[i - k];
    out[i] = s / (n * (n + 1) / 2.0);
  }
  return out;
}

// Wilder's ATR: true range from bar 1, first value = mean of TR[1..n] at bar n.
std::vector<double> ref_atr(const Bars& b, int n) {
  std::vector<double> out(b.size(), kNan);
  double atr = 0;
  for (std::size_t i = 1; i < b.size(); ++i) {
    const double tr = std::max(
        {b.high[i] - b.low[i], std::fabs(b.high[i] - b.close[i - 1]), std::fabs(b.low[i] - b.close[i - 1])});
    if (i < static_cast<std::size_t>(n)) {
      atr += tr;
    } else if (i == static_cast<std::size_t>(n)) {
      out[i] = atr = (atr + tr) / n;
    } else {
      out[i] = atr = (atr * (n - 1) + tr) / n;
    }
  }
  return out;
}

// Pine's rsi: rma of gains and losses (seeded by their SMA), 100 - 100 / (1 + up / down).
std::vector<double> ref_rsi(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), kNan);
  double up = 0, down = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    const double change = x[i] - x[i - 1];
    const double gain = std::max(change, 0.0), loss = std::max(-change, 0.0);
    if (i <= static_cast<std::size_t>(n)) {
      up += gain / n;
      down += loss / n;
      if (i < static_cast<std::size_t>(n)) continue;
    } else {
      up = (up * (n - 1) + gain) / n;
      down = (down * (n - 1) + loss) / n;
    }
    out[i] = down == 0 ? (up == 0 ? 0 : 100) : 100 - 100 / (1 + up / down);
  }
  return out;
}

std::vector<double> column(const Bars& b, double (*f)(const Bars&, std::size_t)) {
  std::vector<double> out(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) out[i] = f(b, i);
  return out;
}
double hlc3(const Bars& b, std::size_t i) {
  return (b.high[i] + b.low[i] + b.close[i]) / 3;
}

// ---- hand-computed values

TEST(HullMa, MatchesHandComputedWeightedAverages) {
  Bars b;
  const double x[] = {1, 2, 4, 7, 11, 16, 22};
  for (double v : x) b.add(v, v, v, v);
  // n = 4: half 2, root 2. wma2[t] = (x[t-1] + 2x[t]) / 3, wma4[t] = (x[t-3] + 2x[t-2] + 3x[t-1] + 4x[t])
  // / 10.
  auto diff = [&](int t) {
    return 2 * (x[t - 1] + 2 * x[t]) / 3 - (x[t - 3] + 2 * x[t - 2] + 3 * x[t - 1] + 4 * x[t]) / 10;
  };
  const auto out = batch("hull_ma", b.series(), {{"timeperiod", 4}});
  for (int t = 0; t < 4; ++t) EXPECT_TRUE(std::isnan(out[0][t])) << t;
  for (int t = 4; t < 7; ++t) EXPECT_NEAR(out[0][t], (diff(t - 1) + 2 * diff(t)) / 3, 1e-12) << t;
}

TEST(HullMa, TracksALinearSeriesWithoutLagForPeriodNine) {
  // For n = 9 (half 4, root 3) the three WMA lags cancel: (n + 1 - 2*half - (root - 1)) / 3 = 0.
  Bars b;
  for (int i = 0; i < 40; ++i) b.add(0, 0, 0, 50 + 1.5 * i);
  const auto out = batch("hull_ma", b.series());
  EXPECT_EQ(make_indicator("hull_ma", {}).value()->lookback(), 8 + 2);
  for (int i = 10; i < 40; ++i) EXPECT_NEAR(out[0][i], 50 + 1.5 * i, 1e-9) << i;
}

TEST(HullMa, MatchesNaiveWmaCompositionOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  for (int n : {2, 9, 16, 25}) {
    const auto full = ref_wma(b.close, n);
    const auto half = ref_wma(b.close, n / 2);
    std::vector<double> diff(b.size(), kNan);
    for (std::size_t i = n - 1; i < b.size(); ++i) diff[i] = 2 * half[i] - full[i];
    const int root = static_cast<int>(std::sqrt(n));
    const auto out = batch("hull_ma", b.series(), {{"timeperiod", n}});
    for (std::size_t i = 0; i < b.size(); ++i) {
      double want = kNan;
      if (i + 1 >= static_cast<std::size_t>(n - 1 + root)) {
        want = 0;
        for (int k = 0; k < root; ++k) want += (root - k) * diff[i - k];
        want /= root * (root + 1) / 2.0;
      }
      ASSERT_TRUE(near_rel(out[0][i], want, 1e-9)) << n << " " << i;
    }
  }
}

Timestamp at(int year, int month, int day, int hour) {
  return days_from_civil(year, month, day) * kNanosPerDay + hour * kNanosPerHour;
}

TEST(Vwap, ResetsAtEachUtcDayByDefault) {
  Bars b;
  b.add(0, 11, 9, 10, 100, at(2024, 1, 30, 22));   // hlc3 10
  b.add(0, 13, 11, 12, 300, at(2024, 1, 30, 23));  // hlc3 12 -> (1000 + 3600) / 400
  b.add(0, 21, 19, 20, 50, at(2024, 1, 31, 0));    // new day
  b.add(0, 22, 22, 22, 0, at(2024, 1, 31, 1));     // zero volume leaves it unchanged
  b.add(0, 31, 29, 30, 100, at(2024, 2, 1, 0));    // new day (and month)
  const auto day = batch("vwap", b.series());
  EXPECT_DOUBLE_EQ(day[0][0], 10);
  EXPECT_DOUBLE_EQ(day[0][1], 11.5);
  EXPECT_DOUBLE_EQ(day[0][2], 20);
  EXPECT_DOUBLE_EQ(day[0][3], 20);
  EXPECT_DOUBLE_EQ(day[0][4], 30);
  // Week anchor: 2024-01-30 (Tue) .. 2024-02-01 (Thu) are one week.
  const auto week = batch("vwap", b.series(), {{"anchor", 1}});
  EXPECT_DOUBLE_EQ(week[0][2], (1000 + 3600 + 1000) / 450.0);
  EXPECT_DOUBLE_EQ(week[0][4], (1000 + 3600 + 1000 + 3000) / 550.0);
  // Month anchor: resets on February 1st.
  const auto month = batch("vwap", b.series(), {{"anchor", 2}});
  EXPECT_DOUBLE_EQ(month[0][3], (1000 + 3600 + 1000) / 450.0);
  EXPECT_DOUBLE_EQ(month[0][4], 30);
}

TEST(Vwap, WeekStartsOnMondayAndZeroVolumeSessionIsNan) {
  Bars b;
  b.add(0, 10, 10, 10, 0, at(2024, 1, 7, 12));  // Sunday, no volume yet: undefined
  b.add(0, 12, 12, 12, 10, at(2024, 1, 7, 13));
  b.add(0, 20, 20, 20, 10, at(2024, 1, 8, 0));  // Monday: new week
  const auto week = batch("vwap", b.series(), {{"anchor", 1}});
  EXPECT_TRUE(std::isnan(week[0][0]));
  EXPECT_DOUBLE_EQ(week[0][1], 12);
  EXPECT_DOUBLE_EQ(week[0][2], 20);
}

TEST(Vwap, SessionVwapOfEveryIntradayBarMatchesANaiveDailySum) {
  const Bars b = load_sample("ETH_BTC-5m");
  const auto out = batch("vwap", b.series());
  double pv = 0, v = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 0 || floor_day(b.ts[i]) != floor_day(b.ts[i - 1])) pv = v = 0;
    pv += hlc3(b, i) * b.volume[i];
    v += b.volume[i];
    ASSERT_TRUE(near_rel(out[0][i], pv / v, 1e-12)) << i;
  }
}

TEST(RollingVwap, MatchesHandComputedWindow) {
  Bars b;
  b.add(0, 11, 9, 10, 100);
  b.add(0, 13, 11, 12, 300);
  b.add(0, 21, 19, 20, 100);
  b.add(0, 5, 5, 5, 0);
  b.add(0, 7, 7, 7, 0);
  const auto out = batch("rolling_vwap", b.series(), {{"timeperiod", 2}});
  EXPECT_TRUE(std::isnan(out[0][0]));
  EXPECT_DOUBLE_EQ(out[0][1], 11.5);
  EXPECT_DOUBLE_EQ(out[0][2], (3600 + 2000) / 400.0);
  EXPECT_DOUBLE_EQ(out[0][3], 20);
  EXPECT_TRUE(std::isnan(out[0][4]));  // no volume in the window
}

TEST(Donchian, MatchesHandComputedChannel) {
  Bars b;
  const double high[] = {1, 3, 2, 5, 4}, low[] = {0, 1, 1, 2, 3};
  for (int i = 0; i < 5; ++i) b.add(0, high[i], low[i], 0);
  const auto out = batch("donchian", b.series(), {{"timeperiod", 3}});
  const double upper[] = {3, 5, 5}, lower[] = {0, 1, 1};
  for (int i = 0; i < 2; ++i)
    EXPECT_TRUE(std::isnan(out[0][i]) && std::isnan(out[1][i]) && std::isnan(out[2][i]));
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(out[0][i], upper[i - 2]);
    EXPECT_EQ(out[1][i], (upper[i - 2] + lower[i - 2]) / 2);
    EXPECT_EQ(out[2][i], lower[i - 2]);
  }
}

TEST(Ichimoku, MatchesHandComputedLinesWithSmallPeriods) {
  // tenkan 2, kijun 3, senkou_b 4, displacement 2 on highs h[i] = i + 2, lows l[i] = i (i = 0..9).
  Bars b;
  for (int i = 0; i < 10; ++i) b.add(0, i + 2, i, i + 1);
  const std::map<std::string, double> p = {
      {"tenkan_period", 2}, {"kijun_period", 3}, {"senkou_b_period", 4}, {"displacement", 2}};
  const auto out = batch("ichimoku", b.series(), p);
  const int lookback = make_indicator("ichimoku", p).value()->lookback();
  EXPECT_EQ(lookback, 3 + 2);  // senkou_b: 4 bars, shifted by 2
  // Midpoint over n bars ending at t: ((t + 2) + (t - n + 1)) / 2.
  auto mid = [](int t, int n) { return ((t + 2) + (t - n + 1)) / 2.0; };
  for (int t = 0; t < 10; ++t) {
    if (t < lookback) {
      for (int o = 0; o < 5; ++o) EXPECT_TRUE(std::isnan(out[o][t])) << o << " " << t;
      continue;
    }
    EXPECT_DOUBLE_EQ(out[0][t], mid(t, 2));
    EXPECT_DOUBLE_EQ(out[1][t], mid(t, 3));
    EXPECT_DOUBLE_EQ(out[2][t], (mid(t - 2, 2) + mid(t - 2, 3)) / 2);  // computed 2 bars earlier
    EXPECT_DOUBLE_EQ(out[3][t], mid(t - 2, 4));
    EXPECT_DOUBLE_EQ(out[4][t], t + 1);  // chikou = close[t], drawn at t - displacement
  }
}

TEST(HeikinAshi, MatchesHandComputedCandles) {
  Bars b;
  b.add(10, 14, 8, 12);
  b.add(12, 16, 11, 15);
  b.add(15, 15.5, 9, 10);
  const auto out = batch("heikin_ashi", b.series());
  // bar 0: close (10+14+8+12)/4 = 11, open (10+12)/2 = 11.
  EXPECT_DOUBLE_EQ(out[3][0], 11);
  EXPECT_DOUBLE_EQ(out[0][0], 11);
  EXPECT_DOUBLE_EQ(out[1][0], 14);
  EXPECT_DOUBLE_EQ(out[2][0], 8);
  // bar 1: close 13.5, open (11 + 11)/2 = 11.
  EXPECT_DOUBLE_EQ(out[3][1], 13.5);
  EXPECT_DOUBLE_EQ(out[0][1], 11);
  EXPECT_DOUBLE_EQ(out[1][1], 16);
  EXPECT_DOUBLE_EQ(out[2][1], 11);
  // bar 2: close 12.375, open (11 + 13.5)/2 = 12.25; high max(15.5, ...) , low 9.
  EXPECT_DOUBLE_EQ(out[3][2], 12.375);
  EXPECT_DOUBLE_EQ(out[0][2], 12.25);
  EXPECT_DOUBLE_EQ(out[1][2], 15.5);
  EXPECT_DOUBLE_EQ(out[2][2], 9);
}

TEST(HeikinAshi, RestartsAfterANanBar) {
  Bars b;
  b.add(10, 14, 8, 12);
  b.add(kNan, 16, 11, 15);
  b.add(12, 16, 11, 15);
  const auto out = batch("heikin_ashi", b.series());
  EXPECT_TRUE(std::isnan(out[0][1]) || std::isnan(out[3][1]));
  EXPECT_DOUBLE_EQ(out[0][2], (12 + 15) / 2.0);  // seeded again like a first bar
  EXPECT_DOUBLE_EQ(out[3][2], 13.5);
}

TEST(Zscore, MatchesHandComputedValues) {
  Bars b;
  for (double v : {1, 2, 3, 4, 5, 5, 5, 5, 5}) b.add(0, 0, 0, v);
  const auto out = batch("zscore", b.series(), {{"timeperiod", 5}});
  EXPECT_TRUE(std::isnan(out[0][3]));
  EXPECT_NEAR(out[0][4], 2 / std::sqrt(2.0), 1e-15);  // mean 3, population sd sqrt(2)
  // window {2,3,4,5,5}: mean 3.8, variance (3.24+0.64+0.04+1.44+1.44)/5 = 1.36
  EXPECT_NEAR(out[0][5], 1.2 / std::sqrt(1.36), 1e-15);
  EXPECT_EQ(out[0][8], 0);  // flat window
}

TEST(Zscore, IsScaleFreeOnLowPricedAssets) {
  // ADA near 5e-5: z-scores must not collapse to 0 the way TA-Lib's epsilon-guarded stddev does.
  const Bars b = load_sample("ADA_BTC-5m");
  const auto z = batch("zscore", b.series());
  std::vector<double> scaled(b.close);
  for (auto& v : scaled) v *= 1e6;
  InputSeries in = b.series();
  in.real = scaled;
  const auto z_scaled = batch("zscore", in);
  int nonzero = 0;
  for (std::size_t i = 19; i < b.size(); ++i) {
    ASSERT_NEAR(z[0][i], z_scaled[0][i], 1e-6) << i;
    nonzero += z[0][i] != 0;
  }
  EXPECT_GT(nonzero, 5000);
}

TEST(Vortex, MatchesHandComputedValues) {
  Bars b;
  b.add(0, 10, 8, 9);
  b.add(0, 12, 9, 11);   // VM+ |12-8| = 4, VM- |9-10| = 1, TR max(3, |12-9|, |9-9|) = 3
  b.add(0, 11, 7, 8);    // VM+ |11-9| = 2, VM- |7-12| = 5, TR max(4, 0, 4) = 4
  b.add(0, 13, 10, 12);  // VM+ |13-7| = 6, VM- |10-11| = 1, TR max(3, 5, 2) = 5
  const auto out = batch("vortex", b.series(), {{"timeperiod", 2}});
  EXPECT_TRUE(std::isnan(out[0][1]));
  EXPECT_DOUBLE_EQ(out[0][2], 6.0 / 7);
  EXPECT_DOUBLE_EQ(out[1][2], 6.0 / 7);
  EXPECT_DOUBLE_EQ(out[0][3], 8.0 / 9);
  EXPECT_DOUBLE_EQ(out[1][3], 6.0 / 9);
}

TEST(ChaikinMoneyFlow, MatchesHandComputedValues) {
  Bars b;
  b.add(0, 12, 8, 11, 1000);  // CLV 0.5 -> +500
  b.add(0, 10, 10, 10, 500);  // high == low: 0 flow, volume counts
  b.add(0, 20, 10, 10, 100);  // CLV -1 -> -100
  const auto out = batch("chaikin_money_flow", b.series(), {{"timeperiod", 2}});
  EXPECT_TRUE(std::isnan(out[0][0]));
  EXPECT_DOUBLE_EQ(out[0][1], 500.0 / 1500);
  EXPECT_DOUBLE_EQ(out[0][2], -100.0 / 600);
}

TEST(ChaikinMoneyFlow, MatchesNaiveSumsOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  const auto out = batch("chaikin_money_flow", b.series());
  for (std::size_t i = 19; i < b.size(); ++i) {
    double flow = 0, volume = 0;
    for (std::size_t j = i - 19; j <= i; ++j) {
      const double range = b.high[j] - b.low[j];
      if (range > 0) flow += (2 * b.close[j] - b.low[j] - b.high[j]) / range * b.volume[j];
      volume += b.volume[j];
    }
    ASSERT_NEAR(out[0][i], flow / volume, 1e-9) << i;
  }
}

// ---- supertrend and keltner against naive array versions of their rules

TEST(Supertrend, MatchesNaiveTradingViewRulesOnRealData) {
  const Bars b = load_sample("EURUSD-1h");
  const int n = 10;
  const double m = 3;
  const auto atr = ref_atr(b, n);
  const auto out = batch("supertrend", b.series());
  std::vector<double> upper(b.size()), lower(b.size()), st(b.size());
  for (std::size_t i = n; i < b.size(); ++i) {
    const double hl2 = (b.high[i] + b.low[i]) / 2;
    upper[i] = hl2 + m * atr[i];
    lower[i] = hl2 - m * atr[i];
    int dir = -1;
    if (i > static_cast<std::size_t>(n)) {
      if (!(lower[i] > lower[i - 1] || b.close[i - 1] < lower[i - 1])) lower[i] = lower[i - 1];
      if (!(upper[i] < upper[i - 1] || b.close[i - 1] > upper[i - 1])) upper[i] = upper[i - 1];
      dir = st[i - 1] == upper[i - 1] ? (b.close[i] > upper[i] ? 1 : -1) : (b.close[i] < lower[i] ? -1 : 1);
    }
    st[i] = dir == 1 ? lower[i] : upper[i];
    ASSERT_TRUE(near_rel(out[0][i], st[i], 1e-12)) << i;
    ASSERT_EQ(out[1][i], dir) << i;
    ASSERT_TRUE(dir == 1 ? st[i] <= b.close[i] : st[i] >= b.close[i]) << i;
  }
  for (int i = 0; i < n; ++i) EXPECT_TRUE(std::isnan(out[0][i]) && std::isnan(out[1][i]));
}

TEST(Supertrend, FlipsUpAfterABreakoutAndDownAfterACrash) {
  Bars b;
  for (int i = 0; i < 12; ++i) b.add(100, 101, 99, 100);  // ATR 2 after the lookback
  for (int i = 0; i < 10; ++i) b.add(100 + 3 * i, 102 + 3 * i, 99 + 3 * i, 101 + 3 * i);  // rally
  for (int i = 0; i < 5; ++i) b.add(90 - 5 * i, 91 - 5 * i, 80 - 5 * i, 81 - 5 * i);      // crash
  const auto out = batch("supertrend", b.series(), {{"timeperiod", 5}, {"multiplier", 2}});
  EXPECT_EQ(out[1][5], -1);   // starts down, as TradingView
  EXPECT_EQ(out[1][21], 1);   // up by the end of the rally
  EXPECT_EQ(out[1][26], -1);  // down after the crash
}

TEST(Keltner, IsEmaPlusMinusMultipleOfAtr) {
  const Bars b = load_sample("GOOG-1d");
  const auto ema = ref_ema(b.close, 20);
  const auto atr = ref_atr(b, 10);
  const auto out = batch("keltner", b.series());
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i < 19) {
      ASSERT_TRUE(std::isnan(out[1][i]));
      continue;
    }
    ASSERT_TRUE(near_rel(out[1][i], ema[i], 1e-12)) << i;
    ASSERT_TRUE(near_rel(out[0][i], ema[i] + 2 * atr[i], 1e-12)) << i;
    ASSERT_TRUE(near_rel(out[2][i], ema[i] - 2 * atr[i], 1e-12)) << i;
  }
}

// ---- WaveTrend and VuManChu against the Pine formulas written out over arrays

struct PineWave {
  std::vector<double> wt1, wt2;
};

PineWave ref_wavetrend(const std::vector<double>& src, int chlen, int avg, int malen) {
  const auto esa = ref_ema(src, chlen);
  std::vector<double> dev(src.size());
  for (std::size_t i = 0; i < src.size(); ++i) dev[i] = std::fabs(src[i] - esa[i]);
  const auto de = ref_ema(dev, chlen);
  std::vector<double> ci(src.size());
  for (std::size_t i = 0; i < src.size(); ++i) ci[i] = (src[i] - esa[i]) / (0.015 * de[i]);
  PineWave w;
  w.wt1 = ref_ema(ci, avg);
  w.wt2 = ref_sma(w.wt1, malen);
  return w;
}

// Oscillators around 0 with magnitude ~50: absolute tolerance.
::testing::AssertionResult near_abs(double a, double b, double tol) {
  if (same(a, b) || std::fabs(a - b) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b;
}

TEST(WaveTrend, MatchesPineFormulaOnRealData) {
  const Bars b = load_sample("ETH_BTC-5m");
  const auto ref = ref_wavetrend(column(b, hlc3), 10, 21, 4);
  const auto out = batch("wavetrend", b.series());
  const int lookback = make_indicator("wavetrend", {}).value()->lookback();
  EXPECT_EQ(lookback, 9 + 9 + 20 + 3);
  for (std::size_t i = 0; i < b.size(); ++i) {
    ASSERT_TRUE(near_abs(out[0][i], static_cast<int>(i) < lookback ? kNan : ref.wt1[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[1][i], ref.wt2[i], 1e-9)) << i;
  }
}

int ref_cross(const std::vector<double>& a, const std::vector<double>& b, std::size_t i) {
  if (a[i] > b[i] && a[i - 1] < b[i - 1]) return 1;
  if (a[i] < b[i] && a[i - 1] > b[i - 1]) return -1;
  return 0;
}

TEST(VmcCipherB, MatchesPineFormulasOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  const auto out = batch("vmc_cipher_b", b.series());
  const auto info = find_indicator("vmc_cipher_b");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->outputs.size(), 10u);
  const int lookback = make_indicator("vmc_cipher_b", {}).value()->lookback();
  EXPECT_EQ(lookback, 59);  // the RSI+MFI area's sma(60)

  const auto wave = ref_wavetrend(column(b, hlc3), 9, 12, 3);
  std::vector<double> flow(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    flow[i] = (b.close[i] - b.open[i]) / (b.high[i] - b.low[i]) * 150;
  }
  const auto area = ref_sma(flow, 60);
  const auto rsi = ref_rsi(b.close, 14);
  std::vector<double> log_close(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) log_close[i] = std::log(b.close[i]);
  const auto log_rsi = ref_rsi(log_close, 14);
  std::vector<double> stoch(b.size(), kNan);
  for (std::size_t i = 27; i < b.size(); ++i) {
    const auto first = log_rsi.begin() + static_cast<long>(i) - 13,
               last = log_rsi.begin() + static_cast<long>(i) + 1;
    const double hi = *std::max_element(first, last), lo = *std::min_element(first, last);
    stoch[i] = 100 * (log_rsi[i] - lo) / (hi - lo);
  }
  const auto k = ref_sma(stoch, 3);
  const auto d = ref_sma(k, 3);

  int buys = 0, sells = 0, crosses = 0;
  for (std::size_t i = lookback; i < b.size(); ++i) {
    ASSERT_TRUE(near_abs(out[0][i], wave.wt1[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[1][i], wave.wt2[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[2][i], wave.wt1[i] - wave.wt2[i], 1e-9)) << i;
    const int cross = ref_cross(wave.wt1, wave.wt2, i);
    ASSERT_EQ(out[3][i], cross) << i;
    ASSERT_EQ(out[4][i], cross == 1 && wave.wt2[i] <= -53 ? 1 : 0) << i;
    ASSERT_EQ(out[5][i], cross == -1 && wave.wt2[i] >= 53 ? 1 : 0) << i;
    ASSERT_TRUE(near_abs(out[6][i], area[i] - 2.5, 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[7][i], rsi[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[8][i], k[i], 1e-8)) << i;
    ASSERT_TRUE(near_abs(out[9][i], d[i], 1e-8)) << i;
    crosses += cross != 0;
    buys += out[4][i] == 1;
    sells += out[5][i] == 1;
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(lookback); ++i) {
    for (std::size_t o = 0; o < 10; ++o) ASSERT_TRUE(std::isnan(out[o][i])) << o << " " << i;
  }
  EXPECT_GT(crosses, 100);
  EXPECT_GT(buys, 5);
  EXPECT_GT(sells, 5);
}

TEST(VmcCipherA, SignalsFollowTheScriptFromItsOwnLines) {
  const Bars b = load_sample("EURUSD-1h");
  const auto out = batch("vmc_cipher_a", b.series());
  const int lengths[8] = {5, 11, 15, 18, 21, 24, 28, 34};
  std::vector<std::vector<double>> ema;
  for (int n : lengths) ema.push_back(ref_ema(b.close, n));
  const auto wave = ref_wavetrend(column(b, hlc3), 9, 13, 3);
  const auto rsi = ref_rsi(b.close, 14);
  const int lookback = make_indicator("vmc_cipher_a", {}).value()->lookback();
  EXPECT_EQ(lookback, 59);
  auto over = [](const std::vector<double>& a, const std::vector<double>& c, std::size_t i) {
    return a[i] > c[i] && a[i - 1] < c[i - 1];
  };
  int fired[14] = {};
  for (std::size_t i = lookback; i < b.size(); ++i) {
    for (int e = 0; e < 8; ++e) ASSERT_TRUE(near_rel(out[e][i], ema[e][i], 1e-12)) << e << " " << i;
    ASSERT_TRUE(near_abs(out[8][i], wave.wt1[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[9][i], wave.wt2[i], 1e-9)) << i;
    ASSERT_TRUE(near_abs(out[10][i], rsi[i], 1e-9)) << i;
    const int cross = ref_cross(wave.wt1, wave.wt2, i);
    const bool red_cross = over(ema[1], ema[0], i), green_cross = over(ema[0], ema[1], i);
    const bool red_diamond = cross == -1, green_diamond = cross == 1;
    const double wt2 = wave.wt2[i], r = rsi[i];
    const bool want[14] = {over(ema[1], ema[7], i),
                           over(ema[7], ema[1], i),
                           red_cross,
                           green_cross,
                           over(ema[1], ema[2], i),
                           over(ema[2], ema[1], i),
                           red_diamond,
                           green_diamond,
                           red_diamond && wt2 < 45 && wt2 > -80 && r < 30 && r > 15,
                           green_diamond && wt2 > 55 && wt2 < 100 && r < 70,
                           red_diamond && red_cross,
                           green_diamond && green_cross,
                           b.open[i] > ema[1][i] && b.open[i] > ema[7][i] && b.close[i - 1] > b.open[i - 1] &&
                               b.close[i] > b.open[i] && !red_diamond && !red_cross,
                           b.open[i] < ema[1][i] && b.open[i] < ema[7][i] && b.close[i - 1] < b.open[i - 1] &&
                               b.close[i] < b.open[i] && !green_diamond && !red_cross};
    for (int f = 0; f < 14; ++f) {
      ASSERT_EQ(out[12 + f][i], want[f] ? 1 : 0)
          << find_indicator("vmc_cipher_a")->outputs[12 + f] << " " << i;
      fired[f] += want[f];
    }
  }
  for (int f : {0, 1, 2, 3, 4, 5, 6, 7, 12, 13}) EXPECT_GT(fired[f], 3) << f;
}

// ---- properties over every custom indicator

TEST(CustomIndicators, NothingDependsOnFutureBars) {
  const Bars b = load_sample("ETH_BTC-5m");
  const std::size_t cut = 3000;
  Bars perturbed = b;
  for (std::size_t i = cut + 1; i < b.size(); ++i) {
    perturbed.open[i] *= 1.3;
    perturbed.high[i] *= 1.5;
    perturbed.low[i] *= 0.7;
    perturbed.close[i] *= 1.1;
    perturbed.volume[i] *= 9;
  }
  for (const auto& info : list_indicators()) {
    if (info.group != "custom") continue;
    const auto a = batch(info.name, b.series());
    const auto p = batch(info.name, perturbed.series());
    bool changed = false;
    for (std::size_t o = 0; o < a.size(); ++o) {
      for (std::size_t i = 0; i <= cut; ++i)
        ASSERT_TRUE(same(a[o][i], p[o][i])) << info.name << " " << o << " " << i;
      for (std::size_t i = cut + 1; i < b.size(); ++i) changed = changed || !same(a[o][i], p[o][i]);
    }
    EXPECT_TRUE(changed) << info.name << " ignores its input";
  }
}

TEST(CustomIndicators, StreamingEqualsBatchResetsAndIsReadyAfterLookback) {
  for (const char* file : {"GOOG-1d", "ADA_BTC-5m"}) {
    const Bars b = load_sample(file);
    for (const auto& info : list_indicators()) {
      if (info.group != "custom") continue;
      const auto want = batch(info.name, b.series());
      auto ind = make_indicator(info.name, {}).value();
      std::vector<double> row(ind->num_outputs());
      for (int pass = 0; pass < 2; ++pass) {
        ind->reset();
        for (std::size_t i = 0; i < b.size(); ++i) {
          ind->update(b.bar(i), row.data());
          for (std::size_t o = 0; o < row.size(); ++o) {
            ASSERT_TRUE(same(row[o], want[o][i])) << info.name << " " << info.outputs[o] << " bar " << i;
            const bool before = static_cast<int>(i) < ind->lookback();
            ASSERT_EQ(std::isnan(row[o]), before) << info.name << " " << info.outputs[o] << " bar " << i;
          }
        }
      }
    }
  }
}

TEST(CustomIndicators, RejectOutOfRangeParameters) {
  struct Case {
    const char* name;
    const char* param;
    double value;
  };
  for (const Case& c :
       {Case{"hull_ma", "timeperiod", 1}, Case{"vwap", "anchor", 3}, Case{"rolling_vwap", "timeperiod", 0},
        Case{"supertrend", "multiplier", -1}, Case{"keltner", "atrperiod", 0},
        Case{"ichimoku", "displacement", -1}, Case{"zscore", "timeperiod", 1},
        Case{"vmc_cipher_b", "channel_length", 1}, Case{"vmc_cipher_a", "ema8_length", 1}}) {
    auto r = make_indicator(c.name, {{c.param, c.value}});
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.error().message().find(std::string("'") + c.param + "'"), std::string::npos)
        << r.error().message();
  }
}

TEST(CustomIndicators, NanInTheMiddleOnlyAffectsWindowsThatContainIt) {
  Bars b = load_sample("GOOG-1d");
  b.high[500] = kNan;
  const auto d = batch("donchian", b.series());
  for (std::size_t i = 500; i < 520; ++i) EXPECT_TRUE(std::isnan(d[0][i])) << i;
  EXPECT_FALSE(std::isnan(d[0][520]));
  EXPECT_FALSE(std::isnan(d[2][510]));  // the low channel does not use the high
  b.high[500] = b.close[500];
  b.volume[700] = kNan;
  const auto cmf = batch("chaikin_money_flow", b.series());
  EXPECT_TRUE(std::isnan(cmf[0][700]) && std::isnan(cmf[0][719]));
  EXPECT_FALSE(std::isnan(cmf[0][720]));
}

}  // namespace
}  // namespace tradeloop::indicators
