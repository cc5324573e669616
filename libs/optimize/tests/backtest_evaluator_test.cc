// The real objective: trials equal single backtests run the way `tradeloop backtest` runs them.
#include "tradeloop/optimize/backtest_evaluator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "tradeloop/analytics/annualization.h"
#include "tradeloop/analytics/metrics.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/optimize/optimizer.h"
#include "tradeloop/optimize/validation.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::optimize {
namespace {

data::BarSeries goog() {
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  EXPECT_TRUE(bars.ok()) << bars.error().message();
  return bars.ok() ? std::move(bars).value() : data::BarSeries{};
}

backtest::BacktestConfig config() {
  backtest::BacktestConfig c;
  c.initial_cash = 10000;
  c.fees = *execution::FeeModel::parse("0.002");
  c.exclusive = true;
  return c;
}

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) EXPECT_TRUE(space.add(*parse_param(a)).ok()) << a;
  return space;
}

// What `tradeloop backtest --strategy sma_cross --param fast=F --param slow=S` computes.
analytics::Metrics reference_metrics(const data::BarSeries& bars, double fast, double slow,
                                     const backtest::BacktestConfig& cfg) {
  auto params = strategy::resolve_builtin_params(*strategy::find_builtin("sma_cross"),
                                                 {{"fast", fast}, {"slow", slow}});
  EXPECT_TRUE(params.ok());
  auto plan = strategy::builtin_plan("sma_cross", *params, bars);
  EXPECT_TRUE(plan.ok());
  backtest::SignalRunInput input;
  input.bars = &bars;
  input.plan = &*plan;
  backtest::RunResult result;
  EXPECT_TRUE(backtest::run_signals(input, cfg, result).ok());
  auto metrics = analytics::compute_metrics(result.record);
  EXPECT_TRUE(metrics.ok());
  return *metrics;
}

void expect_same_metrics(const std::map<std::string, double>& got, const analytics::Metrics& want,
                         const std::string& what) {
  const auto items = want.items();
  ASSERT_EQ(got.size(), items.size()) << what;
  for (const auto& [key, value] : items) {
    const double g = got.at(std::string(key));
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(g)) << what << " " << key;
    } else {
      EXPECT_EQ(g, value) << what << " " << key;
    }
  }
}

TEST(BacktestEvaluator, SampledGridTrialsEqualSingleBacktests) {
  const data::BarSeries bars = goog();
  BacktestEvaluatorOptions o;
  o.strategy = "sma_cross";
  o.config = config();
  auto ev = BacktestEvaluator::create({bars}, o);
  ASSERT_TRUE(ev.ok()) << ev.error().message();
  ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5"});
  ASSERT_TRUE((*ev)->check_space(space).ok());
  OptimizeOptions opt;
  opt.jobs = 2;
  auto r = optimize(**ev, space, opt);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->trials.size(), 60u);
  std::size_t compared = 0;
  for (std::size_t i = 0; i < r->trials.size(); i += 7) {
    const Trial& t = r->trials[i];
    const std::string what = space.to_json(t.params);
    if (t.params[0] == t.params[1]) {
      EXPECT_FALSE(t.ok()) << what;  // the built-in refuses fast == slow
      EXPECT_NE(t.reason.find("must differ"), std::string::npos) << t.reason;
      continue;
    }
    expect_same_metrics(t.eval.metrics, reference_metrics(bars, t.params[0], t.params[1], config()), what);
    ++compared;
  }
  EXPECT_GE(compared, 7u);
  // backtesting.py's SmaCross(10, 20) on GOOG with commission 0.002 and exclusive orders.
  const Trial* t1020 = nullptr;
  for (const Trial& t : r->trials) {
    if (t.params == ParamPoint{10, 20}) t1020 = &t;
  }
  ASSERT_NE(t1020, nullptr);
  expect_same_metrics(t1020->eval.metrics, reference_metrics(bars, 10, 20, config()), "fast=10 slow=20");
}

