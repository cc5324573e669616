// Indicator throughput in bars per second (items = bars).
//
//   - Batch/<name>/1000000: every registered indicator with its defaults through the registry's
//     Indicator::compute, on 1M bars (a year of 30-second bars, or 4,000 years of dailies: the size of a
//     large research series). 10M for all 80 would take minutes, so 10M runs for the five headline
//     indicators only.
//   - Typed/<sma|ema|rsi|atr|bbands>/{1M,10M}: the functions.h fast path; the goal is >= 200M bars/s
//     on one core.
//   - Streaming/<sma|ema|rsi|atr|bbands>: Indicator::update one bar at a time (a live feed); the goal
//     is < 20 ns per bar.
//
// Input: a deterministic random walk (geometric, 1% bar volatility) with consistent OHLC and volume,
// generated once outside the timed loops; real sample files have only a few thousand bars.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "tradeloop/indicators/functions.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators {
namespace {

constexpr std::size_t kMillion = 1'000'000;

struct Bars {
  std::vector<Timestamp> ts;
  std::vector<double> open, high, low, close, volume;
};

const Bars& bars() {
  static const Bars b = [] {
    constexpr std::size_t n = 10 * kMillion;
    Bars out;
    out.ts.resize(n);
    out.open.resize(n);
    out.high.resize(n);
    out.low.resize(n);
    out.close.resize(n);
    out.volume.resize(n);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0, 0.01);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double price = 100.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double open = price;
      price *= std::exp(step(rng));
      const double close = price;
      out.ts[i] = static_cast<Timestamp>(i) * 60'000'000'000LL;
      out.open[i] = open;
      out.close[i] = close;
      out.high[i] = std::max(open, close) * (1.0 + 0.005 * unit(rng));
      out.low[i] = std::min(open, close) * (1.0 - 0.005 * unit(rng));
      out.volume[i] = 1000.0 + 1000.0 * unit(rng);
    }
    return out;
  }();
  return b;
}

InputSeries series(std::size_t n) {
  const Bars& b = bars();
  InputSeries in;
  in.ts = std::span(b.ts).first(n);
  in.open = std::span(b.open).first(n);
  in.high = std::span(b.high).first(n);
  in.low = std::span(b.low).first(n);
  in.close = std::span(b.close).first(n);
  in.volume = std::span(b.volume).first(n);
  in.real1 = std::span(b.open).first(n);  // beta / correl: close against open
  return in;
}

void batch_registry(benchmark::State& state, const std::string& name) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  auto made = make_indicator(name, {});
  if (!made.ok()) {
    state.SkipWithError(made.error().message().c_str());
    return;
  }
  const Indicator& ind = **made;
  const InputSeries in = series(n);
  std::vector<std::vector<double>> out(ind.num_outputs(), std::vector<double>(n));
  std::vector<std::span<double>> spans(out.begin(), out.end());
  for (auto _ : state) {
    ind.compute(in, spans);
    benchmark::DoNotOptimize(out[0].data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void streaming(benchmark::State& state, const std::string& name) {
  const std::size_t n = kMillion;
  auto made = make_indicator(name, {});
  if (!made.ok()) {
    state.SkipWithError(made.error().message().c_str());
    return;
  }
  Indicator& ind = **made;
  const Bars& b = bars();
  std::vector<BarInput> feed(n);
  for (std::size_t i = 0; i < n; ++i) {
    feed[i] = BarInput{b.ts[i],     b.open[i],  b.high[i],  b.low[i], b.close[i],
                       b.volume[i], b.close[i], b.close[i], b.open[i]};
  }
  double out[3] = {0, 0, 0};
  double sink = 0;
  for (auto _ : state) {
    ind.reset();
    for (const BarInput& bar : feed) {
      ind.update(bar, out);
      sink += out[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void typed_sma(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto in = std::span(bars().close).first(n);
  std::vector<double> out(n);
  for (auto _ : state) {
    sma(in, 30, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void typed_ema(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto in = std::span(bars().close).first(n);
  std::vector<double> out(n);
  for (auto _ : state) {
    ema(in, 30, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void typed_rsi(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto in = std::span(bars().close).first(n);
  std::vector<double> out(n);
  for (auto _ : state) {
    rsi(in, 14, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void typed_atr(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const Bars& b = bars();
  std::vector<double> out(n);
  for (auto _ : state) {
    atr(std::span(b.high).first(n), std::span(b.low).first(n), std::span(b.close).first(n), 14, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void typed_bbands(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto in = std::span(bars().close).first(n);
  std::vector<double> upper(n), middle(n), lower(n);
  for (auto _ : state) {
    bbands(in, 20, 2.0, 2.0, MaType::kSma, upper, middle, lower);
    benchmark::DoNotOptimize(upper.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

const bool registered = [] {
  const std::vector<std::string> headline = {"sma", "ema", "rsi", "atr", "bbands"};
  for (const IndicatorInfo& info : list_indicators()) {
    auto* b = benchmark::RegisterBenchmark(("Batch/" + info.name).c_str(), batch_registry, info.name);
    b->Arg(static_cast<std::int64_t>(kMillion))->Unit(benchmark::kMillisecond);
    if (std::find(headline.begin(), headline.end(), info.name) != headline.end()) {
      b->Arg(static_cast<std::int64_t>(10 * kMillion));
      benchmark::RegisterBenchmark(("Streaming/" + info.name).c_str(), streaming, info.name)
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (auto [name, fn] : {std::pair{"Typed/sma", &typed_sma}, std::pair{"Typed/ema", &typed_ema},
                          std::pair{"Typed/rsi", &typed_rsi}, std::pair{"Typed/atr", &typed_atr},
                          std::pair{"Typed/bbands", &typed_bbands}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->Arg(static_cast<std::int64_t>(kMillion))
        ->Arg(static_cast<std::int64_t>(10 * kMillion))
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace tradeloop::indicators
