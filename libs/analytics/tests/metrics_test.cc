#include "tradeloop/analytics/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tradeloop/analytics/annualization.h"

namespace tradeloop::analytics {
namespace {

using M = Metric;
const double kNaN = std::nan("");

Timestamp at(const char* text) {
  return parse_time(text).value();
}

ClosedTrade trade(Side side, double size, std::int64_t entry_bar, std::int64_t exit_bar, double entry,
                  double exit, double fees, const std::vector<Timestamp>& ts) {
  ClosedTrade t;
  t.symbol = "TEST";
  t.side = side;
  t.size = size;
  t.entry_bar = entry_bar;
  t.exit_bar = exit_bar;
  t.entry_time = ts[static_cast<std::size_t>(entry_bar)];
  t.exit_time = ts[static_cast<std::size_t>(exit_bar)];
  t.entry_price = entry;
  t.exit_price = exit;
  const double sign = side == Side::kLong ? 1 : -1;
  t.return_pct = sign * (exit / entry - 1) * 100;
  t.pnl = sign * size * (exit - entry) - fees;
  t.fees = fees;
  t.exit_reason = "signal";
  return t;
}

// Six weekday bars (Mon 2024-01-01 .. Mon 2024-01-08) and three trades, small enough to work out
// by hand; the expected values below are derived in the comments, not by the code under test.
RunRecord hand_record() {
  RunRecord r;
  r.initial_cash = 100;
  r.equity.ts = {at("2024-01-01"), at("2024-01-02"), at("2024-01-03"),
                 at("2024-01-04"), at("2024-01-05"), at("2024-01-08")};
  r.equity.equity = {100, 110, 99, 105, 120, 114};
  r.equity.cash = r.equity.equity;
  r.equity.position_value = {0, 0, 0, 0, 0, 0};
  r.equity.exposure = {0, 1, 0, 0.5, 0.9, 0};
  r.trades = {trade(Side::kLong, 10, 0, 1, 10, 11, 0.2, r.equity.ts),    // +10% gross, pnl 9.8
              trade(Side::kShort, 5, 3, 4, 20, 22, 0.1, r.equity.ts),    // -10% gross, pnl -10.1
              trade(Side::kLong, 1, 4, 5, 100, 100, 0.5, r.equity.ts)};  // 0% gross, pnl -0.5
  r.total_fees = 0.8 + 0.25;  // includes an open position's entry fee
  r.benchmark_close = {10, 11, 10.5, 20, 22, 21};
  r.warmup_bars = 1;
  return r;
}

Metrics compute(const RunRecord& r, MetricsOptions options = {}) {
  Result<Metrics> m = compute_metrics(r, options);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
  return m.ok() ? m.value() : Metrics();
}

TEST(Metrics, EquityStatisticsOfHandWorkedExample) {
  const Metrics m = compute(hand_record());
  EXPECT_DOUBLE_EQ(m[M::kFinalEquity], 114);
  EXPECT_DOUBLE_EQ(m[M::kEquityPeak], 120);
  EXPECT_DOUBLE_EQ(m[M::kTotalReturnPct], 14);
  // Peak 110 -> trough 99: 10%. The last bar (114 after the 120 peak) is under water but only
  // one bar after a peak, so backtesting.py counts no episode for it.
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownPct], -10);
  EXPECT_DOUBLE_EQ(m[M::kAvgDrawdownPct], -10);
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownDuration], 3);  // Tue -> Fri
  EXPECT_DOUBLE_EQ(m[M::kAvgDrawdownDuration], 3);
  // Percent drawdowns per bar: 0, 0, 10, 100*(1-105/110), 0, 5.
  const double d3 = 100 * (1 - 105.0 / 110);
  EXPECT_NEAR(m[M::kUlcerIndex], std::sqrt((100 + d3 * d3 + 25) / 6), 1e-12);
  // Net profit 14 over the largest fall in cash, 110 - 99 = 11.
  EXPECT_DOUBLE_EQ(m[M::kRecoveryFactor], 14.0 / 11.0);
  EXPECT_DOUBLE_EQ(m[M::kTimeInMarketPct], 50);  // exposure non-zero on 3 of 6 bars
  EXPECT_DOUBLE_EQ(m[M::kDurationDays], 7);
  EXPECT_DOUBLE_EQ(m[M::kNumBars], 6);
  EXPECT_DOUBLE_EQ(m[M::kPeriodsPerYear], 252);
  // 7 calendar days over 252 periods a year (backtesting.py's CAGR).
  EXPECT_NEAR(m[M::kCagrPct], (std::pow(1.14, 252.0 / 7.0) - 1) * 100, 1e-6);
  EXPECT_DOUBLE_EQ(m[M::kTotalFees], 1.05);
}

