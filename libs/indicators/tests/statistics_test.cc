// var, stddev, linearreg*, tsf, beta, correl against brute-force two-pass / least-squares formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "reference_helpers.h"

namespace tradeloop::indicators {
namespace {

using testing::Bars;
using testing::batch;
using testing::load_sample;
using testing::near_rel;
using testing::same;

struct Line {
  double slope;
  double at_oldest;  // fitted value at the first bar of the window
};

// Ordinary least squares of y on x = 0..n-1, two-pass.
Line fit(const double* y, int n) {
  double mx = (n - 1) / 2.0, my = 0;
  for (int i = 0; i < n; ++i) my += y[i];
  my /= n;
  double sxy = 0, sxx = 0;
  for (int i = 0; i < n; ++i) {
    sxy += (i - mx) * (y[i] - my);
    sxx += (i - mx) * (i - mx);
  }
  const double m = sxy / sxx;
  return {m, my - m * mx};
}

double population_variance(const double* x, int n) {
  double mean = 0;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= n;
  double ss = 0;
  for (int i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
  return ss / n;
}

TEST(Var, MatchesTwoPassVarianceOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  for (int period : {1, 5, 30}) {
    const auto out = batch("var", b.series(), {{"timeperiod", period}});
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (static_cast<int>(i) < period - 1) {
        ASSERT_TRUE(std::isnan(out[0][i]));
        continue;
      }
      const double want = population_variance(&b.close[i + 1 - period], period);
      // E[x^2]-E[x]^2 from running sums loses ~ mean^2 * 1e-16 absolute.
      ASSERT_NEAR(out[0][i], want, 1e-9 * (1 + want) + 1e-10 * b.close[i] * b.close[i])
          << period << " bar " << i;
    }
  }
}

TEST(Stddev, IsSqrtOfVarianceTimesNbdev) {
  const Bars b = load_sample("GOOG-1d");
  const auto var = batch("var", b.series(), {{"timeperiod", 20}});
  const auto sd = batch("stddev", b.series(), {{"timeperiod", 20}, {"nbdev", -2.5}});
  for (std::size_t i = 0; i < b.size(); ++i) {
    ASSERT_TRUE(near_rel(sd[0][i], std::sqrt(var[0][i]) * -2.5, 1e-15)) << i;
  }
}

TEST(Stddev, IsExactlyZeroBelowTaLibsEpsilon) {
  // TA-Lib returns 0 when the variance is below 1e-14 (so a stddev below 1e-7): flat windows, and also
  // genuinely tiny ones, e.g. prices near 1e-5.
  Bars b;
  for (int i = 0; i < 10; ++i) b.add(5, 5, 5, 5);
  for (int i = 0; i < 10; ++i) b.add(0, 0, 0, 0.00005 + (i % 2) * 1e-8);
  const auto sd = batch("stddev", b.series());
  for (std::size_t i = 4; i < b.size(); ++i) {
    if (i >= 10 && i < 14) {
      EXPECT_GT(sd[0][i], 1.0) << i;  // windows spanning both blocks
    } else {
      EXPECT_EQ(sd[0][i], 0.0) << i;
    }
  }
}

TEST(LinearRegression, AllFiveOutputsMatchLeastSquares) {
  const Bars b = load_sample("EURUSD-1h");
  for (int n : {2, 14, 50}) {
    const std::map<std::string, double> p = {{"timeperiod", n}};
    const auto value = batch("linearreg", b.series(), p);
    const auto slope = batch("linearreg_slope", b.series(), p);
    const auto angle = batch("linearreg_angle", b.series(), p);
    const auto intercept = batch("linearreg_intercept", b.series(), p);
    const auto tsf = batch("tsf", b.series(), p);
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (static_cast<int>(i) < n - 1) {
        ASSERT_TRUE(std::isnan(value[0][i]) && std::isnan(slope[0][i]) && std::isnan(angle[0][i]) &&
                    std::isnan(intercept[0][i]) && std::isnan(tsf[0][i]));
        continue;
      }
      const Line line = fit(&b.close[i + 1 - n], n);
      // Price ~1.1, slopes ~1e-4: compare slopes against the price scale.
      ASSERT_NEAR(slope[0][i], line.slope, 1e-12) << n << " " << i;
      ASSERT_NEAR(angle[0][i], std::atan(line.slope) * 180 / std::numbers::pi, 1e-9) << n << " " << i;
      ASSERT_TRUE(near_rel(intercept[0][i], line.at_oldest, 1e-12)) << n << " " << i;
      ASSERT_TRUE(near_rel(value[0][i], line.at_oldest + line.slope * (n - 1), 1e-12)) << n << " " << i;
      ASSERT_TRUE(near_rel(tsf[0][i], line.at_oldest + line.slope * n, 1e-12)) << n << " " << i;
    }
  }
}

TEST(LinearRegression, ExactOnAStraightLine) {
  Bars b;
  for (int i = 0; i < 20; ++i) b.add(0, 0, 0, 3.0 + 0.5 * i);
  const auto value = batch("linearreg", b.series(), {{"timeperiod", 5}});
  const auto slope = batch("linearreg_slope", b.series(), {{"timeperiod", 5}});
  const auto angle = batch("linearreg_angle", b.series(), {{"timeperiod", 5}});
  const auto intercept = batch("linearreg_intercept", b.series(), {{"timeperiod", 5}});
  const auto tsf = batch("tsf", b.series(), {{"timeperiod", 5}});
  for (int i = 4; i < 20; ++i) {
    EXPECT_DOUBLE_EQ(slope[0][i], 0.5);
    EXPECT_DOUBLE_EQ(angle[0][i], std::atan(0.5) * 180 / std::numbers::pi);
    EXPECT_DOUBLE_EQ(value[0][i], 3.0 + 0.5 * i);
    EXPECT_DOUBLE_EQ(intercept[0][i], 3.0 + 0.5 * (i - 4));
    EXPECT_DOUBLE_EQ(tsf[0][i], 3.0 + 0.5 * (i + 1));
  }
}

TEST(Correl, MatchesPearsonOnRealData) {
  const Bars b = load_sample("GOOG-1d");
  InputSeries in = b.series();
  in.real0 = b.high;
  in.real1 = b.volume;
  const int n = 30;
  const auto out = batch("correl", in);
  for (std::size_t i = n - 1; i < b.size(); ++i) {
    const double* x = &b.high[i + 1 - n];
    const double* y = &b.volume[i + 1 - n];
    double mx = 0, my = 0;
    for (int k = 0; k < n; ++k) mx += x[k] / n, my += y[k] / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int k = 0; k < n; ++k) {
      sxy += (x[k] - mx) * (y[k] - my);
      sxx += (x[k] - mx) * (x[k] - mx);
      syy += (y[k] - my) * (y[k] - my);
    }
    // Running sums of volume^2 (~1e15) cost absolute precision: 1e-6 in r is still far below any use.
    ASSERT_NEAR(out[0][i], sxy / std::sqrt(sxx * syy), 1e-6) << i;
  }
}

