// Optimizer throughput on sma_cross grids, and where a trial's time goes.
//
// Items are bar x trial (one bar of one trial's backtest). Sizes: GOOG daily (2148 bars, the sample
// users start with) and 1M synthetic bars (long intraday histories, where per-trial overheads
// vanish). All on one thread: the goal is per core.
#include <benchmark/benchmark.h>

#include <cmath>

#include "tradeloop/analytics/annualization.h"
#include "tradeloop/analytics/metrics.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/optimize/backtest_evaluator.h"
#include "tradeloop/optimize/optimizer.h"
#include "tradeloop/optimize/rng.h"
#include "tradeloop/strategy/sma_cross.h"

namespace tradeloop::optimize {
namespace {

data::BarSeries goog() {
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  return bars.ok() ? std::move(bars).value() : data::BarSeries{};
}

// A geometric random walk of minute bars from 2000-01-01.
data::BarSeries synthetic(std::size_t n) {
  data::BarSeries s;
  s.symbol = "SYN";
  s.reserve(n);
  Rng rng(1);
  double price = 100;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = price;
    price *= std::exp(0.001 * rng.normal());
    const double hi = std::max(open, price) * 1.002, lo = std::min(open, price) * 0.998;
    s.push_back(946684800LL * kNanosPerSecond + static_cast<Timestamp>(i) * kNanosPerMinute, open, hi, lo,
                price, 1000);
  }
  return s;
}

backtest::BacktestConfig config() {
  backtest::BacktestConfig c;
  c.fees = *execution::FeeModel::parse("0.002");
  c.exclusive = true;
  return c;
}

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) (void)space.add(*parse_param(a));
  return space;
}

void run_grid(benchmark::State& state, const data::BarSeries& bars, const ParamSpace& space,
              analytics::MetricSet metrics = analytics::MetricSet::all()) {
  BacktestEvaluatorOptions o;
  o.strategy = "sma_cross";
  o.config = config();
  o.metrics.requested = metrics;
  auto ev = BacktestEvaluator::create({bars}, o);
  if (!ev.ok()) {
    state.SkipWithError(ev.error().message().c_str());
    return;
  }
  OptimizeOptions opt;
  opt.jobs = 1;
  opt.overfitting = false;
  opt.stability = false;
  std::uint64_t trials = 0;
  for (auto _ : state) {
    auto r = optimize(**ev, space, opt);
    if (!r.ok()) {
      state.SkipWithError(r.error().message().c_str());
      return;
    }
    trials += r->trials.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(trials * bars.size()));
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
  state.counters["bars"] = static_cast<double>(bars.size());
}

// 5 x 12 = 60 trials, the example grid.
void BM_GridGoog60(benchmark::State& state) {
  static const data::BarSeries bars = goog();
  run_grid(state, bars, space_of({"fast=5:25:5", "slow=10:65:5"}));
}
BENCHMARK(BM_GridGoog60)->Unit(benchmark::kMillisecond);

// 46 x 39 = 1794 trials: a dense grid where indicator sharing matters.
void BM_GridGoogDense(benchmark::State& state) {
  static const data::BarSeries bars = goog();
  run_grid(state, bars, space_of({"fast=5:50", "slow=10:200:5"}));
}
BENCHMARK(BM_GridGoogDense)->Unit(benchmark::kMillisecond);

// The same grid computing only the objective's metrics (--metrics sharpe_ratio,num_trades).
void BM_GridGoogDenseSharpeOnly(benchmark::State& state) {
  static const data::BarSeries bars = goog();
  using analytics::Metric;
  run_grid(state, bars, space_of({"fast=5:50", "slow=10:200:5"}),
           analytics::MetricSet::of({Metric::kSharpeRatio, Metric::kNumTrades}));
}
BENCHMARK(BM_GridGoogDenseSharpeOnly)->Unit(benchmark::kMillisecond);

// 1M bars x 20 trials.
void BM_GridSynthetic1M(benchmark::State& state) {
  static const data::BarSeries bars = synthetic(1'000'000);
  run_grid(state, bars, space_of({"fast=10:50:10", "slow=60:120:20"}));
}
BENCHMARK(BM_GridSynthetic1M)->Unit(benchmark::kMillisecond);

// --- Where the time of one trial goes (1M bars) ---

struct Parts {
  data::BarSeries bars = synthetic(1'000'000);
  std::vector<double> fast, slow;
  strategy::SignalPlan plan;
  backtest::RunResult result;
  Parts() {
    fast.resize(bars.size());
    slow.resize(bars.size());
    indicators::sma(bars.close, 20, fast);
    indicators::sma(bars.close, 80, slow);
    strategy::sma_cross_flags(fast, slow, plan);
    backtest::SignalRunInput in;
    in.bars = &bars;
    in.plan = &plan;
    auto cfg = config();
    cfg.record.orders = false;
    (void)backtest::run_signals(in, cfg, result);
  }
};
Parts& parts() {
  static Parts p;
  return p;
}

void BM_PartSma(benchmark::State& state) {
  Parts& p = parts();
  std::vector<double> out(p.bars.size());
  for (auto _ : state) {
    indicators::sma(p.bars.close, 20, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.bars.size()));
}
BENCHMARK(BM_PartSma)->Unit(benchmark::kMillisecond);

void BM_PartCrossFlags(benchmark::State& state) {
  Parts& p = parts();
  strategy::SignalPlan plan;
  for (auto _ : state) {
    strategy::sma_cross_flags(p.fast, p.slow, plan);
    benchmark::DoNotOptimize(plan.long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.bars.size()));
}
BENCHMARK(BM_PartCrossFlags)->Unit(benchmark::kMillisecond);

void BM_PartSignalRunner(benchmark::State& state) {
  Parts& p = parts();
  backtest::SignalRunInput in;
  in.bars = &p.bars;
  in.plan = &p.plan;
  in.share_series = true;  // as optimizer trials run it
  auto cfg = config();
  cfg.record.orders = false;
  backtest::RunResult result;
  for (auto _ : state) {
    auto st = backtest::run_signals(in, cfg, result);
    benchmark::DoNotOptimize(st.ok());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.bars.size()));
  state.counters["trades"] = static_cast<double>(result.record.trades.size());
}
BENCHMARK(BM_PartSignalRunner)->Unit(benchmark::kMillisecond);

void BM_PartMetrics(benchmark::State& state) {
  Parts& p = parts();
  analytics::MetricsWorkspace ws;
  // As optimizer trials compute them: the per-data-set context built once.
  const analytics::MetricsContext ctx = analytics::MetricsContext::make(p.bars.ts, p.bars.close);
  analytics::MetricsOptions options;
  options.context = &ctx;
  for (auto _ : state) {
    auto m = analytics::compute_metrics(p.result.record, options, &ws);
    benchmark::DoNotOptimize(m.ok());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.bars.size()));
}
BENCHMARK(BM_PartMetrics)->Unit(benchmark::kMillisecond);

void BM_PartReturnStats(benchmark::State& state) {
  Parts& p = parts();
  std::vector<double> returns;
  for (auto _ : state) {
    analytics::period_returns(p.result.record.equity.ts, p.result.record.equity.equity,
                              analytics::ReturnPeriod::kDay, &returns);
    auto s = summarize_returns(returns, 16);
    benchmark::DoNotOptimize(s.mean);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.bars.size()));
}
BENCHMARK(BM_PartReturnStats)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tradeloop::optimize
