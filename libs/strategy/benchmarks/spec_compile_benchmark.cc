// Spec strategies vs the same strategies hand-written in C++ (the speed contract: a spec
// strategy runs within 2x of its hand-written twin).
//
// Three strategies, each in two forms:
//   sma_cross      hand-written = the built-in C++ strategy (strategy::builtin_plan, sma_cross.cc);
//                  spec = strategies/sma_cross.json
//   ema_cross      hand-written = hand_written::ema_cross (typed indicators::ema + the cross loop);
//                  spec = strategies/ema_cross.json
//   rsi_reversion  hand-written = hand_written::rsi_reversion (typed indicators::rsi + four threshold
//                  loops); spec = strategies/rsi_reversion.json
// (the hand-written ones are in libs/strategy/tests/hand_written_plans.h: the library test checks that
// the specs give exactly their signals)
// and two measures:
//   Plan      the SignalPlan only. The spec side runs the whole compiler each time (SpecProgram::create:
//             validation and lowering; scalar pass; cache keys; indicators; node loops; plan assembly)
//             with no shared cache, so the indicators are computed every time as in the hand-written one.
//   PlanPrepared  the same without SpecProgram::create (the program is made once, run many times).
//   Backtest  plan + backtest::run_signals end to end (default config: long-only, next-open fills,
//             trades and equity recorded), what `tradeloop backtest` does after loading the data.
// PlanCached is the spec with a warm shared IndicatorCache: an optimizer's later trials.
//
// Sizes: arg 0 = GOOG daily (2,148 bars), a typical optimizer trial where fixed per-run overhead shows;
// arg 1 = 1,000,000 synthetic minute bars, the per-bar cost. Items processed = bars.
// Run with --benchmark_filter and compare *_HandWritten with *_Spec of the same arg (ratio = spec time /
// hand-written time).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

#include "../tests/hand_written_plans.h"

namespace {

using namespace tradeloop;

const data::BarSeries& bars_for(std::int64_t arg) {
  static const data::BarSeries goog = [] {
    auto f = data::read_bars_csv(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
    if (!f.ok()) {
      std::fprintf(stderr, "GOOG-1d.csv: %s\n", f.error().message().c_str());
      std::abort();
    }
    return f->bars;
  }();
  static const data::BarSeries big = [] {
    data::BarSeries b;
    b.symbol = "SYNTH";
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0, 1);
    double c = 1000;
    for (std::int64_t i = 0; i < 1'000'000; ++i) {
      const double o = c;
      c = std::max(1.0, c + step(rng));
      b.push_back(i * kNanosPerMinute, o, std::max(o, c) + 0.5, std::min(o, c) - 0.5, c, 100);
    }
    return b;
  }();
  return arg == 0 ? goog : big;
}

strategy::Spec library_spec(const char* name) {
  auto spec = strategy::load_spec(name);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, spec.error().message().c_str());
    std::abort();
  }
  return *spec;
}

// ---- the hand-written strategies (what a C++ programmer writes with the typed indicators) ----

void sma_cross_hand(const data::BarSeries& bars, strategy::SignalPlan& plan) {
  plan = *strategy::builtin_plan("sma_cross", {{"fast", 10}, {"slow", 20}}, bars);
}

void ema_cross_hand(const data::BarSeries& bars, strategy::SignalPlan& plan) {
  plan = strategy::hand_written::ema_cross(bars, 12, 26);
}

void rsi_reversion_hand(const data::BarSeries& bars, strategy::SignalPlan& plan) {
  plan = strategy::hand_written::rsi_reversion(bars, 14, 30, 70, 50);
}

using HandFn = void (*)(const data::BarSeries&, strategy::SignalPlan&);

HandFn hand_fn(const char* name) {
  const std::string s = name;
  return s == "sma_cross" ? sma_cross_hand : s == "ema_cross" ? ema_cross_hand : rsi_reversion_hand;
}