TEST(Metrics, ReturnStatisticsOfHandWorkedExample) {
  const Metrics m = compute(hand_record());
  // Daily returns: 0.1, -0.1, 6/99, 15/105, -0.05, plus backtesting.py's leading NaN counted as 0
  // by the geometric mean over 6 entries; the product telescopes to 114/100.
  const std::vector<double> r = {0.1, -0.1, 6.0 / 99, 15.0 / 105, -0.05};
  const double g = std::pow(1.14, 1.0 / 6) - 1;
  const double ann = std::pow(1.14, 252.0 / 6) - 1;
  EXPECT_NEAR(m[M::kReturnAnnPct], ann * 100, 1e-6 * ann * 100);
  double mean = 0;
  for (double x : r) mean += x / 5;
  double var = 0;
  for (double x : r) var += (x - mean) * (x - mean) / 4;
  const double vol = std::sqrt(std::pow(var + (1 + g) * (1 + g), 252) - std::pow(1 + g, 504)) * 100;
  EXPECT_NEAR(m[M::kVolatilityAnnPct], vol, 1e-6 * vol);
  EXPECT_NEAR(m[M::kSharpeRatio], ann * 100 / vol, 1e-6);
  const double downside = std::sqrt((0.01 + 0.0025) / 5) * std::sqrt(252.0);
  EXPECT_NEAR(m[M::kSortinoRatio], ann / downside, 1e-6 * ann / downside);
  EXPECT_NEAR(m[M::kCalmarRatio], ann / 0.10, 1e-6 * ann / 0.1);
  EXPECT_NEAR(m[M::kOmegaRatio], (0.1 + 6.0 / 99 + 15.0 / 105) / 0.15, 1e-12);
  // Sorted: -0.1, -0.05, 0.0606, 0.1, 0.142857. 5th percentile at rank 0.2: -0.1 + 0.2 * 0.05.
  EXPECT_NEAR(m[M::kVar95Pct], -9, 1e-12);
  EXPECT_NEAR(m[M::kCvar95Pct], -10, 1e-12);
  const double p95 = 0.1 + 0.8 * (15.0 / 105 - 0.1);
  EXPECT_NEAR(m[M::kTailRatio], p95 / 0.09, 1e-12);
  // Skew and kurtosis from population moments and the usual bias corrections.
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : r) {
    m2 += std::pow(x - mean, 2) / 5;
    m3 += std::pow(x - mean, 3) / 5;
    m4 += std::pow(x - mean, 4) / 5;
  }
  const double n = 5;
  const double g1 = m3 / std::pow(m2, 1.5);
  EXPECT_NEAR(m[M::kSkew], g1 * std::sqrt(n * (n - 1)) / (n - 2), 1e-9);
  const double g2 = m4 / (m2 * m2) - 3;
  EXPECT_NEAR(m[M::kKurtosis], (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6), 1e-9);
}

TEST(Metrics, TradeStatisticsOfHandWorkedExample) {
  const Metrics m = compute(hand_record());
  // Net returns (backtesting.py's ReturnPct): gross minus fees / (size * entry price).
  const double r1 = 0.10 - 0.2 / 100, r2 = -0.10 - 0.1 / 100, r3 = 0 - 0.5 / 100;
  EXPECT_EQ(m[M::kNumTrades], 3);
  EXPECT_NEAR(m[M::kWinRatePct], 100.0 / 3, 1e-12);
  EXPECT_NEAR(m[M::kBestTradePct], r1 * 100, 1e-12);
  EXPECT_NEAR(m[M::kWorstTradePct], r2 * 100, 1e-12);
  EXPECT_NEAR(m[M::kAvgTradePct], (std::cbrt((1 + r1) * (1 + r2) * (1 + r3)) - 1) * 100, 1e-12);
  EXPECT_NEAR(m[M::kProfitFactor], r1 / -(r2 + r3), 1e-12);
  EXPECT_NEAR(m[M::kExpectancy], (r1 + r2 + r3) / 3 * 100, 1e-12);
  // PnL 9.8, -10.1, -0.5: mean -0.8/3.
  const double mean = -0.8 / 3;
  const double sd =
      std::sqrt((std::pow(9.8 - mean, 2) + std::pow(-10.1 - mean, 2) + std::pow(-0.5 - mean, 2)) / 2);
  EXPECT_NEAR(m[M::kSqn], std::sqrt(3.0) * mean / sd, 1e-12);
  EXPECT_NEAR(m[M::kKellyCriterion], 1.0 / 3 - (2.0 / 3) / (9.8 / 5.3), 1e-12);
  EXPECT_NEAR(m[M::kAvgWin], 9.8, 1e-12);
  EXPECT_NEAR(m[M::kAvgLoss], -5.3, 1e-12);
  EXPECT_NEAR(m[M::kPayoffRatio], 9.8 / 5.3, 1e-12);
  EXPECT_EQ(m[M::kMaxConsecutiveWins], 1);
  EXPECT_EQ(m[M::kMaxConsecutiveLosses], 2);
  EXPECT_NEAR(m[M::kCommissions], 0.8, 1e-12);
  // Bars 0-1, 3-4 and 4-5: 5 of 6 bars.
  EXPECT_NEAR(m[M::kExposurePct], 500.0 / 6, 1e-12);
  // Durations 1, 1 and 3 days (Fri -> Mon); the 5/3-day mean ceils to 2 days on daily data.
  EXPECT_EQ(m[M::kMaxTradeDuration], 3);
  EXPECT_EQ(m[M::kAvgTradeDuration], 2);
}

