// Backtest throughput: the built-in sma_cross (10/20, --sizing cash:10000, commission 0.002, --exclusive) on
// 1M and 10M synthetic minute bars (a deterministic geometric random walk), through
//   - the full event kernel: engine + SmaCross Strategy (indicators through the context, orders through
//     the simulated exchange, books in portfolio::Account), recording everything a run can record:
//     orders, order events, fills, closed trades, equity with cash, position value and exposure;
//   - the same recording only what the CLI's outputs need (no order journal: orders, events, fills;
//     cash and exposure derived from equity and position value when read);
//   - the same with lean recording (equity only: what an optimizer trial keeps);
//   - the signal runner: the SignalPlan form of sma_cross (plan building included).
// Items are bars. Counters: peak_rss_mb (getrusage ru_maxrss of the process so far: run one size per
// process with --benchmark_filter for a figure that belongs to that size) and allocs_per_bar (heap
// allocations during the timed runs, counted by the replaced global operator new, divided by bars) and,
// for the event kernel, faults_per_run (minor page faults per run, from getrusage).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>

#include "tradeloop/backtest/engine.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/sma_cross.h"

namespace {

std::atomic<std::uint64_t> g_allocs{0};

// Repeated runs in one process measure the steady state, so the heap must not give its top back to the
// system after every run: glibc's dynamic trim threshold does so or not depending on which block a run
// happened to free last (a 1M-bar run then page-faults up to ~30 MB afresh each run: the faults_per_run
// counter shows it). A fixed threshold keeps the figures about the kernel, not about the allocator's
// heuristics; blocks >= 32 MB (the 10M-bar columns) are still mapped and unmapped per run.
// TL_BENCH_DEFAULT_MALLOC=1 keeps glibc's defaults (for comparison with earlier figures).
[[maybe_unused]] const bool g_malloc_tuned = [] {
  const char* keep = std::getenv("TL_BENCH_DEFAULT_MALLOC");
  if (keep != nullptr && keep[0] == '1') return false;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}();

}  // namespace

// Counting allocator: every heap allocation of the process goes through these. (GCC pairs the inlined
// operator new with free() in the replaced delete and warns falsely: both sides use malloc/free.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace tradeloop {
namespace {

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// A geometric random walk of minute bars from 2000-01-01 (fixed seed: every run sees the same bars).
const data::BarSeries& synthetic(std::size_t n) {
  static std::size_t cached_n = 0;
  static data::BarSeries s;
  if (cached_n == n) return s;
  s = data::BarSeries{};
  s.symbol = "SYN";
  s.reserve(n);
  std::mt19937_64 rng(20261123);
  std::normal_distribution<double> z(0.0, 1.0);
  double price = 100;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = price;
    price *= std::exp(0.001 * z(rng));
    const double hi = std::max(open, price) * (1 + 0.0005 * std::fabs(z(rng)));
    const double lo = std::min(open, price) * (1 - 0.0005 * std::fabs(z(rng)));
    s.push_back(946684800LL * kNanosPerSecond + static_cast<Timestamp>(i) * kNanosPerMinute, open, hi, lo,
                price, 1000 + 100 * std::fabs(z(rng)));
  }
  cached_n = n;
  return s;
}

enum class Recording { kFull, kReported, kLean };

backtest::BacktestConfig config(Recording rec) {
  backtest::BacktestConfig c;
  // cash:10000 a trade (sized at the fill, with the commission) from a large account, so the strategy
  // keeps trading to the last bar: all_in on a random walk would lose the account to commissions after
  // ~1M bars (~17,000 round trips per million bars) and then only cancel orders sized to zero.
  c.initial_cash = 1e9;
  c.fees = *execution::FeeModel::parse("0.002");
  c.sizing = *execution::Sizing::parse("cash:10000");
  c.exclusive = true;
  if (rec == Recording::kLean) {
    c.record.equity_details = false;
    c.record.trades = false;
  }
  if (rec != Recording::kFull) c.record.orders = false;
  if (rec == Recording::kReported) c.record.derive_details = true;
  return c;
}

void finish(benchmark::State& state, std::size_t n, std::uint64_t allocs, std::size_t trades) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["peak_rss_mb"] = peak_rss_mb();
  state.counters["allocs_per_bar"] =
      static_cast<double>(allocs) / static_cast<double>(state.iterations() * n);
  state.counters["trades"] = static_cast<double>(trades);
}

