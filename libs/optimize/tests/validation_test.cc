#include "tradeloop/optimize/validation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_evaluators.h"

namespace tradeloop::optimize {
namespace {

using testing::ReturnsEvaluator;

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) EXPECT_TRUE(space.add(*parse_param(a)).ok()) << a;
  return space;
}

// Noise seeded by (point, bar) plus a drift that depends on the parameter.
double noise(const ParamPoint& p, std::size_t bar) {
  Rng rng(static_cast<std::uint64_t>(p[0] * 1000 + 7) * 0x9E3779B97F4A7C15ULL ^ bar, 1);
  return 0.01 * rng.normal();
}

TEST(Validation, HoldoutPicksOnTrainAndShowsTheDegradationOnTest) {
  // Parameter 1 earns in the first half and loses in the second; parameter 0 the reverse (weaker).
  const std::size_t n = 1000;
  ReturnsEvaluator ev(
      [&](const ParamPoint& p, std::size_t bar) {
        const bool first_half = bar < n / 2;
        const double drift = p[0] == 1 ? (first_half ? 0.004 : -0.004) : (first_half ? -0.001 : 0.001);
        return drift + noise(p, bar);
      },
      n);
  ValidateOptions o;
  o.scheme.scheme = Scheme::kHoldout;
  o.scheme.train_fraction = 0.5;
  auto r = validate(ev, space_of({"side=0:1"}), o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->folds.size(), 1u);
  const FoldReport& f = r->folds[0];
  ASSERT_TRUE(f.has_best);
  EXPECT_EQ(f.best, (ParamPoint{1}));
  EXPECT_GT(f.is_value, 3);
  EXPECT_LT(f.oos_value, -3);
  EXPECT_DOUBLE_EQ(f.degradation, f.is_value - f.oos_value);
  EXPECT_GT(f.degradation_pct, 100);
  EXPECT_EQ(f.is_metrics.at("sharpe_ratio"), f.is_value);
  // The out-of-sample run is the test half traded alone.
  EXPECT_EQ(r->oos_stats.count, n / 2 - 1);
  EXPECT_EQ(r->oos_metrics.at("sharpe_ratio"), f.oos_value);
  EXPECT_LT(r->oos_probabilistic_sharpe, 0.01);
}

TEST(Validation, WalkForwardStitchesEveryTestWindowInOrder) {
  const std::size_t n = 2000;
  ReturnsEvaluator ev([](const ParamPoint& p, std::size_t bar) { return 0.001 * (p[0] - 5) + noise(p, bar); },
                      n);
  ValidateOptions o;
  o.scheme.scheme = Scheme::kWalkForward;
  o.scheme.folds = 4;
  o.scheme.train_ratio = 2;
  o.optimize.jobs = 2;
  auto r = validate(ev, space_of({"p=1:9"}), o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->folds.size(), 4u);
  std::vector<double> expected;
  std::size_t trials = 0;
  for (const FoldReport& f : r->folds) {
    ASSERT_TRUE(f.has_best);
    EXPECT_EQ(f.trials, 9u);
    trials += f.trials;
    ASSERT_EQ(f.oos_blocks.size(), 1u);
    expected.insert(expected.end(), f.oos_blocks[0].returns.begin(), f.oos_blocks[0].returns.end());
    EXPECT_TRUE(f.stability.valid);
  }
  EXPECT_EQ(r->total_trials, trials);
  EXPECT_EQ(r->oos_returns, expected);
  EXPECT_EQ(r->candidates.size(), 9u);
  ASSERT_GE(r->full_best, 0);
  EXPECT_EQ(r->candidates[static_cast<std::size_t>(r->full_best)].params, (ParamPoint{9}));
  EXPECT_TRUE(r->deflated_sharpe.valid);
  EXPECT_EQ(r->deflated_sharpe.trials, 9);
  EXPECT_TRUE(r->pbo.valid);
  EXPECT_EQ(r->pbo.strategies, 9u);
}

TEST(Validation, CpcvReportsEveryPath) {
  const std::size_t n = 1200;
  ReturnsEvaluator ev([](const ParamPoint& p, std::size_t bar) { return 0.0001 * p[0] + noise(p, bar); }, n);
  ValidateOptions o;
  o.scheme.scheme = Scheme::kCpcv;
  o.scheme.folds = 6;
  o.scheme.test_groups = 2;
  o.scheme.embargo = 10;
  o.scheme.purge = 10;
  auto r = validate(ev, space_of({"p=1:4"}), o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->folds.size(), 15u);
  ASSERT_EQ(r->paths.size(), 5u);
  double mean = 0;
  for (const PathReport& p : r->paths) {
    EXPECT_EQ(p.folds.size(), 6u);
    // A path covers every group: 6 test blocks of 200 bars, 199 returns each.
    EXPECT_EQ(p.metrics.at("bars"), 6 * 199 + 1);
    mean += p.metrics.at("sharpe_ratio") / 5;
  }
  EXPECT_NEAR(r->oos_metrics.at("sharpe_ratio"), mean, 1e-12);
}

TEST(Validation, IdenticalForAnyNumberOfThreads) {
  const std::size_t n = 900;
  ReturnsEvaluator ev(
      [](const ParamPoint& p, std::size_t bar) { return 0.0001 * p[0] - 0.00001 * p[1] + noise(p, bar); }, n);
  ValidateOptions o;
  o.scheme.scheme = Scheme::kPurged;
  o.scheme.folds = 3;
  o.scheme.embargo = 9;
  o.scheme.purge = 9;
  o.optimize.search.method = Method::kRandom;
  o.optimize.search.trials = 12;
  o.optimize.search.seed = 4;
  ParamSpace space = space_of({"a=1:20", "b=1:20"});
  o.optimize.jobs = 1;
  auto one = validate(ev, space, o);
  o.optimize.jobs = 2;
  auto two = validate(ev, space, o);
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_EQ(one->folds.size(), two->folds.size());
  for (std::size_t i = 0; i < one->folds.size(); ++i) {
    EXPECT_EQ(one->folds[i].best, two->folds[i].best);
    EXPECT_EQ(one->folds[i].oos_value, two->folds[i].oos_value);
  }
  EXPECT_EQ(one->oos_metrics, two->oos_metrics);
  EXPECT_EQ(one->pbo.probability, two->pbo.probability);
  EXPECT_EQ(one->deflated_sharpe.probability, two->deflated_sharpe.probability);
}

}  // namespace
}  // namespace tradeloop::optimize