TEST(Correl, PerfectlyCorrelatedSeriesGiveOne) {
  Bars b;
  for (int i = 0; i < 40; ++i) b.add(0, 0, 0, 100 + std::sin(i));
  std::vector<double> twice(b.close), negated(b.close);
  for (auto& v : twice) v = 2 * v + 7;
  for (auto& v : negated) v = -v;
  InputSeries in = b.series();
  in.real0 = b.close;
  in.real1 = twice;
  const auto pos = batch("correl", in, {{"timeperiod", 10}});
  in.real1 = negated;
  const auto neg = batch("correl", in, {{"timeperiod", 10}});
  for (int i = 9; i < 40; ++i) {
    EXPECT_NEAR(pos[0][i], 1.0, 1e-9);
    EXPECT_NEAR(neg[0][i], -1.0, 1e-9);
  }
}

TEST(Beta, IsCovarianceOverVarianceOfReal0Returns) {
  const Bars b = load_sample("GOOG-1d");
  InputSeries in = b.series();
  in.real0 = b.open;
  in.real1 = b.close;
  const int n = 5;
  const auto out = batch("beta", in);
  ASSERT_EQ(make_indicator("beta", {}).value()->lookback(), n);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i < static_cast<std::size_t>(n)) {
      ASSERT_TRUE(std::isnan(out[0][i]));
      continue;
    }
    double x[n], y[n], mx = 0, my = 0;
    for (int k = 0; k < n; ++k) {
      const std::size_t j = i + 1 - n + k;
      x[k] = (b.open[j] - b.open[j - 1]) / b.open[j - 1];
      y[k] = (b.close[j] - b.close[j - 1]) / b.close[j - 1];
      mx += x[k] / n;
      my += y[k] / n;
    }
    double sxy = 0, sxx = 0;
    for (int k = 0; k < n; ++k) {
      sxy += (x[k] - mx) * (y[k] - my);
      sxx += (x[k] - mx) * (x[k] - mx);
    }
    ASSERT_NEAR(out[0][i], sxy / sxx, 1e-8 * (1 + std::fabs(sxy / sxx))) << i;
  }
}

