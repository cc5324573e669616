#include "tradeloop/optimize/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "test_evaluators.h"

namespace tradeloop::optimize {
namespace {

using testing::FunctionEvaluator;

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) EXPECT_TRUE(space.add(*parse_param(a)).ok()) << a;
  return space;
}

std::map<std::string, double> wavy(const ParamPoint& p) {
  // Some tests search a one-parameter space: the second coordinate is then 0.
  const double y = p.size() > 1 ? p[1] : 0.0;
  const double score = std::sin(p[0] / 7.0) * std::cos(y / 11.0) + 0.01 * p[0];
  return {{"sharpe_ratio", score},
          {"score", score},
          {"max_drawdown_pct", -std::fabs(30 * std::cos(p[0] / 5.0 + y / 13.0))},
          {"num_trades", std::fmod(p[0] * 7 + y, 23.0)}};
}

void expect_same_trials(const OptimizeResult& a, const OptimizeResult& b) {
  ASSERT_EQ(a.trials.size(), b.trials.size());
  for (std::size_t i = 0; i < a.trials.size(); ++i) {
    const Trial& x = a.trials[i];
    const Trial& y = b.trials[i];
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.params, y.params) << "trial " << i;
    EXPECT_EQ(x.status, y.status);
    EXPECT_EQ(x.reason, y.reason);
    ASSERT_EQ(x.values.size(), y.values.size());
    for (std::size_t k = 0; k < x.values.size(); ++k) EXPECT_EQ(x.values[k], y.values[k]);
    EXPECT_EQ(x.eval.metrics, y.eval.metrics);
    EXPECT_EQ(x.eval.stats.mean, y.eval.stats.mean);
  }
  EXPECT_EQ(a.best, b.best);
  EXPECT_EQ(a.pareto_front, b.pareto_front);
  EXPECT_EQ(a.deflated_sharpe.probability, b.deflated_sharpe.probability);
  EXPECT_EQ(a.pbo.probability, b.pbo.probability);
}

class OptimizerJobs : public ::testing::TestWithParam<Method> {};

TEST_P(OptimizerJobs, ResultsAreIdenticalForAnyNumberOfThreads) {
  const ParamSpace space = space_of({"fast=2:40", "slow=10:80:2"});
  FunctionEvaluator ev(wavy);
  ev.set_delay_us(200);  // shuffles completion order
  OptimizeOptions o;
  o.search.method = GetParam();
  o.search.trials = 60;
  o.search.seed = 99;
  o.search.population = 12;
  o.objective =
      *Objective::parse(GetParam() == Method::kNsga2 ? "sharpe_ratio,max_drawdown_pct" : "sharpe_ratio");
  o.objective.set_constraints(Constraints{3.0, std::nullopt});
  o.jobs = 1;
  auto one = optimize(ev, space, o);
  ASSERT_TRUE(one.ok()) << one.error().message();
  EXPECT_EQ(one->trials.size(), 60u);
  for (const int jobs : {2, 4}) {
    o.jobs = jobs;
    auto many = optimize(ev, space, o);
    ASSERT_TRUE(many.ok());
    expect_same_trials(*one, *many);
  }
}

INSTANTIATE_TEST_SUITE_P(AllMethods, OptimizerJobs,
                         ::testing::Values(Method::kGrid, Method::kRandom, Method::kBayes, Method::kGenetic,
                                           Method::kNsga2),
                         [](const auto& info) { return std::string(method_name(info.param)); });

TEST(Optimizer, ConstraintsRejectTrialsWithRecordedReasons) {
  const ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5"});
  FunctionEvaluator ev(wavy);
  OptimizeOptions o;
  o.objective.set_constraints(Constraints{5.0, 20.0});
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->trials.size(), 60u);
  std::size_t rejected = 0;
  for (const Trial& t : r->trials) {
    const double trades = t.eval.metrics.at("num_trades");
    const double dd = std::fabs(t.eval.metrics.at("max_drawdown_pct"));
    const bool should_reject = trades < 5 || dd > 20;
    EXPECT_EQ(!t.ok(), should_reject) << space.to_json(t.params);
    if (!t.ok()) {
      ++rejected;
      EXPECT_FALSE(t.reason.empty());
    }
  }
  EXPECT_GT(rejected, 0u);
  ASSERT_GE(r->best, 0);
  EXPECT_TRUE(r->trials[static_cast<std::size_t>(r->best)].ok());
}

