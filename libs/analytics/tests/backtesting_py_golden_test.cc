// Golden: our metrics on backtesting.py's own SmaCross run over GOOG equal the statistics
// backtesting.py 0.6 publishes for it (backtesting/test/_test.py, test_compute_stats, with
// SmaCross(fast=10, slow=30), cash 10000, no commission, finalize_trades=True).
//
// The run record comes from a reference simulation of backtesting.py's broker for exactly this
// case, written here (market orders at the next open, all-in integer sizing with the
// 1 - epsilon fraction and Python's float floor division, position.close() then buy()/sell(),
// open trades closed at the last bar's open when finalizing). The simulation is validated by the
// same published numbers: final equity to the cent and the 66 trades.
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backtesting_py_reference.h"
#include "tradeloop/analytics/metrics.h"

namespace tradeloop::analytics {
namespace {

using M = Metric;
using testing::Bars;
using testing::load_goog;
using testing::simulate_backtesting_py_sma_cross;

std::string fmt_double(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

TEST(BacktestingPyGolden, SmaCrossOnGoogMatchesPublishedStatistics) {
  const Bars bars = load_goog();
  ASSERT_EQ(bars.close.size(), 2148u);
  const RunRecord run = simulate_backtesting_py_sma_cross(bars, 10, 30);
  ASSERT_EQ(run.trades.size(), 66u);
  const Metrics m = compute_metrics(run).value();

  // backtesting.py compares with np.isclose(rtol=1e-8); so do we.
  auto close = [](double actual, double expected) {
    return std::fabs(actual - expected) <= 1e-8 * std::fabs(expected) + 1e-8;
  };
  const std::vector<std::pair<Metric, double>> expected = {
      {M::kNumTrades, 66},
      {M::kAvgDrawdownDuration, 41},
      {M::kAvgDrawdownPct, -5.925851581948801},
      {M::kAvgTradeDuration, 46},
      {M::kAvgTradePct, 2.531715975158555},
      {M::kBestTradePct, 53.59595229490424},
      {M::kBuyHoldReturnPct, 522.0601851851852},
      {M::kCalmarRatio, 0.4414380935608377},
      {M::kDurationDays, 3116},
      {M::kFinalEquity, 51422.98999999996},
      {M::kEquityPeak, 75787.44},
      {M::kExpectancy, 3.2748078066748834},
      {M::kExposurePct, 96.74115456238361},
      {M::kMaxDrawdownDuration, 584},
      {M::kMaxDrawdownPct, -47.98012705007589},
      {M::kMaxTradeDuration, 183},
      {M::kProfitFactor, 2.167945974262033},
      {M::kReturnAnnPct, 21.180255813792282},
      {M::kTotalReturnPct, 414.2298999999996},
      {M::kVolatilityAnnPct, 36.49390889140787},
      {M::kCagrPct, 14.159843619607383},
      {M::kSqn, 1.0766187356697705},
      {M::kKellyCriterion, 0.1518705127029717},
      {M::kSharpeRatio, 0.5803778344714113},
      {M::kSortinoRatio, 1.0847880675854096},
      {M::kWinRatePct, 46.96969696969697},
      {M::kWorstTradePct, -18.39887353835481},
      {M::kAlpha, 394.37391142027462},
      {M::kBeta, 0.03803390709192},
      {M::kCommissions, 0},
  };
  for (const auto& [metric, value] : expected) {
    EXPECT_TRUE(close(m[metric], value)) << metric_key(metric) << ": ours " << fmt_double(m[metric])
                                         << ", backtesting.py " << fmt_double(value);
  }
}

}  // namespace
}  // namespace tradeloop::analytics
