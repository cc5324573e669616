// Cost of the metrics an optimizer computes on every trial. Sizes: 1M bars is a long intraday run
// (about 9.5 years of 5-minute crypto bars) and 10k trades an active strategy on it; a 2,148-bar
// daily run (GOOG) is the common small case.
#include <cmath>
#include <random>

#include <benchmark/benchmark.h>

#include "tradeloop/analytics/metrics.h"

namespace tradeloop::analytics {
namespace {

RunRecord synthetic_run(std::size_t bars, std::size_t trades, Timestamp step) {
  RunRecord r;
  r.initial_cash = 10000;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> ret(0.00001, 0.002);
  double e = 10000, c = 100;
  const Timestamp t0 = 1'514'764'800LL * kNanosPerSecond;  // 2018-01-01
  r.equity.ts.resize(bars);
  r.equity.equity.resize(bars);
  r.equity.exposure.resize(bars);
  r.benchmark_close.resize(bars);
  for (std::size_t i = 0; i < bars; ++i) {
    r.equity.ts[i] = t0 + static_cast<Timestamp>(i) * step;
    const double x = ret(rng);
    c *= 1 + x;
    e *= 1 + 0.8 * x + ret(rng) * 0.2;
    r.equity.equity[i] = e;
    r.benchmark_close[i] = c;
    r.equity.exposure[i] = (i / 50) % 3 == 0 ? 0.0 : 1.0;
  }
  const std::size_t span = bars / trades;
  for (std::size_t k = 0; k < trades; ++k) {
    ClosedTrade t;
    t.size = 10;
    t.entry_bar = static_cast<std::int64_t>(k * span);
    t.exit_bar = static_cast<std::int64_t>(k * span + span / 2);
    t.entry_time = r.equity.ts[static_cast<std::size_t>(t.entry_bar)];
    t.exit_time = r.equity.ts[static_cast<std::size_t>(t.exit_bar)];
    t.entry_price = r.benchmark_close[static_cast<std::size_t>(t.entry_bar)];
    t.exit_price = r.benchmark_close[static_cast<std::size_t>(t.exit_bar)];
    t.return_pct = (t.exit_price / t.entry_price - 1) * 100;
    t.fees = 0.002 * t.size * (t.entry_price + t.exit_price);
    t.pnl = t.size * (t.exit_price - t.entry_price) - t.fees;
    r.trades.push_back(t);
  }
  return r;
}

void run_benchmark(benchmark::State& state, std::size_t bars, std::size_t trades, Timestamp step,
                   MetricSet requested, double periods_per_year = 0) {
  RunRecord run = synthetic_run(bars, trades, step);
  run.periods_per_year = periods_per_year;
  MetricsWorkspace ws;
  MetricsOptions options;
  options.requested = requested;
  for (auto _ : state) {
    Result<Metrics> m = compute_metrics(run, options, &ws);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars));
  state.counters["bars"] = static_cast<double>(bars);
  state.counters["trades"] = static_cast<double>(trades);
}

// Every metric, 1M 5-minute bars and 10k trades.
void BM_AllMetrics_1M_Bars_10k_Trades(benchmark::State& state) {
  run_benchmark(state, 1'000'000, 10'000, 5 * kNanosPerMinute, MetricSet::all());
}
BENCHMARK(BM_AllMetrics_1M_Bars_10k_Trades)->Unit(benchmark::kMillisecond);

// What an optimizer objective typically needs: no benchmark pass (its logarithms dominate).
void BM_OptimizerSubset_1M_Bars_10k_Trades(benchmark::State& state) {
  run_benchmark(state, 1'000'000, 10'000, 5 * kNanosPerMinute,
                MetricSet::of({Metric::kSharpeRatio, Metric::kTotalReturnPct, Metric::kMaxDrawdownPct,
                               Metric::kNumTrades, Metric::kWinRatePct, Metric::kProfitFactor}));
}
BENCHMARK(BM_OptimizerSubset_1M_Bars_10k_Trades)->Unit(benchmark::kMillisecond);

// A daily run the size of GOOG-1d (2,148 bars, ~60 trades): per-trial overhead.
void BM_AllMetrics_Daily_2148_Bars(benchmark::State& state) {
  run_benchmark(state, 2148, 60, kNanosPerDay, MetricSet::all());
}
BENCHMARK(BM_AllMetrics_Daily_2148_Bars)->Unit(benchmark::kMicrosecond);

// The same with periods_per_year set once by the caller (an optimizer infers it once per data
// set), which skips the per-bar weekend count.
void BM_AllMetrics_Daily_2148_Bars_KnownAnnualization(benchmark::State& state) {
  run_benchmark(state, 2148, 60, kNanosPerDay, MetricSet::all(), 365);
}
BENCHMARK(BM_AllMetrics_Daily_2148_Bars_KnownAnnualization)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tradeloop::analytics