TEST(Metrics, BenchmarkStatisticsOfHandWorkedExample) {
  const RunRecord r = hand_record();
  const Metrics m = compute(r);
  // Buy and hold from the close of the first tradable bar (warm-up 1): 11 -> 21.
  const double bh = (21.0 - 11) / 11 * 100;
  EXPECT_NEAR(m[M::kBuyHoldReturnPct], bh, 1e-12);
  // Beta = cov(equity log returns, market log returns) / var(market), as E[xy] - E[x]E[y].
  double sx = 0, sy = 0, sxy = 0, syy = 0;
  for (std::size_t i = 1; i < 6; ++i) {
    const double x = std::log(r.equity.equity[i] / r.equity.equity[i - 1]);
    const double y = std::log(r.benchmark_close[i] / r.benchmark_close[i - 1]);
    sx += x, sy += y, sxy += x * y, syy += y * y;
  }
  const double beta = (sxy / 5 - sx / 5 * sy / 5) / (syy / 5 - sy / 5 * sy / 5);
  EXPECT_NEAR(m[M::kBeta], beta, 1e-12);
  EXPECT_NEAR(m[M::kAlpha], 14 - beta * bh, 1e-9);
}

TEST(Metrics, RiskFreeRateEntersSharpeSortinoAndAlpha) {
  MetricsOptions o;
  o.risk_free_rate = 0.03;
  const Metrics base = compute(hand_record());
  const Metrics m = compute(hand_record(), o);
  EXPECT_NEAR(m[M::kSharpeRatio], (base[M::kReturnAnnPct] - 3) / base[M::kVolatilityAnnPct], 1e-9);
  EXPECT_NEAR(m[M::kSortinoRatio],
              (base[M::kReturnAnnPct] / 100 - 0.03) / (base[M::kReturnAnnPct] / 100 / base[M::kSortinoRatio]),
              1e-9);
  EXPECT_NEAR(m[M::kAlpha], 14 - 3 - base[M::kBeta] * (base[M::kBuyHoldReturnPct] - 3), 1e-9);
  o.risk_free_rate = 1.5;
  EXPECT_FALSE(compute_metrics(hand_record(), o).ok());
}

TEST(Metrics, NoTradesGivesNaNTradeStatisticsAndZeroExposure) {
  RunRecord r = hand_record();
  r.trades.clear();
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kNumTrades], 0);
  EXPECT_EQ(m[M::kExposurePct], 0);
  EXPECT_EQ(m[M::kCommissions], 0);
  EXPECT_EQ(m[M::kMaxConsecutiveWins], 0);
  EXPECT_EQ(m[M::kMaxConsecutiveLosses], 0);
  for (const Metric k : {M::kWinRatePct, M::kBestTradePct, M::kWorstTradePct, M::kAvgTradePct,
                         M::kMaxTradeDuration, M::kAvgTradeDuration, M::kProfitFactor, M::kExpectancy,
                         M::kSqn, M::kKellyCriterion, M::kAvgWin, M::kAvgLoss, M::kPayoffRatio}) {
    EXPECT_TRUE(std::isnan(m[k])) << metric_key(k);
    EXPECT_TRUE(m.computed(k)) << metric_key(k);
  }
  // The equity statistics do not depend on trades.
  EXPECT_DOUBLE_EQ(m[M::kTotalReturnPct], 14);
}

