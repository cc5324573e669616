// Spec strategy vs the same strategy hand-written in C++: sma_cross signals (the four flag arrays of a
// SignalPlan) from the close. The hand-written baseline computes both SMAs with the indicators library
// and writes the cross flags in one loop; the spec path parses nothing (the spec is loaded once) but
// runs the whole compiler: scalar pass, cache keys, indicator computation, node loops, plan assembly.
//
// Sizes: GOOG daily (2,148 bars) is a typical optimizer trial, where fixed per-run overhead shows;
// 1,000,000 bars measures the per-bar cost. Items processed = bars.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tradeloop/data/csv_reader.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace {

using namespace tradeloop;

constexpr int kFast = 10;
constexpr int kSlow = 30;

const char* kSpec = R"spec({"name": "sma_cross",
  "parameters": {"fast": {"type": "int", "default": 10, "min": 2, "max": 200}, "slow": {"type": "int", "default": 30, "min": 2, "max": 500}},
  "series": {"f": "sma(close, fast)",
           "s" : "sma(close, slow)"
}
, "rules" : {
  "long_entry" : "crosses_above(f, s)",
                 "long_exit" : "crosses_below(f, s)",
                               "short_entry" : "crosses_below(f, s)",
                                               "short_exit" : "crosses_above(f, s)"
}
})spec";

const data::BarSeries& bars_for(std::int64_t size) {
  static const data::BarSeries goog = [] {
    auto f = data::read_bars_csv(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
    return f.ok() ? f->bars : data::BarSeries{};
  }();
  static const data::BarSeries big = [] {
    data::BarSeries b;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0, 1);
    double c = 1000;
    for (std::int64_t i = 0; i < 1'000'000; ++i) {
      c = std::max(1.0, c + step(rng));
      b.push_back(i * kNanosPerMinute, c, c + 1, c - 1, c, 1);
    }
    return b;
  }();
  return size == 0 ? goog : big;
}

// The hand-written strategy: what a C++ programmer writes with the indicators library.
void hand_written(const data::BarSeries& bars, strategy::SignalPlan& plan) {
  indicators::InputSeries in;
  in.close = bars.close;
  auto fast = indicators::compute("sma", in, {{"timeperiod", kFast}});
  auto slow = indicators::compute("sma", in, {{"timeperiod", kSlow}});
  const std::vector<double>& f = (*fast)[0];
  const std::vector<double>& s = (*slow)[0];
  const std::size_t n = bars.size();
  plan.bars = n;
  plan.long_entry.assign(n, 0);
  plan.long_exit.assign(n, 0);
  for (std::size_t t = 1; t < n; ++t) {
    plan.long_entry[t] = f[t - 1] < s[t - 1] && f[t] > s[t];
    plan.long_exit[t] = f[t - 1] > s[t - 1] && f[t] < s[t];
  }
  plan.short_entry = plan.long_exit;
  plan.short_exit = plan.long_entry;
}

void BM_HandWrittenSmaCross(benchmark::State& state) {
  const auto& bars = bars_for(state.range(0));
  for (auto _ : state) {
    strategy::SignalPlan plan;
    hand_written(bars, plan);
    benchmark::DoNotOptimize(plan.long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// compile(spec, bars): validation and lowering included, indicators computed (no cache).
void BM_SpecCompileSmaCross(benchmark::State& state) {
  const auto& bars = bars_for(state.range(0));
  const strategy::Spec spec = *strategy::parse_spec(kSpec, "bench");
  for (auto _ : state) {
    auto plan = strategy::compile(spec, bars);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// A prepared program run with new values (an optimizer trial), indicators computed (no shared cache).
void BM_SpecProgramRunSmaCross(benchmark::State& state) {
  const auto& bars = bars_for(state.range(0));
  const auto program = *strategy::SpecProgram::create(*strategy::parse_spec(kSpec, "bench"));
  const data::BarSeries* legs[1] = {&bars};
  const std::vector<double> values = {kFast, kSlow};
  for (auto _ : state) {
    auto plan = program.run(values, legs, nullptr);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// The same with a warm shared IndicatorCache: what a grid's later trials cost.
void BM_SpecProgramRunSmaCrossCached(benchmark::State& state) {
  const auto& bars = bars_for(state.range(0));
  const auto program = *strategy::SpecProgram::create(*strategy::parse_spec(kSpec, "bench"));
  const data::BarSeries* legs[1] = {&bars};
  const std::vector<double> values = {kFast, kSlow};
  strategy::IndicatorCache cache;
  (void)program.run(values, legs, &cache);
  for (auto _ : state) {
    auto plan = program.run(values, legs, &cache);
    benchmark::DoNotOptimize(plan->long_entry.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bars.size()));
}

// Parse + validate + canonical hash: the discovery loop's per-candidate bookkeeping.
void BM_SpecParseAndHash(benchmark::State& state) {
  for (auto _ : state) {
    auto spec = strategy::parse_spec(kSpec, "bench");
    auto hash = strategy::spec_hash(*spec);
    benchmark::DoNotOptimize(hash->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// Arg 0 = GOOG daily (2,148 bars), 1 = 1,000,000 synthetic minute bars.
BENCHMARK(BM_HandWrittenSmaCross)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpecCompileSmaCross)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpecProgramRunSmaCross)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpecProgramRunSmaCrossCached)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpecParseAndHash)->Unit(benchmark::kMicrosecond);

}  // namespace
