#include "tradeloop/optimize/search_method.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "test_evaluators.h"
#include "tradeloop/optimize/optimizer.h"

namespace tradeloop::optimize {
namespace {

using testing::FunctionEvaluator;

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) EXPECT_TRUE(space.add(*parse_param(a)).ok()) << a;
  return space;
}

OptimizeOptions options_for(Method method, std::uint64_t trials, std::uint64_t seed, const char* objective) {
  OptimizeOptions o;
  o.search.method = method;
  o.search.trials = trials;
  o.search.seed = seed;
  o.objective = *Objective::parse(objective);
  o.jobs = 1;
  o.overfitting = false;
  o.stability = false;
  return o;
}

TEST(ParetoHelpers, NonDominatedSortAgreesWithPeelingByBruteForce) {
  Rng rng(4);
  for (const std::size_t objectives : {2u, 3u}) {
    std::vector<std::vector<double>> pts(80, std::vector<double>(objectives));
    for (auto& p : pts) {
      for (double& x : p) x = std::round(rng.uniform() * 10);  // ties on purpose
    }
    const auto fronts = non_dominated_sort(pts);
    // Brute force: repeatedly peel the points no remaining point dominates.
    std::vector<int> front_of(pts.size(), -1);
    std::set<std::size_t> remaining;
    for (std::size_t i = 0; i < pts.size(); ++i) remaining.insert(i);
    for (int f = 0; !remaining.empty(); ++f) {
      std::vector<std::size_t> layer;
      for (const std::size_t i : remaining) {
        bool dominated = false;
        for (const std::size_t j : remaining) dominated = dominated || dominates(pts[j], pts[i]);
        if (!dominated) layer.push_back(i);
      }
      for (const std::size_t i : layer) {
        front_of[i] = f;
        remaining.erase(i);
      }
    }
    std::size_t total = 0;
    for (std::size_t f = 0; f < fronts.size(); ++f) {
      for (const std::size_t i : fronts[f]) EXPECT_EQ(front_of[i], static_cast<int>(f));
      total += fronts[f].size();
    }
    EXPECT_EQ(total, pts.size());
  }
}

TEST(ParetoHelpers, CrowdingDistanceOfAnEvenlySpacedFront) {
  const std::vector<std::vector<double>> pts = {{0, 3}, {1, 2}, {2, 1}, {3, 0}};
  const auto d = crowding_distance(pts, {0, 1, 2, 3});
  EXPECT_TRUE(std::isinf(d[0]));
  EXPECT_TRUE(std::isinf(d[3]));
  EXPECT_DOUBLE_EQ(d[1], 4.0 / 3);
  EXPECT_DOUBLE_EQ(d[2], 4.0 / 3);
}

TEST(SearchMethod, ParsesMethodNames) {
  for (const char* name : {"grid", "random", "bayes", "genetic", "nsga2"}) {
    auto m = parse_method(name);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(method_name(*m), name);
  }
  auto bad = parse_method("annealing");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("grid, random, bayes, genetic, nsga2"), std::string::npos);
}

TEST(SearchMethod, GridVisitsEveryPointOnceInGridOrder) {
  const ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", p[0] - p[1]}};
  });
  auto r = optimize(ev, space, options_for(Method::kGrid, 0, 0, "sharpe_ratio"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->trials.size(), 60u);
  for (std::size_t i = 0; i < 60; ++i) EXPECT_EQ(r->trials[i].params, space.grid_point(i));
  EXPECT_EQ(r->trials[static_cast<std::size_t>(r->best)].params, (ParamPoint{25, 10}));
}

TEST(SearchMethod, RandomIsDistinctAndDeterministicPerSeed) {
  const ParamSpace space = space_of({"a=1:100", "b=1:100"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", p[0]}};
  });
  auto r1 = optimize(ev, space, options_for(Method::kRandom, 300, 5, "sharpe_ratio"));
  auto r2 = optimize(ev, space, options_for(Method::kRandom, 300, 5, "sharpe_ratio"));
  auto r3 = optimize(ev, space, options_for(Method::kRandom, 300, 6, "sharpe_ratio"));
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  ASSERT_EQ(r1->trials.size(), 300u);
  std::set<std::string> keys;
  bool differs = false;
  for (std::size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(r1->trials[i].params, r2->trials[i].params);
    differs = differs || r1->trials[i].params != r3->trials[i].params;
    keys.insert(space.key(r1->trials[i].params));
  }
  EXPECT_EQ(keys.size(), 300u);
  EXPECT_TRUE(differs);
}