TEST(Metrics, FlatEquityHasNoVolatilityNoDrawdownAndUndefinedRatios) {
  RunRecord r;
  for (int i = 0; i < 30; ++i) {
    r.equity.ts.push_back(at("2024-01-01") + i * kNanosPerDay);
    r.equity.equity.push_back(10000);
  }
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kTotalReturnPct], 0);
  EXPECT_EQ(m[M::kReturnAnnPct], 0);
  EXPECT_EQ(m[M::kVolatilityAnnPct], 0);
  EXPECT_TRUE(std::isnan(m[M::kSharpeRatio]));   // 0 / (0 or NaN)
  EXPECT_TRUE(std::isnan(m[M::kSortinoRatio]));  // 0 / 0
  EXPECT_TRUE(std::isnan(m[M::kCalmarRatio]));
  EXPECT_EQ(m[M::kMaxDrawdownPct], 0);
  EXPECT_FALSE(std::signbit(m[M::kMaxDrawdownPct]));
  EXPECT_TRUE(std::isnan(m[M::kAvgDrawdownPct]));
  EXPECT_TRUE(std::isnan(m[M::kMaxDrawdownDuration]));
  EXPECT_TRUE(std::isnan(m[M::kAvgDrawdownDuration]));
  EXPECT_EQ(m[M::kUlcerIndex], 0);
  EXPECT_TRUE(std::isnan(m[M::kRecoveryFactor]));
  EXPECT_TRUE(std::isnan(m[M::kOmegaRatio]));
  EXPECT_EQ(m[M::kSkew], 0);  // pandas: zero variance gives 0
  EXPECT_EQ(m[M::kKurtosis], 0);
  EXPECT_EQ(m[M::kVar95Pct], 0);
  EXPECT_TRUE(std::isnan(m[M::kTailRatio]));
  EXPECT_EQ(m[M::kPeriodsPerYear], 365);             // every day of the week
  EXPECT_TRUE(std::isnan(m[M::kBuyHoldReturnPct]));  // no benchmark given
  EXPECT_TRUE(std::isnan(m[M::kBeta]));
  EXPECT_TRUE(std::isnan(m[M::kTimeInMarketPct]));  // no exposure column given
}

TEST(Metrics, SingleBarIsDefinedWhereBacktestingPyIs) {
  RunRecord r;
  r.equity.ts = {at("2024-01-01")};
  r.equity.equity = {5000};
  r.benchmark_close = {42};
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kFinalEquity], 5000);
  EXPECT_EQ(m[M::kTotalReturnPct], 0);
  EXPECT_EQ(m[M::kBuyHoldReturnPct], 0);
  EXPECT_TRUE(std::isnan(m[M::kCagrPct]));  // zero duration
  EXPECT_EQ(m[M::kReturnAnnPct], 0);
  EXPECT_TRUE(std::isnan(m[M::kVolatilityAnnPct]));
  EXPECT_TRUE(std::isnan(m[M::kSharpeRatio]));
  EXPECT_TRUE(std::isnan(m[M::kSortinoRatio]));
  EXPECT_TRUE(std::isnan(m[M::kBeta]));
  EXPECT_TRUE(std::isnan(m[M::kVar95Pct]));
  EXPECT_EQ(m[M::kDurationDays], 0);
  EXPECT_EQ(m[M::kNumBars], 1);
}

TEST(Metrics, AllWinnersLeaveLossRatiosUndefined) {
  RunRecord r = hand_record();
  r.trades = {trade(Side::kLong, 10, 0, 1, 10, 11, 0, r.equity.ts),
              trade(Side::kLong, 1, 2, 4, 10, 12, 0, r.equity.ts)};
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kWinRatePct], 100);
  EXPECT_TRUE(std::isnan(m[M::kProfitFactor]));  // backtesting.py: sum / (0 or NaN)
  EXPECT_TRUE(std::isnan(m[M::kKellyCriterion]));
  EXPECT_TRUE(std::isnan(m[M::kAvgLoss]));
  EXPECT_TRUE(std::isnan(m[M::kPayoffRatio]));
  EXPECT_EQ(m[M::kMaxConsecutiveWins], 2);
  EXPECT_EQ(m[M::kMaxConsecutiveLosses], 0);
}

TEST(Metrics, TradeLosingEverythingMakesGeometricAverageZero) {
  RunRecord r = hand_record();
  r.trades = {trade(Side::kShort, 1, 0, 1, 10, 25, 0, r.equity.ts),
              trade(Side::kLong, 1, 2, 4, 10, 12, 0, r.equity.ts)};
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kAvgTradePct], 0);  // a -150% trade: backtesting.py's geometric_mean returns 0
  EXPECT_NEAR(m[M::kWorstTradePct], -150, 1e-12);
}

