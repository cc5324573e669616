#include "tradeloop/optimize/objective.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tradeloop/optimize/trial.h"

namespace tradeloop::optimize {
namespace {

TEST(Objective, DefaultsToMaximizingSharpe) {
  const Objective o;
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o.term(0).metric, "sharpe_ratio");
  const auto s = o.score({{"sharpe_ratio", 1.25}});
  EXPECT_TRUE(s.rejected_reason.empty());
  EXPECT_EQ(s.values[0], 1.25);
  EXPECT_EQ(s.utilities[0], 1.25);
}

TEST(Objective, DrawdownIsMinimizedByMagnitudeWhateverItsSign) {
  auto o = Objective::parse("max_drawdown_pct");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->term(0).direction, Direction::kMinimize);
  EXPECT_GT(o->utility(0, -10), o->utility(0, -30));
  EXPECT_GT(o->utility(0, 10), o->utility(0, 30));
  EXPECT_EQ(o->utility(0, -10), o->utility(0, 10));
  // Reported value stays the metric's own.
  EXPECT_EQ(o->score({{"max_drawdown_pct", -12.5}}).values[0], -12.5);
}

TEST(Objective, ExplicitDirectionPrefixes) {
  auto o = Objective::parse("min:total_return_pct");
  ASSERT_TRUE(o.ok());
  EXPECT_GT(o->utility(0, 1), o->utility(0, 5));
  auto m = Objective::parse("max:volatility_ann_pct");
  ASSERT_TRUE(m.ok());
  EXPECT_GT(m->utility(0, 5), m->utility(0, 1));
}

TEST(Objective, CompositeIsWeightedSumMinusDrawdownPenalty) {
  auto o = Objective::parse("composite");
  ASSERT_TRUE(o.ok());
  // 1 * 1.5 - 0.05 * max(0, 25 - 10) = 0.75
  auto s = o->score({{"sharpe_ratio", 1.5}, {"max_drawdown_pct", -25}});
  EXPECT_DOUBLE_EQ(s.values[0], 0.75);
  // Below the threshold there is no penalty.
  s = o->score({{"sharpe_ratio", 1.5}, {"max_drawdown_pct", -8}});
  EXPECT_DOUBLE_EQ(s.values[0], 1.5);

  auto custom =
      Objective::parse("composite:sortino_ratio=1,total_return_pct=0.01,dd_penalty=0.1,dd_threshold=20");
  ASSERT_TRUE(custom.ok()) << custom.error().message();
  s = custom->score({{"sortino_ratio", 2}, {"total_return_pct", 50}, {"max_drawdown_pct", -30}});
  EXPECT_DOUBLE_EQ(s.values[0], 2 + 0.5 - 0.1 * 10);
  EXPECT_NE(custom->describe().find("0.1*max(0, |max_drawdown_pct| - 20)"), std::string::npos);
}

TEST(Objective, SeveralObjectivesForNsga2) {
  auto o = Objective::parse("sharpe_ratio,max_drawdown_pct");
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->size(), 2u);
  const auto s = o->score({{"sharpe_ratio", 1}, {"max_drawdown_pct", -20}});
  EXPECT_EQ(s.utilities[0], 1);
  EXPECT_EQ(s.utilities[1], -20);
}

TEST(Objective, ConstraintsRejectWithAReason) {
  Objective o;
  o.set_constraints(Constraints{5.0, 20.0});
  auto s = o.score({{"sharpe_ratio", 2}, {"num_trades", 3}, {"max_drawdown_pct", -10}});
  EXPECT_EQ(s.rejected_reason, "num_trades 3 is below --min-trades 5");
  EXPECT_TRUE(std::isinf(s.utilities[0]) && s.utilities[0] < 0);
  EXPECT_EQ(s.values[0], 2);  // still reported
  s = o.score({{"sharpe_ratio", 2}, {"num_trades", 9}, {"max_drawdown_pct", -34.2}});
  EXPECT_EQ(s.rejected_reason, "max_drawdown_pct -34.2 exceeds --max-drawdown 20");
  s = o.score({{"sharpe_ratio", 2}, {"num_trades", 9}, {"max_drawdown_pct", -19.9}});
  EXPECT_TRUE(s.rejected_reason.empty());
}