void event_kernel(benchmark::State& state, Recording rec) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const data::BarSeries& bars = synthetic(n);
  const backtest::BacktestConfig cfg = config(rec);
  backtest::EngineInput in;
  in.bars = {&bars};
  // As the CLI runs one instrument: the record's timestamps and benchmark are the bars' own columns.
  in.share_series = rec == Recording::kReported;
  backtest::RunResult out;
  std::uint64_t allocs = 0;
  long faults = 0;
  for (auto _ : state) {
    strategy::SmaCross strat({10, 20});
    const std::uint64_t a0 = g_allocs.load();
    const long f0 = minor_faults();
    auto st = backtest::run_strategy(in, strat, cfg, out);
    faults += minor_faults() - f0;
    allocs += g_allocs.load() - a0;
    if (!st.ok()) state.SkipWithError(st.error().message().c_str());
    benchmark::DoNotOptimize(out.record.equity.equity.data());
  }
  finish(state, n, allocs, out.record.trades.size() + out.fills.size() / 2);
  // Page faults a run takes: fresh pages are expensive on a VM (stable where timings are not).
  state.counters["faults_per_run"] = static_cast<double>(faults) / static_cast<double>(state.iterations());
}

void BM_EventKernelSmaCross(benchmark::State& state) {
  event_kernel(state, Recording::kFull);
}
// What the CLI's outputs need (trades CSV, equity CSV, tearsheet, metrics): the equity curve with
// position value (cash and exposure derived when read: EquityCurve::cash_at/exposure_at) and the closed
// trades, without the order journal (orders, their events, fills) that the CLI does not print, and
// without copies of the bars' timestamps and closes (EngineInput::share_series; the CLI moves them in).
void BM_EventKernelSmaCrossReported(benchmark::State& state) {
  event_kernel(state, Recording::kReported);
}
void BM_EventKernelSmaCrossLean(benchmark::State& state) {
  event_kernel(state, Recording::kLean);
}

void signal_runner(benchmark::State& state, Recording rec) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const data::BarSeries& bars = synthetic(n);
  const backtest::BacktestConfig cfg = config(rec);
  backtest::RunResult out;
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    const std::uint64_t a0 = g_allocs.load();
    auto plan = strategy::builtin_plan("sma_cross", {{"fast", 10}, {"slow", 20}}, bars);
    if (!plan.ok()) {
      state.SkipWithError(plan.error().message().c_str());
      break;
    }
    backtest::SignalRunInput in;
    in.bars = &bars;
    in.plan = &*plan;
    in.share_series = rec == Recording::kReported;  // as the CLI runs it
    auto st = backtest::run_signals(in, cfg, out);
    allocs += g_allocs.load() - a0;
    if (!st.ok()) state.SkipWithError(st.error().message().c_str());
    benchmark::DoNotOptimize(out.record.equity.equity.data());
  }
  finish(state, n, allocs, out.record.trades.size());
}

// Full recording (orders, events, fills, every curve column), and what the CLI's default engine records
// for one instrument (no order journal, cash and exposure derived, the bars' ts and close not copied).
void BM_SignalRunnerSmaCross(benchmark::State& state) {
  signal_runner(state, Recording::kFull);
}
void BM_SignalRunnerSmaCrossReported(benchmark::State& state) {
  signal_runner(state, Recording::kReported);
}

// The least work this strategy needs: two SMAs, the cross test, a long-only all-in position and the
// equity per bar in one loop with no books, no orders, no fees. The yardstick for the two above on the
// same machine at the same moment (the machine is shared: absolute figures move with its load).
void BM_FloorSmaCross(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const data::BarSeries& bars = synthetic(n);
  std::vector<double> fast(n), slow(n), equity(n);
  for (auto _ : state) {
    indicators::sma(bars.close, 10, fast);
    indicators::sma(bars.close, 20, slow);
    double cash = 10000, units = 0;
    int pending = 0;  // +1 buy / -1 sell at the next open
    for (std::size_t t = 0; t < n; ++t) {
      if (pending > 0 && units == 0) {
        units = std::floor(cash / bars.open[t]);
        cash -= units * bars.open[t];
      } else if (pending < 0 && units > 0) {
        cash += units * bars.open[t];
        units = 0;
      }
      pending = 0;
      if (t > 0) {
        if (fast[t - 1] < slow[t - 1] && fast[t] > slow[t]) pending = 1;
        if (fast[t - 1] > slow[t - 1] && fast[t] < slow[t]) pending = -1;
      }
      equity[t] = cash + units * bars.close[t];
    }
    benchmark::DoNotOptimize(equity.data());
  }
  finish(state, n, 0, 0);
}

BENCHMARK(BM_FloorSmaCross)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventKernelSmaCross)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventKernelSmaCrossReported)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventKernelSmaCrossLean)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalRunnerSmaCross)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignalRunnerSmaCrossReported)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tradeloop