TEST(Metrics, DrawdownOpenAtTheEndRunsToTheLastBar) {
  RunRecord r;
  r.equity.ts = {at("2024-01-01"), at("2024-01-02"), at("2024-01-03"), at("2024-01-04"), at("2024-01-05")};
  r.equity.equity = {100, 120, 90, 95, 100};
  const Metrics m = compute(r);
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownPct], -25);
  EXPECT_DOUBLE_EQ(m[M::kAvgDrawdownPct], -25);
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownDuration], 3);  // from the peak on the 2nd to the last bar
}

TEST(Metrics, DrawdownOnlyOnTheLastBar) {
  RunRecord r;
  r.equity.ts = {at("2024-01-01"), at("2024-01-02"), at("2024-01-03")};
  r.equity.equity = {100, 120, 90};
  const Metrics m = compute(r);
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownPct], -25);
  EXPECT_DOUBLE_EQ(m[M::kAvgDrawdownPct], -25);     // as backtesting.py (mean of non-zero drawdowns)
  EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownDuration], 1);  // documented deviation: the one-bar episode
}

TEST(Metrics, WeeklyBarsAnnualizeWeeklyReturns) {
  RunRecord r;
  double e = 1000;
  for (int i = 0; i < 60; ++i) {
    r.equity.ts.push_back(at("2021-01-03") + i * 7 * kNanosPerDay);  // Sundays
    r.equity.equity.push_back(e);
    e *= i % 3 == 0 ? 0.98 : 1.02;
  }
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kPeriodsPerYear], 52);
  const double final_ratio = r.equity.equity.back() / r.equity.equity.front();
  EXPECT_NEAR(m[M::kReturnAnnPct], (std::pow(final_ratio, 52.0 / 60) - 1) * 100, 1e-9);
}

TEST(Metrics, PeriodsPerYearOverride) {
  RunRecord r = hand_record();
  r.periods_per_year = 365;
  const Metrics m = compute(r);
  EXPECT_EQ(m[M::kPeriodsPerYear], 365);
  EXPECT_NEAR(m[M::kReturnAnnPct], (std::pow(1.14, 365.0 / 6) - 1) * 100, 1e-6 * m[M::kReturnAnnPct]);
  r.periods_per_year = -1;
  EXPECT_FALSE(compute_metrics(r).ok());
}

TEST(Metrics, RejectsInconsistentRecords) {
  RunRecord empty;
  Result<Metrics> m = compute_metrics(empty);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("no bars"), std::string::npos);

  RunRecord r = hand_record();
  r.equity.equity.pop_back();
  m = compute_metrics(r);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("equity has 5 values but ts has 6"), std::string::npos);

  r = hand_record();
  r.benchmark_close.push_back(1);
  EXPECT_FALSE(compute_metrics(r).ok());

  r = hand_record();
  r.trades[1].exit_bar = 6;
  m = compute_metrics(r);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("trade 1"), std::string::npos);
}

TEST(Metrics, RequestedSubsetEqualsFullComputation) {
  const RunRecord r = hand_record();
  const Metrics full = compute(r);
  for (const MetricInfo& info : metric_catalog()) {
    MetricsOptions o;
    o.requested = MetricSet::of({info.id});
    const Metrics one = compute(r, o);
    EXPECT_TRUE(one.computed(info.id)) << info.key;
    EXPECT_EQ(one.computed_set(), o.requested) << info.key;
    const double a = one[info.id], b = full[info.id];
    EXPECT_TRUE((std::isnan(a) && std::isnan(b)) || a == b) << info.key << ": " << a << " vs " << b;
  }
}

TEST(Metrics, WorkspaceReuseGivesIdenticalResults) {
  MetricsWorkspace ws;
  const RunRecord a = hand_record();
  RunRecord b = hand_record();
  b.equity.equity = {100, 90, 95, 80, 85, 120};
  const std::string ja = compute_metrics(a, {}, &ws).value().to_json();
  const std::string jb = compute_metrics(b, {}, &ws).value().to_json();
  EXPECT_NE(ja, jb);
  EXPECT_EQ(compute_metrics(a, {}, &ws).value().to_json(), ja);
  EXPECT_EQ(compute_metrics(a).value().to_json(), ja);
}

TEST(Metrics, WorkspaceNoticesAChangedBenchmark) {
  MetricsWorkspace ws;
  RunRecord a = hand_record();
  const double beta_a = compute_metrics(a, {}, &ws).value()[M::kBeta];
  a.benchmark_close[3] = 19;  // same size, one value differs
  const double beta_b = compute_metrics(a, {}, &ws).value()[M::kBeta];
  EXPECT_NE(beta_a, beta_b);
  EXPECT_EQ(beta_b, compute_metrics(a).value()[M::kBeta]);
}