TEST(Objective, MissingOrNanMetricRejects) {
  const Objective o;
  EXPECT_EQ(o.score({{"total_return_pct", 3}}).rejected_reason, "metric 'sharpe_ratio' is missing");
  EXPECT_EQ(o.score({{"sharpe_ratio", std::nan("")}}).rejected_reason,
            "objective 'sharpe_ratio' is not a number");
}

TEST(Objective, RefusesMalformedText) {
  for (const char* bad :
       {"", "sharpe ratio", "composite,sharpe_ratio", "composite:sharpe_ratio", "composite:sharpe_ratio=x",
        "sharpe_ratio,sharpe_ratio", "composite:dd_penalty=-1"}) {
    EXPECT_FALSE(Objective::parse(bad).ok()) << bad;
  }
}

TEST(Objective, CanonicalIncludesConstraints) {
  Objective a, b;
  b.set_constraints(Constraints{5.0, std::nullopt});
  EXPECT_NE(a.canonical(), b.canonical());
}

TEST(Trial, RejectedByEvaluatorOrConstraintNeverBest) {
  Objective o;
  o.set_constraints(Constraints{2.0, std::nullopt});
  std::vector<Trial> trials;
  Evaluation e1;
  e1.metrics = {{"sharpe_ratio", 5}, {"num_trades", 1}};
  trials.push_back(make_trial(0, {1}, e1, o));
  Evaluation e2;
  e2.metrics = {{"sharpe_ratio", 1}, {"num_trades", 4}};
  trials.push_back(make_trial(1, {2}, e2, o));
  Evaluation e3;
  e3.metrics = {{"sharpe_ratio", 9}, {"num_trades", 4}};
  e3.rejected_reason = "fast must be below slow";
  trials.push_back(make_trial(2, {3}, e3, o));
  EXPECT_FALSE(trials[0].ok());
  EXPECT_EQ(trials[2].reason, "fast must be below slow");
  EXPECT_EQ(best_trial(trials), 1);
}

TEST(Trial, SerializationRoundTripsBitForBit) {
  Trial t;
  t.index = 17;
  t.params = {5, 0.1 + 0.2, 2};
  t.status = TrialStatus::kRejected;
  t.reason = "why";
  t.values = {1.0 / 3, -0.0};
  t.utilities = {-INFINITY, 2};
  t.eval.metrics = {{"a", 1e-300}, {"b", NAN}};
  t.eval.stats = summarize_returns(std::vector<double>{0.01, -0.02, 0.005, 0.0}, 2);
  t.eval.returns = {0.1, 0.2};
  std::string bytes;
  serialize_trial(t, bytes);
  std::string_view in(bytes);
  auto back = deserialize_trial(in);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(back->index, 17u);
  EXPECT_EQ(back->params, t.params);
  EXPECT_EQ(back->reason, "why");
  EXPECT_EQ(back->values[0], 1.0 / 3);
  EXPECT_TRUE(std::signbit(back->values[1]));
  EXPECT_EQ(back->eval.metrics.at("a"), 1e-300);
  EXPECT_TRUE(std::isnan(back->eval.metrics.at("b")));
  EXPECT_EQ(back->eval.stats.blocks.size(), 2u);
  EXPECT_EQ(back->eval.stats.blocks[1].sum, t.eval.stats.blocks[1].sum);
  EXPECT_EQ(back->eval.returns, t.eval.returns);
  std::string_view truncated(bytes.data(), bytes.size() - 3);
  EXPECT_FALSE(deserialize_trial(truncated).ok());
}

}  // namespace
}  // namespace tradeloop::optimize
