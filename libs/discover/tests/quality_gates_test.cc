#include "tradeloop/discover/quality_gates.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace tradeloop::discover {
namespace {

Metrics passing_metrics() {
  return {{"num_trades", 40},       {"sharpe_ratio", 2.0},     {"max_drawdown_pct", -6.0},
          {"win_rate_pct", 65.0},   {"deflated_sharpe", 0.99}, {"trials", 10},
          {"effective_trials", 4},  {"oos_sharpe_ratio", 1.6}, {"oos_degradation", 0.2},
          {"max_correlation", 0.3}, {"correlated_with", 7}};
}

TEST(QualityGates, IntradayDefaultsAreTheSeedDocumentsValues) {
  const QualityGates g = QualityGates::defaults_for(FrequencyClass::kIntraday);
  EXPECT_DOUBLE_EQ(g.min_sharpe_ratio, 1.5);
  EXPECT_DOUBLE_EQ(g.max_drawdown, 0.10);
  EXPECT_DOUBLE_EQ(g.min_win_rate, 0.60);
  EXPECT_DOUBLE_EQ(g.min_deflated_sharpe, 0.95);
  EXPECT_DOUBLE_EQ(g.max_correlation, 0.9);
  const QualityGates d = QualityGates::defaults_for(FrequencyClass::kDaily);
  EXPECT_GT(d.max_drawdown, g.max_drawdown);
  EXPECT_LT(d.min_trades, g.min_trades);
}

TEST(QualityGates, ClassifiesTimeframesByBarLength) {
  EXPECT_EQ(classify_timeframe(*Timeframe::parse("5m")), FrequencyClass::kIntraday);
  EXPECT_EQ(classify_timeframe(*Timeframe::parse("1h")), FrequencyClass::kIntraday);
  EXPECT_EQ(classify_timeframe(*Timeframe::parse("1d")), FrequencyClass::kDaily);
  EXPECT_EQ(classify_timeframe(*Timeframe::parse("1w")), FrequencyClass::kWeekly);
  EXPECT_EQ(classify_timeframe(*Timeframe::parse("1M")), FrequencyClass::kWeekly);
}

TEST(QualityGates, AcceptsWhenEveryGatePasses) {
  EXPECT_TRUE(check_gates(QualityGates::defaults_for(FrequencyClass::kIntraday), passing_metrics()).empty());
}

TEST(QualityGates, ListsEveryFailedGateNotJustTheFirst) {
  Metrics m = passing_metrics();
  m["num_trades"] = 5;
  m["sharpe_ratio"] = 0.7;
  m["max_drawdown_pct"] = -14.5;
  m["win_rate_pct"] = 41;
  m["deflated_sharpe"] = 0.5;
  m["oos_sharpe_ratio"] = -0.2;
  m["oos_degradation"] = 1.3;
  m["max_correlation"] = 0.95;
  const auto reasons = check_gates(QualityGates::defaults_for(FrequencyClass::kIntraday), m);
  ASSERT_EQ(reasons.size(), 8u);
  EXPECT_EQ(reasons[0], "num_trades 5 < min 30");
  EXPECT_EQ(reasons[1], "sharpe_ratio 0.7 < min 1.5");
  EXPECT_EQ(reasons[2], "max_drawdown_pct -14.5 < -10");
  EXPECT_EQ(reasons[3], "win_rate_pct 41 < min 60");
  EXPECT_EQ(reasons[4], "deflated_sharpe 0.5 < min 0.95 (10 trials, 4 independent)");
  EXPECT_EQ(reasons[5], "oos_sharpe_ratio -0.2 < min 0");
  EXPECT_NE(reasons[6].find("oos_degradation 1.3 > max 0.5"), std::string::npos);
  EXPECT_EQ(reasons[7], "duplicate: returns correlation 0.95 with strategy 7 > max 0.9");
}

TEST(QualityGates, MissingOrUndefinedMetricsFailTheirGates) {
  Metrics m = passing_metrics();
  m.erase("num_trades");
  m["sharpe_ratio"] = std::nan("");
  m.erase("oos_sharpe_ratio");
  const auto reasons = check_gates(QualityGates::defaults_for(FrequencyClass::kDaily), m);
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_NE(reasons[0].find("num_trades undefined"), std::string::npos);
  EXPECT_NE(reasons[1].find("sharpe_ratio undefined"), std::string::npos);
  EXPECT_NE(reasons[2].find("oos_sharpe_ratio undefined"), std::string::npos);
}

TEST(QualityGates, BoundaryValuesPass) {
  const QualityGates g = QualityGates::defaults_for(FrequencyClass::kIntraday);
  Metrics m = passing_metrics();
  m["num_trades"] = g.min_trades;
  m["sharpe_ratio"] = g.min_sharpe_ratio;
  m["max_drawdown_pct"] = -g.max_drawdown * 100;
  m["win_rate_pct"] = g.min_win_rate * 100;
  m["deflated_sharpe"] = g.min_deflated_sharpe;
  m["max_correlation"] = g.max_correlation;
  EXPECT_TRUE(check_gates(g, m).empty());
}

TEST(GateOverrides, FlatKeysApplyToEveryClassAndClassKeysWin) {
  auto o = GateOverrides::parse(
      R"({"min_sharpe_ratio": 2.0, "daily": {"min_sharpe_ratio": 0.9, "max_drawdown": 0.3}})", "gates.json");
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_DOUBLE_EQ(o->resolve(FrequencyClass::kIntraday).min_sharpe_ratio, 2.0);
  EXPECT_DOUBLE_EQ(o->resolve(FrequencyClass::kDaily).min_sharpe_ratio, 0.9);
  EXPECT_DOUBLE_EQ(o->resolve(FrequencyClass::kDaily).max_drawdown, 0.3);
  EXPECT_DOUBLE_EQ(o->resolve(FrequencyClass::kIntraday).max_drawdown, 0.10);
  // A flag set later wins over the file's flat value.
  ASSERT_TRUE(o->set("min_sharpe_ratio", 1.1, "--min-sharpe").ok());
  EXPECT_DOUBLE_EQ(o->resolve(FrequencyClass::kIntraday).min_sharpe_ratio, 1.1);
  // Round trip through the session config.
  auto again = GateOverrides::parse(o->to_json(), "session");
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(again->resolve(FrequencyClass::kDaily).max_drawdown, 0.3);
  EXPECT_DOUBLE_EQ(again->resolve(FrequencyClass::kIntraday).min_sharpe_ratio, 1.1);
}

TEST(GateOverrides, RefusesUnknownKeysAndValuesOutOfRange) {
  auto unknown = GateOverrides::parse(R"({"min_sharp": 1})", "gates.json");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("gates.json: unknown gate 'min_sharp'"), std::string::npos);
  auto range = GateOverrides::parse(R"({"max_drawdown": 10})", "gates.json");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message().find("'max_drawdown' = 10 is outside [0, 1]"), std::string::npos);
  EXPECT_FALSE(GateOverrides::parse(R"({"min_trades": "many"})", "g").ok());
  EXPECT_FALSE(GateOverrides::parse(R"([1,2])", "g").ok());
  EXPECT_FALSE(GateOverrides::parse(R"({"daily": {"nope": 1}})", "g").ok());
  EXPECT_FALSE(GateOverrides::load_file("/nonexistent/gates.json").ok());
}

TEST(QualityGatesFitness, RanksNearMissesAboveFarMissesAndIgnoresOutOfSample) {
  const QualityGates g = QualityGates::defaults_for(FrequencyClass::kIntraday);
  Metrics near = passing_metrics();
  near["win_rate_pct"] = 58;
  Metrics far = passing_metrics();
  far["win_rate_pct"] = 20;
  EXPECT_GT(fitness(g, near), fitness(g, far));
  Metrics oos_changed = near;
  oos_changed["oos_sharpe_ratio"] = -5;
  EXPECT_DOUBLE_EQ(fitness(g, near), fitness(g, oos_changed));
  Metrics broken;
  EXPECT_LE(fitness(g, broken), -1e8);
}

}  // namespace
}  // namespace tradeloop::discover