TEST(BacktestEvaluator, PairsTrialsEqualSingleBacktestsOnAlignedLegs) {
  const std::string dir = std::string(TL_SOURCE_DIR) + "/data/samples/";
  auto eth = data::load_bars(dir + "ETH_BTC-5m.csv");
  auto ada = data::load_bars(dir + "ADA_BTC-5m.csv");
  ASSERT_TRUE(eth.ok() && ada.ok());
  ASSERT_NE(eth->ts, ada->ts);  // the files have different gaps: the evaluator aligns them
  BacktestEvaluatorOptions o;
  o.strategy = std::string(TL_SOURCE_DIR) + "/strategies/pairs_zscore.json";
  o.config = config();
  auto ev = BacktestEvaluator::create({*eth, *ada}, o);
  ASSERT_TRUE(ev.ok()) << ev.error().message();
  ParamSpace space = space_of({"lookback=40:80:20", "entry_z=1.5:2.5:0.5"});
  ASSERT_TRUE((*ev)->check_space(space).ok());
  OptimizeOptions opt;
  opt.jobs = 2;
  auto r = optimize(**ev, space, opt);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->trials.size(), 9u);
  // Reference: what `tradeloop backtest` does with the aligned files and the trial's parameters.
  std::vector<const data::BarSeries*> raw = {&*eth, &*ada};
  auto legs = strategy::align_legs(raw);
  ASSERT_TRUE(legs.ok());
  ASSERT_EQ((*ev)->bars(), (*legs)[0].size());
  auto spec = strategy::load_spec(o.strategy);
  ASSERT_TRUE(spec.ok());
  std::size_t traded = 0;
  for (const Trial& t : r->trials) {
    ASSERT_TRUE(t.ok()) << t.reason;
    auto with = strategy::with_overrides(
        *spec, {{"lookback", fmt::format("{}", t.params[0])}, {"entry_z", fmt::format("{}", t.params[1])}});
    ASSERT_TRUE(with.ok()) << with.error().message();
    std::vector<const data::BarSeries*> ptrs = {&(*legs)[0], &(*legs)[1]};
    auto plan = strategy::compile(*with, ptrs);
    ASSERT_TRUE(plan.ok()) << plan.error().message();
    backtest::SignalRunInput input;
    input.bars = &(*legs)[0];
    input.bars2 = &(*legs)[1];
    input.plan = &*plan;
    backtest::RunResult result;
    ASSERT_TRUE(backtest::run_pair_signals(input, config(), result).ok());
    auto want = analytics::compute_metrics(result.record);
    ASSERT_TRUE(want.ok());
    expect_same_metrics(t.eval.metrics, *want, space.to_json(t.params));
    traded += t.eval.metrics.at("num_trades") > 0 ? 1 : 0;
  }
  EXPECT_GT(traded, 5u);
}

TEST(BacktestEvaluator, ARangeIsTradedAsItsOwnRunWithWarmIndicators) {
  const data::BarSeries bars = goog();
  BacktestEvaluatorOptions o;
  o.strategy = "sma_cross";
  o.config = config();
  auto ev = BacktestEvaluator::create({bars}, o);
  ASSERT_TRUE(ev.ok());
  const ParamSpace space = space_of({"fast=10", "slow=30"});
  auto e = (*ev)->evaluate(space, {10, 30}, {BarRange{1000, 1600}}, EvalOptions{});
  ASSERT_TRUE(e.ok()) << e.error().message();
  // Reference: the plan over all bars, cut to the range, traded alone.
  auto plan = strategy::builtin_plan("sma_cross", {{"fast", 10}, {"slow", 30}}, bars);
  ASSERT_TRUE(plan.ok());
  const data::BarSeries cut = bars.slice(1000, 1600);
  strategy::SignalPlan sliced;
  sliced.bars = 600;
  sliced.long_entry.assign(plan->long_entry.begin() + 1000, plan->long_entry.begin() + 1600);
  sliced.long_exit.assign(plan->long_exit.begin() + 1000, plan->long_exit.begin() + 1600);
  sliced.short_entry.assign(plan->short_entry.begin() + 1000, plan->short_entry.begin() + 1600);
  sliced.short_exit.assign(plan->short_exit.begin() + 1000, plan->short_exit.begin() + 1600);
  backtest::SignalRunInput input;
  input.bars = &cut;
  input.plan = &sliced;
  backtest::RunResult result;
  ASSERT_TRUE(backtest::run_signals(input, config(), result).ok());
  auto want = analytics::compute_metrics(result.record);
  ASSERT_TRUE(want.ok());
  expect_same_metrics(e->metrics, *want, "range");
  EXPECT_GT(e->metrics.at("num_trades"), 0);
}