TEST(Optimizer, RefusesAnUnknownObjectiveMetricWithASuggestion) {
  class Named : public FunctionEvaluator {
   public:
    using FunctionEvaluator::FunctionEvaluator;
    std::vector<std::string> metric_names() const override { return {"sharpe_ratio", "num_trades"}; }
  };
  Named ev(wavy);
  OptimizeOptions o;
  o.objective = *Objective::parse("sharp_ratio");
  auto r = optimize(ev, space_of({"fast=5:25:5"}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "--objective: unknown metric 'sharp_ratio' (did you mean 'sharpe_ratio'?)");
}

TEST(Optimizer, ReportsStabilityOverGridNeighbours) {
  const ParamSpace space = space_of({"a=0:10", "b=0:10"});
  FunctionEvaluator ev([](const ParamPoint& p) {
    return std::map<std::string, double>{{"sharpe_ratio", -std::fabs(p[0] - 5) - 2 * std::fabs(p[1] - 5)}};
  });
  OptimizeOptions o;
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok());
  const Stability& s = r->stability;
  ASSERT_TRUE(s.valid);
  EXPECT_EQ(s.neighbours, 4u);
  EXPECT_EQ(s.best_value, 0);
  EXPECT_EQ(s.min, -2);
  EXPECT_EQ(s.max, -1);
  EXPECT_DOUBLE_EQ(s.mean, -1.5);
}

TEST(Optimizer, ComputesDeflatedSharpeAndPboFromTheTrials) {
  const ParamSpace space = space_of({"fast=2:30", "slow=10:40:2"});
  FunctionEvaluator ev(wavy, 1000);
  OptimizeOptions o;
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->deflated_sharpe.valid);
  EXPECT_EQ(r->deflated_sharpe.trials, static_cast<double>(r->trials.size()));
  EXPECT_EQ(r->deflated_sharpe.observations, 999);
  EXPECT_GE(r->deflated_sharpe.probability, 0);
  EXPECT_LE(r->deflated_sharpe.probability, 1);
  ASSERT_TRUE(r->pbo.valid);
  EXPECT_EQ(r->pbo.blocks, 16u);
  EXPECT_EQ(r->pbo.strategies, r->trials.size());
}

TEST(Optimizer, TrialBudgetCapsGridAndRunIdentityIgnoresJobs) {
  const ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5"});
  FunctionEvaluator ev(wavy);
  OptimizeOptions o;
  o.search.trials = 7;
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->trials.size(), 7u);
  OptimizeOptions p = o;
  p.jobs = 5;
  EXPECT_EQ(run_identity(ev, space, o), run_identity(ev, space, p));
  p.search.seed = 1;
  EXPECT_NE(run_identity(ev, space, o), run_identity(ev, space, p));
}

std::string temp_db(const char* name) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("tl_opt_{}_{}.db", name, ::getpid());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

TEST(Optimizer, ResumeSkipsFinishedTrialsAndReproducesTheRun) {
  const ParamSpace space = space_of({"fast=2:40", "slow=10:80:2"});
  const std::string db = temp_db("resume");
  for (const Method method : {Method::kGrid, Method::kBayes, Method::kGenetic}) {
    OptimizeOptions o;
    o.search.method = method;
    o.search.trials = 48;
    o.search.seed = 3;
    o.search.population = 8;
    o.jobs = 2;
    o.stability = false;  // neighbour probes would add evaluations to the counts below
    FunctionEvaluator reference_ev(wavy);
    auto reference = optimize(reference_ev, space, o);
    ASSERT_TRUE(reference.ok());

    auto store = TrialStore::open(db);
    ASSERT_TRUE(store.ok()) << store.error().message();
    o.store = store->get();
    // First attempt dies after 20 evaluations.
    FunctionEvaluator dying(wavy);
    dying.set_fail_after(20);
    auto died = optimize(dying, space, o);
    ASSERT_FALSE(died.ok());
    const std::string run_id = run_identity(dying, space, o);
    auto stored = (*store)->count_trials(run_id);
    ASSERT_TRUE(stored.ok());
    EXPECT_GE(*stored, 8u);
    EXPECT_LE(*stored, 20u);

    o.resume = true;
    FunctionEvaluator counting(wavy);
    auto resumed = optimize(counting, space, o);
    ASSERT_TRUE(resumed.ok()) << resumed.error().message();
    EXPECT_EQ(resumed->resumed_trials, *stored);
    EXPECT_EQ(static_cast<std::size_t>(counting.calls()), 48 - *stored);
    expect_same_trials(*reference, *resumed);
    EXPECT_EQ(*(*store)->run_status(run_id), "done");

    // A finished run resumes without evaluating anything.
    FunctionEvaluator again(wavy);
    auto replay = optimize(again, space, o);
    ASSERT_TRUE(replay.ok());
    EXPECT_EQ(replay->evaluated_trials, 0u);
    EXPECT_EQ(again.calls(), 0);
    expect_same_trials(*reference, *replay);
  }
}

TEST(Optimizer, WithoutResumeTheStoreStartsOver) {
  const ParamSpace space = space_of({"fast=5:25:5"});
  const std::string db = temp_db("fresh");
  auto store = TrialStore::open(db);
  ASSERT_TRUE(store.ok());
  OptimizeOptions o;
  o.store = store->get();
  FunctionEvaluator ev(wavy);
  ASSERT_TRUE(optimize(ev, space, o).ok());
  ev.reset_calls();
  auto r = optimize(ev, space, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resumed_trials, 0u);
  EXPECT_EQ(r->evaluated_trials, 5u);
  EXPECT_EQ(*(*store)->count_trials(r->run_id), 5u);
}

}  // namespace
}  // namespace tradeloop::optimize