TEST(Beta, OfASeriesAgainstAScaledCopyOfItsReturnsIsTheScale) {
  // real1's returns are exactly twice real0's: beta = cov(x, 2x) / var(x) = 2.
  Bars b;
  std::vector<double> p0 = {100}, p1 = {50};
  for (int i = 1; i < 30; ++i) {
    const double r = 0.01 * std::sin(i * 1.3);
    p0.push_back(p0.back() * (1 + r));
    p1.push_back(p1.back() * (1 + 2 * r));
  }
  for (double v : p0) b.add(v, v, v, v);
  InputSeries in = b.series();
  in.real0 = p0;
  in.real1 = p1;
  const auto out = batch("beta", in, {{"timeperiod", 7}});
  for (int i = 7; i < 30; ++i) EXPECT_NEAR(out[0][i], 2.0, 1e-9) << i;
}

TEST(StatisticsIndicators, RejectPeriodsBelowTaLibsMinimum) {
  for (const char* name :
       {"linearreg", "linearreg_slope", "linearreg_angle", "linearreg_intercept", "tsf", "stddev"}) {
    auto r = make_indicator(name, {{"timeperiod", 1}});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_NE(r.error().message().find("'timeperiod' = 1 is below its minimum 2"), std::string::npos)
        << r.error().message();
  }
  for (const char* name : {"var", "beta", "correl"}) {
    EXPECT_TRUE(make_indicator(name, {{"timeperiod", 1}}).ok()) << name;
    EXPECT_FALSE(make_indicator(name, {{"timeperiod", 0}}).ok()) << name;
  }
}

TEST(StatisticsIndicators, StreamingEqualsBatchBitForBit) {
  const Bars b = load_sample("ADA_BTC-5m");
  std::vector<double> other(b.close);
  for (std::size_t i = 0; i < other.size(); ++i) other[i] = b.open[i];
  InputSeries in = b.series();
  in.real0 = b.close;
  in.real1 = other;
  for (const char* name : {"var", "stddev", "linearreg", "linearreg_slope", "linearreg_angle",
                           "linearreg_intercept", "tsf", "beta", "correl"}) {
    const auto want = batch(name, in);
    const auto got = testing::stream(name, b.size(), [&](std::size_t i) {
      BarInput bar = b.bar(i);
      bar.real1 = other[i];
      return bar;
    });
    for (std::size_t i = 0; i < b.size(); ++i)
      ASSERT_TRUE(same(got[0][i], want[0][i])) << name << " bar " << i;
  }
}

TEST(StatisticsIndicators, NanInsideTheWindowGivesNan) {
  Bars b;
  for (int i = 0; i < 12; ++i) b.add(0, 0, 0, 10 + i % 3);
  b.close[6] = NAN;
  const auto lr = batch("linearreg", b.series(), {{"timeperiod", 3}});
  // O(period) recomputation: NaN only while the NaN bar is inside the window.
  EXPECT_FALSE(std::isnan(lr[0][5]));
  for (int i = 6; i <= 8; ++i) EXPECT_TRUE(std::isnan(lr[0][i])) << i;
  EXPECT_FALSE(std::isnan(lr[0][9]));
  // Running sums (as TA-Lib's): NaN stays once it entered the sum.
  const auto var = batch("var", b.series(), {{"timeperiod", 3}});
  for (int i = 6; i < 12; ++i) EXPECT_TRUE(std::isnan(var[0][i])) << i;
}

}  // namespace
}  // namespace tradeloop::indicators