TEST(SearchMethod, RandomOnASmallSpaceCoversItWithoutRepeats) {
  const ParamSpace space = space_of({"a=1:5", "b=x,y"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", p[0]}};
  });
  auto r = optimize(ev, space, options_for(Method::kRandom, 100, 1, "sharpe_ratio"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->trials.size(), 10u);
}

// Smooth concave function with its maximum at (0.7, 0.2) on [0, 1]^2.
std::map<std::string, double> bowl(const ParamPoint& p) {
  const double v = -((p[0] - 0.7) * (p[0] - 0.7) + (p[1] - 0.2) * (p[1] - 0.2));
  return {{"sharpe_ratio", v}};
}

TEST(SearchMethod, BayesFindsTheOptimumOfASmoothFunctionFasterThanRandom) {
  const ParamSpace space = space_of({"x=0.0:1.0", "y=0.0:1.0"});
  FunctionEvaluator ev(bowl);
  double regret_bayes = 0, regret_random = 0;
  const int seeds = 8;
  for (int seed = 0; seed < seeds; ++seed) {
    auto b = optimize(ev, space,
                      options_for(Method::kBayes, 25, static_cast<std::uint64_t>(seed), "sharpe_ratio"));
    auto r = optimize(ev, space,
                      options_for(Method::kRandom, 25, static_cast<std::uint64_t>(seed), "sharpe_ratio"));
    ASSERT_TRUE(b.ok()) << b.error().message();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(b->trials.size(), 25u);
    regret_bayes += -b->trials[static_cast<std::size_t>(b->best)].value();
    regret_random += -r->trials[static_cast<std::size_t>(r->best)].value();
  }
  regret_bayes /= seeds;
  regret_random /= seeds;
  EXPECT_LT(regret_bayes, regret_random / 5) << "bayes " << regret_bayes << " random " << regret_random;
  EXPECT_LT(regret_bayes, 1e-3);
}

TEST(SearchMethod, BayesHandlesIntAndCategoricalParameters) {
  const ParamSpace space = space_of({"n=1:40", "kind=a,b,c"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", -std::fabs(p[0] - 27) + (p[1] == 2 ? 5 : 0)}};
  });
  auto r = optimize(ev, space, options_for(Method::kBayes, 40, 3, "sharpe_ratio"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::set<std::string> keys;
  for (const Trial& t : r->trials) keys.insert(space.key(t.params));
  EXPECT_EQ(keys.size(), r->trials.size());
  EXPECT_EQ(r->trials[static_cast<std::size_t>(r->best)].params, (ParamPoint{27, 2}));
}

TEST(SearchMethod, BayesStopsWhenASmallSpaceIsExhausted) {
  const ParamSpace space = space_of({"n=1:6"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", p[0]}};
  });
  auto r = optimize(ev, space, options_for(Method::kBayes, 50, 3, "sharpe_ratio"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->trials.size(), 6u);
}

TEST(SearchMethod, GeneticConvergesOnAnIntegerGrid) {
  const ParamSpace space = space_of({"a=0:100", "b=0:100"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", -std::pow(p[0] - 63, 2) - std::pow(p[1] - 17, 2)}};
  });
  auto o = options_for(Method::kGenetic, 0, 1, "sharpe_ratio");
  o.search.population = 30;
  o.search.generations = 25;
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_LE(r->trials.size(), 30u * 25u);
  EXPECT_GE(r->trials[static_cast<std::size_t>(r->best)].value(), -2.0);
  // Later generations are better on average than the first one (selection works).
  double first = 0, last = 0;
  for (std::size_t i = 0; i < 30; ++i) first += r->trials[i].value() / 30;
  for (std::size_t i = r->trials.size() - 28; i < r->trials.size(); ++i) last += r->trials[i].value() / 28;
  EXPECT_GT(last, first);
}

TEST(SearchMethod, Nsga2ReturnsTheParetoFrontOfSchaffersFunction) {
  // Schaffer N.1: minimize f1 = x^2 and f2 = (x - 2)^2; the Pareto set is x in [0, 2].
  const ParamSpace space = space_of({"x=-10:10:0.01"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"f1", p[0] * p[0]}, {"f2", (p[0] - 2) * (p[0] - 2)}};
  });
  auto o = options_for(Method::kNsga2, 0, 7, "min:f1,min:f2");
  o.search.population = 24;
  o.search.generations = 30;
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_GE(r->pareto_front.size(), 10u);
  double lo = 1e9, hi = -1e9;
  for (const std::size_t i : r->pareto_front) {
    const double x = r->trials[i].params[0];
    EXPECT_GE(x, -1e-9);
    EXPECT_LE(x, 2 + 1e-9);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_LT(lo, 0.3);
  EXPECT_GT(hi, 1.7);
  // The front is exactly the non-dominated set of all trials (brute force).
  std::set<std::size_t> front(r->pareto_front.begin(), r->pareto_front.end());
  for (std::size_t i = 0; i < r->trials.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < r->trials.size(); ++j) {
      dominated = dominated || dominates(r->trials[j].utilities, r->trials[i].utilities);
    }
    EXPECT_EQ(front.count(i) == 1, !dominated) << "trial " << i;
  }
}

TEST(SearchMethod, Nsga2NeedsTwoObjectives) {
  const ParamSpace space = space_of({"x=0.0:1.0"});
  FunctionEvaluator ev(bowl);
  auto r = optimize(ev, space, options_for(Method::kNsga2, 0, 7, "sharpe_ratio"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("two objectives"), std::string::npos);
}

}  // namespace
}  // namespace tradeloop::optimize