TEST(Metrics, JsonViewIsOrderedAndWritesNullForUndefined) {
  RunRecord r = hand_record();
  r.trades.clear();
  const Metrics m = compute(r);
  const auto items = m.items();
  ASSERT_EQ(items.size(), kMetricCount);
  for (std::size_t i = 0; i < kMetricCount; ++i) EXPECT_EQ(items[i].first, metric_catalog()[i].key);
  const std::string json = m.to_json();
  EXPECT_EQ(json.rfind("{\"final_equity\":114,\"equity_peak\":120,\"total_return_pct\":14", 0), 0u) << json;
  EXPECT_NE(json.find("\"num_trades\":0,"), std::string::npos);
  EXPECT_NE(json.find("\"win_rate_pct\":null"), std::string::npos);
  EXPECT_NE(json.find("\"num_bars\":6,"), std::string::npos);
  EXPECT_EQ(json.find("nan"), std::string::npos);
  EXPECT_EQ(json.find("inf"), std::string::npos);
  EXPECT_EQ(json.back(), '}');
}

TEST(Metrics, CatalogKeysAreUniqueSnakeCaseAndCoverTheIssueList) {
  std::map<std::string_view, int> seen;
  for (const MetricInfo& info : metric_catalog()) {
    EXPECT_EQ(seen[info.key]++, 0) << info.key;
    for (const char c : info.key)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << info.key;
    EXPECT_EQ(metric_from_key(info.key), info.id);
  }
  for (const char* key : {"final_equity",
                          "total_return_pct",
                          "cagr_pct",
                          "return_ann_pct",
                          "volatility_ann_pct",
                          "sharpe_ratio",
                          "sortino_ratio",
                          "calmar_ratio",
                          "omega_ratio",
                          "max_drawdown_pct",
                          "max_drawdown_duration",
                          "avg_drawdown_pct",
                          "var_95_pct",
                          "cvar_95_pct",
                          "skew",
                          "kurtosis",
                          "exposure_pct",
                          "num_trades",
                          "win_rate_pct",
                          "best_trade_pct",
                          "worst_trade_pct",
                          "avg_trade_pct",
                          "avg_win",
                          "avg_loss",
                          "profit_factor",
                          "expectancy",
                          "sqn",
                          "kelly_criterion",
                          "payoff_ratio",
                          "recovery_factor",
                          "ulcer_index",
                          "tail_ratio",
                          "alpha",
                          "beta",
                          "buy_hold_return_pct",
                          "commissions",
                          "max_consecutive_wins",
                          "max_consecutive_losses",
                          "avg_trade_duration",
                          "max_trade_duration"}) {
    EXPECT_TRUE(metric_from_key(key).has_value()) << key;
  }
  EXPECT_FALSE(metric_from_key("sharpe").has_value());
}

TEST(Metrics, ParseMetricSet) {
  const Result<MetricSet> s = parse_metric_set("sharpe_ratio, max_drawdown_pct");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value(), MetricSet::of({M::kSharpeRatio, M::kMaxDrawdownPct}));
  const Result<MetricSet> bad = parse_metric_set("sharpe_ratio,sharpe");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("'sharpe'"), std::string::npos);
}

TEST(Metrics, FormatsValuesForPeople) {
  EXPECT_EQ(format_metric_value(M::kTotalReturnPct, 12.3456), "12.35%");
  EXPECT_EQ(format_metric_value(M::kNumTrades, 66), "66");
  EXPECT_EQ(format_metric_value(M::kMaxDrawdownDuration, 584), "584 d");
  EXPECT_EQ(format_metric_value(M::kSharpeRatio, kNaN), "n/a");
  EXPECT_EQ(format_metric_value(M::kSortinoRatio, INFINITY), "inf");
  EXPECT_EQ(format_metric_value(M::kMaxDrawdownPct, -0.0), "0.00%");
}

// --- Property test against a direct transcription of backtesting.py's compute_stats ----------

struct Reference {
  double max_dd_pct, avg_dd_pct, max_dur_days, avg_dur_days, ann_pct, vol_pct, sharpe, sortino;
};