void backtest(const data::BarSeries& bars, const strategy::SignalPlan& plan, backtest::RunResult& out) {
  backtest::SignalRunInput input;
  input.bars = &bars;
  input.plan = &plan;
  static const backtest::BacktestConfig config;
  const Status st = backtest::run_signals(input, config, out);
  if (!st.ok()) {
    std::fprintf(stderr, "run_signals: %s\n", st.error().message().c_str());
    std::abort();
  }
}

// ---- the benchmarks ----

void plan_hand(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const HandFn f = hand_fn(name);
  strategy::SignalPlan plan;
  for (auto _ : state) {
    f(bars, plan);
    benchmark::DoNotOptimize(plan.long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

void plan_spec(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const strategy::Spec spec = library_spec(name);
  for (auto _ : state) {
    auto plan = strategy::compile(spec, bars);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// A program created once and run with no shared cache (indicators computed every run): an optimizer's
// trial without the cache, or a backtest that reuses a validated spec.
void plan_spec_prepared(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const auto program = *strategy::SpecProgram::create(library_spec(name));
  const data::BarSeries* legs[1] = {&bars};
  const std::vector<double> values = program.default_values();
  for (auto _ : state) {
    auto plan = program.run(values, legs, nullptr);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

void plan_spec_cached(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const auto program = *strategy::SpecProgram::create(library_spec(name));
  const data::BarSeries* legs[1] = {&bars};
  const std::vector<double> values = program.default_values();
  strategy::IndicatorCache cache;
  (void)program.run(values, legs, &cache);
  for (auto _ : state) {
    auto plan = program.run(values, legs, &cache);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

void backtest_hand(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const HandFn f = hand_fn(name);
  strategy::SignalPlan plan;
  backtest::RunResult result;
  for (auto _ : state) {
    f(bars, plan);
    backtest(bars, plan, result);
    benchmark::DoNotOptimize(result.record.equity.equity.data());
  }
  state.counters["trades"] = static_cast<double>(result.record.trades.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

void backtest_spec(benchmark::State& state, const char* name) {
  const auto& bars = bars_for(state.range(0));
  const strategy::Spec spec = library_spec(name);
  backtest::RunResult result;
  for (auto _ : state) {
    auto plan = strategy::compile(spec, bars);
    backtest(bars, *plan, result);
    benchmark::DoNotOptimize(result.record.equity.equity.data());
  }
  state.counters["trades"] = static_cast<double>(result.record.trades.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// Parse + validate + canonical hash: the discovery loop's per-candidate bookkeeping.
void BM_SpecParseAndHash(benchmark::State& state) {
  const auto text = strategy::canonical_json(library_spec("sma_cross"));
  for (auto _ : state) {
    auto spec = strategy::parse_spec(*text, "bench");
    auto hash = strategy::spec_hash(*spec);
    benchmark::DoNotOptimize(hash->data());
  }
  state.SetItemsProcessed(state.iterations());
}

#define TL_SPEC_BENCH(strategy_name)                                                       \
  BENCHMARK_CAPTURE(plan_hand, strategy_name##_Plan_HandWritten, #strategy_name)           \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond);                                                     \
  BENCHMARK_CAPTURE(plan_spec, strategy_name##_Plan_Spec, #strategy_name)                  \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond);                                                     \
  BENCHMARK_CAPTURE(plan_spec_prepared, strategy_name##_PlanPrepared_Spec, #strategy_name) \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond);                                                     \
  BENCHMARK_CAPTURE(plan_spec_cached, strategy_name##_PlanCached_Spec, #strategy_name)     \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond);                                                     \
  BENCHMARK_CAPTURE(backtest_hand, strategy_name##_Backtest_HandWritten, #strategy_name)   \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond);                                                     \
  BENCHMARK_CAPTURE(backtest_spec, strategy_name##_Backtest_Spec, #strategy_name)          \
      ->Arg(0)                                                                             \
      ->Arg(1)                                                                             \
      ->Unit(benchmark::kMicrosecond)

TL_SPEC_BENCH(sma_cross);
TL_SPEC_BENCH(ema_cross);
TL_SPEC_BENCH(rsi_reversion);
BENCHMARK(BM_SpecParseAndHash)->Unit(benchmark::kMicrosecond);

}  // namespace