TEST(BacktestEvaluator, ReturnStatisticsUseTheMetricsPeriodReturns) {
  for (const char* file : {"GOOG-1d.csv", "ETH_BTC-5m.csv"}) {
    auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/" + file);
    ASSERT_TRUE(bars.ok());
    BacktestEvaluatorOptions o;
    o.strategy = "sma_cross";
    o.config = config();
    auto ev = BacktestEvaluator::create({*bars}, o);
    ASSERT_TRUE(ev.ok());
    const ParamSpace space = space_of({"fast=10", "slow=30"});
    EvalOptions eo;
    eo.keep_returns = true;
    auto e = (*ev)->evaluate(space, {10, 30}, {BarRange{0, bars->size()}}, eo);
    ASSERT_TRUE(e.ok());
    auto record = (*ev)->run_record(space, {10, 30}, {BarRange{0, bars->size()}});
    ASSERT_TRUE(record.ok());
    std::vector<double> want;
    analytics::period_returns(record->equity.ts, record->equity.equity,
                              analytics::infer_annualization(bars->ts).period, &want);
    want.erase(std::remove_if(want.begin(), want.end(), [](double x) { return std::isnan(x); }), want.end());
    EXPECT_EQ(e->returns, want) << file;
    EXPECT_EQ(e->stats.count, want.size());
    // The statistics reuse the metrics' sums: the same bits as summarizing the returns afresh.
    const ReturnStats fresh = summarize_returns(want, eo.blocks);
    EXPECT_EQ(e->stats.mean, fresh.mean) << file;
    EXPECT_EQ(e->stats.stdev, fresh.stdev) << file;
    EXPECT_EQ(e->stats.skew, fresh.skew) << file;
    EXPECT_EQ(e->stats.kurtosis, fresh.kurtosis) << file;
    ASSERT_EQ(e->stats.blocks.size(), fresh.blocks.size());
    for (std::size_t k = 0; k < fresh.blocks.size(); ++k) {
      EXPECT_EQ(e->stats.blocks[k].sum, fresh.blocks[k].sum);
      EXPECT_EQ(e->stats.blocks[k].sum_sq, fresh.blocks[k].sum_sq);
    }
  }
}

TEST(BacktestEvaluator, StitchedRunsCompoundEquity) {
  analytics::RunRecord a, b;
  a.initial_cash = b.initial_cash = 100;
  a.equity.ts = {1, 2};
  a.equity.equity = {100, 120};
  b.equity.ts = {5, 6, 7};
  b.equity.equity = {100, 110, 90};
  analytics::ClosedTrade t;
  t.entry_bar = 0;
  t.exit_bar = 2;
  t.pnl = -10;
  b.trades.push_back(t);
  const analytics::RunRecord s = stitch_records({&a, &b});
  EXPECT_EQ(s.equity.ts, (std::vector<Timestamp>{1, 2, 5, 6, 7}));
  EXPECT_EQ(s.equity.equity, (std::vector<double>{100, 120, 120, 132, 108}));
  ASSERT_EQ(s.trades.size(), 1u);
  EXPECT_EQ(s.trades[0].entry_bar, 2);
  EXPECT_EQ(s.trades[0].exit_bar, 4);
  EXPECT_DOUBLE_EQ(s.trades[0].pnl, -12);
}