// Written from the pandas operations of backtesting/_stats.py step by step (O(n^2) cummax,
// np.unique of zero positions, resample by calendar date string), not from metrics.cc.
Reference reference_stats(const std::vector<Timestamp>& ts, const std::vector<double>& eq, double P) {
  const std::size_t n = eq.size();
  std::vector<double> dd(n);
  for (std::size_t i = 0; i < n; ++i) {
    double peak = eq[0];
    for (std::size_t j = 0; j <= i; ++j) peak = std::max(peak, eq[j]);
    dd[i] = 1 - eq[i] / peak;
  }
  std::vector<std::size_t> iloc;
  for (std::size_t i = 0; i < n; ++i) {
    if (dd[i] == 0) iloc.push_back(i);
  }
  iloc.push_back(n - 1);
  std::sort(iloc.begin(), iloc.end());
  iloc.erase(std::unique(iloc.begin(), iloc.end()), iloc.end());
  std::vector<double> durations, peaks;
  for (std::size_t k = 1; k < iloc.size(); ++k) {
    if (iloc[k] > iloc[k - 1] + 1) {
      durations.push_back(static_cast<double>(ts[iloc[k]] - ts[iloc[k - 1]]) / kNanosPerDay);
      peaks.push_back(*std::max_element(dd.begin() + static_cast<long>(iloc[k - 1]),
                                        dd.begin() + static_cast<long>(iloc[k]) + 1));
    }
  }
  Reference out{};
  out.max_dd_pct = -*std::max_element(dd.begin(), dd.end()) * 100;
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? std::nan("") : s / static_cast<double>(v.size());
  };
  out.avg_dd_pct = -mean(peaks) * 100;
  out.max_dur_days = durations.empty() ? std::nan("") : *std::max_element(durations.begin(), durations.end());
  out.avg_dur_days = std::ceil(mean(durations) - 1e-9);
  // Daily resample: last equity per calendar date.
  std::map<std::string, double> daily;
  for (std::size_t i = 0; i < n; ++i) daily[format_date(ts[i])] = eq[i];
  std::vector<double> r;
  double prev = std::nan("");
  for (const auto& [date, v] : daily) {
    r.push_back(v / prev - 1);  // NaN for the first
    prev = v;
  }
  double prod = 1;
  for (double x : r) prod *= std::isnan(x) ? 1 : 1 + x;
  const double g = std::pow(prod, 1.0 / static_cast<double>(r.size())) - 1;
  std::vector<double> valid;
  for (double x : r) {
    if (!std::isnan(x)) valid.push_back(x);
  }
  const double mu = mean(valid);
  double var = 0;
  for (double x : valid) var += (x - mu) * (x - mu);
  var /= static_cast<double>(valid.size() - 1);
  const double ann = std::pow(1 + g, P) - 1;
  out.ann_pct = ann * 100;
  out.vol_pct = std::sqrt(std::pow(var + (1 + g) * (1 + g), P) - std::pow(1 + g, 2 * P)) * 100;
  out.sharpe = out.ann_pct / out.vol_pct;
  double down = 0;
  for (double x : valid) down += std::min(x, 0.0) * std::min(x, 0.0);
  out.sortino = ann / (std::sqrt(down / static_cast<double>(valid.size())) * std::sqrt(P));
  return out;
}

TEST(Metrics, MatchesBacktestingPyTranscriptionOnRandomCurves) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0.0003, 0.01);
  std::uniform_int_distribution<int> hours(1, 30);
  for (int trial = 0; trial < 40; ++trial) {
    RunRecord r;
    Timestamp t = at("2020-03-02");
    double e = 10000;
    const int n = 50 + trial * 7;
    const bool intraday = trial % 2 == 1;
    for (int i = 0; i < n; ++i) {
      r.equity.ts.push_back(t);
      r.equity.equity.push_back(e);
      e *= 1 + step(rng) * (intraday ? 0.3 : 1);
      if (trial % 5 == 0 && i % 17 == 0) e = r.equity.equity.back();  // exact returns to a peak
      t += intraday ? hours(rng) * kNanosPerHour / 4 : kNanosPerDay * (weekday(t) == 4 ? 3 : 1);
    }
    const Metrics m = compute(r);
    const Reference ref = reference_stats(r.equity.ts, r.equity.equity, m[M::kPeriodsPerYear]);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_NEAR(m[M::kMaxDrawdownPct], ref.max_dd_pct, 1e-12);
    EXPECT_NEAR(m[M::kAvgDrawdownPct], ref.avg_dd_pct, 1e-12);
    if (!intraday) {
      EXPECT_DOUBLE_EQ(m[M::kMaxDrawdownDuration], ref.max_dur_days);
      EXPECT_DOUBLE_EQ(m[M::kAvgDrawdownDuration], ref.avg_dur_days);
    }
    EXPECT_NEAR(m[M::kReturnAnnPct], ref.ann_pct, 1e-9 * std::max(1.0, std::fabs(ref.ann_pct)));
    EXPECT_NEAR(m[M::kVolatilityAnnPct], ref.vol_pct, 1e-9 * ref.vol_pct);
    EXPECT_NEAR(m[M::kSharpeRatio], ref.sharpe, 1e-9);
    EXPECT_NEAR(m[M::kSortinoRatio], ref.sortino, 1e-9 * std::max(1.0, std::fabs(ref.sortino)));
  }
}

// numpy.percentile (linear) by sorting: the reference for the selection by bounded heaps.
double sorted_percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto k = static_cast<std::size_t>(std::floor(pos));
  if (k + 1 >= v.size()) return v[k];
  return v[k] + (v[k + 1] - v[k]) * (pos - static_cast<double>(k));
}

TEST(Metrics, TailPercentilesEqualASortOfTheReturns) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::uniform_int_distribution<int> size_d(2, 700), coin(0, 3);
  for (int trial = 0; trial < 300; ++trial) {
    RunRecord r;
    r.initial_cash = 100;
    const int n = size_d(rng);
    double e = 100;
    std::vector<double> returns;
    for (int i = 0; i < n; ++i) {
      r.equity.ts.push_back(at("2021-01-04") + static_cast<Timestamp>(i) * kNanosPerDay);
      const double before = e;
      // Flat stretches (exact zero returns, many ties) and repeated values, as a strategy's curve has.
      if (coin(rng) != 0) e *= 1 + (coin(rng) == 1 ? 0.01 : noise(rng));
      r.equity.equity.push_back(e);
      if (i > 0) returns.push_back(e / before - 1);
    }
    r.periods_per_year = 252;
    MetricsOptions o;
    o.requested = MetricSet::of({M::kVar95Pct, M::kCvar95Pct, M::kTailRatio});
    auto m = compute_metrics(r, o);
    ASSERT_TRUE(m.ok());
    const double p5 = sorted_percentile(returns, 0.05);
    const double p95 = sorted_percentile(returns, 0.95);
    EXPECT_EQ((*m)[M::kVar95Pct], p5 * 100) << "n " << n;
    if (p5 != 0) {
      EXPECT_EQ((*m)[M::kTailRatio], std::fabs(p95) / std::fabs(p5)) << "n " << n;
    } else {
      EXPECT_TRUE(std::isnan((*m)[M::kTailRatio])) << "n " << n;
    }
    double tail = 0;
    int count = 0;
    for (const double x : returns) {
      if (x <= p5) {
        tail += x;
        ++count;
      }
    }
    EXPECT_EQ((*m)[M::kCvar95Pct], tail / count * 100) << "n " << n;
  }
}

TEST(Metrics, SharedContextGivesTheSameBitsAsAFullRecord) {
  // Daily bars with weekends closed (one bar per period) and 4-hour bars (several per period).
  for (const Timestamp step : {kNanosPerDay, 4 * kNanosPerHour}) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> noise(0.0, 0.01);
    RunRecord full;
    full.initial_cash = 1000;
    double e = 1000, c = 50;
    Timestamp t = at("2020-01-06");
    for (int i = 0; i < 900; ++i) {
      full.equity.ts.push_back(t);
      t += step;
      if (step == kNanosPerDay && (i % 5) == 4) t += 2 * kNanosPerDay;  // skip the weekend
      c *= 1 + noise(rng);
      if (i % 7 < 4) e *= 1 + noise(rng);
      full.equity.equity.push_back(e);
      full.benchmark_close.push_back(c);
    }
    full.trades.push_back(trade(Side::kLong, 2, 10, 40, 50, 55, 0.1, full.equity.ts));
    full.warmup_bars = 9;
    const MetricsContext ctx = MetricsContext::make(full.equity.ts, full.benchmark_close);
    EXPECT_EQ(ctx.one_bar_per_period(), step == kNanosPerDay);
    RunRecord shared = full;
    shared.equity.ts.clear();
    shared.benchmark_close.clear();
    MetricsOptions with;
    with.context = &ctx;
    MetricsWorkspace ws;
    auto a = compute_metrics(full, {});
    auto b = compute_metrics(shared, with, &ws);
    auto b2 = compute_metrics(full, with);  // the context's series passed in the record too
    ASSERT_TRUE(a.ok() && b.ok() && b2.ok());
    for (const MetricInfo& info : metric_catalog()) {
      const double x = (*a)[info.id], y = (*b)[info.id], z = (*b2)[info.id];
      if (std::isnan(x)) {
        EXPECT_TRUE(std::isnan(y) && std::isnan(z)) << info.key;
      } else {
        EXPECT_EQ(x, y) << info.key;
        EXPECT_EQ(x, z) << info.key;
      }
    }
    EXPECT_FALSE(ws.period_returns().empty());
    // Without the context a record without timestamps is refused.
    EXPECT_FALSE(compute_metrics(shared, {}).ok());
  }
}

}  // namespace
}  // namespace tradeloop::analytics