TEST(BacktestEvaluator, ChecksTheSpaceAgainstTheStrategy) {
  BacktestEvaluatorOptions o;
  o.strategy = "sma_cross";
  auto ev = BacktestEvaluator::create({goog()}, o);
  ASSERT_TRUE(ev.ok());
  ParamSpace typo = space_of({"fats=5:25:5"});
  auto st = (*ev)->check_space(typo);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("did you mean 'fast'?"), std::string::npos) << st.error().message();
  ParamSpace wide = space_of({"fast=1:25"});
  EXPECT_FALSE((*ev)->check_space(wide).ok());
  BacktestEvaluatorOptions bad = o;
  bad.strategy = "no_such_strategy";
  EXPECT_FALSE(BacktestEvaluator::create({goog()}, bad).ok());
}

TEST(BacktestEvaluator, SpecStrategyTrialsEqualCompiledBacktests) {
  const std::string path = (std::filesystem::temp_directory_path() / "tl_opt_spec_sma.json").string();
  {
    std::ofstream f(path);
    f << R"~({"name": "spec_sma",
  "parameters": {"fast": {"type": "int", "default": 10, "min": 2, "max": 200},
                 "slow": {"type": "int", "default": 20, "min": 2, "max": 400}},
  "rules": {"long_entry": "crosses_above(sma(close, fast), sma(close, slow))",
            "long_exit": "crosses_below(sma(close, fast), sma(close, slow))"}})~";
  }
  const data::BarSeries bars = goog();
  BacktestEvaluatorOptions o;
  o.strategy = path;
  o.config = config();
  auto ev = BacktestEvaluator::create({bars}, o);
  ASSERT_TRUE(ev.ok()) << ev.error().message();
  ParamSpace space = space_of({"fast=5:15:5", "slow=20:40:10"});
  ASSERT_TRUE((*ev)->check_space(space).ok());
  auto r = optimize(**ev, space, OptimizeOptions{});
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto spec = strategy::load_spec(path);
  ASSERT_TRUE(spec.ok());
  for (const Trial& t : r->trials) {
    auto overridden = strategy::with_overrides(
        *spec, {{"fast", space.value_text(0, t.params[0])}, {"slow", space.value_text(1, t.params[1])}});
    ASSERT_TRUE(overridden.ok());
    auto plan = strategy::compile(*overridden, bars);
    ASSERT_TRUE(plan.ok());
    backtest::SignalRunInput input;
    input.bars = &bars;
    input.plan = &*plan;
    backtest::RunResult result;
    ASSERT_TRUE(backtest::run_signals(input, config(), result).ok());
    auto want = analytics::compute_metrics(result.record);
    ASSERT_TRUE(want.ok());
    expect_same_metrics(t.eval.metrics, *want, space.to_json(t.params));
  }
}

TEST(BacktestEvaluator, WalkForwardOnRealData) {
  BacktestEvaluatorOptions o;
  o.strategy = "sma_cross";
  o.config = config();
  auto ev = BacktestEvaluator::create({goog()}, o);
  ASSERT_TRUE(ev.ok());
  ParamSpace space = space_of({"fast=5:25:5", "slow=30:60:10"});
  ValidateOptions v;
  v.scheme.scheme = Scheme::kWalkForward;
  v.scheme.folds = 4;
  auto r = validate(**ev, space, v);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->folds.size(), 4u);
  ASSERT_TRUE(r->oos_record);
  std::size_t test_bars = 0;
  for (const FoldReport& f : r->folds) test_bars += f.fold.test[0].size();
  EXPECT_EQ(r->oos_record->equity.size(), test_bars);
  EXPECT_EQ(r->oos_metrics.at("num_bars"), static_cast<double>(test_bars));
  EXPECT_TRUE(r->deflated_sharpe.valid);
  EXPECT_TRUE(r->pbo.valid);
}

}  // namespace
}  // namespace tradeloop::optimize
