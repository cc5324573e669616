#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tradeloop/core/time.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"
#if TL_HAVE_BUILTIN_SMA_CROSS
#include "tradeloop/strategy/sma_cross.h"
#endif

namespace tradeloop::strategy {
namespace {

using ::testing::HasSubstr;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

data::BarSeries bars_from_closes(const std::vector<double>& closes,
                                 Timestamp start = 1'700'000'000LL * kNanosPerSecond,
                                 Timestamp step = kNanosPerDay) {
  data::BarSeries b;
  b.symbol = "TEST";
  for (std::size_t i = 0; i < closes.size(); ++i) {
    const double c = closes[i];
    b.push_back(start + static_cast<Timestamp>(i) * step, c, c + 1, c - 1, c, 1000 + static_cast<double>(i));
  }
  return b;
}

data::BarSeries random_walk(std::size_t n, unsigned seed, double start = 100) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0, 1);
  std::vector<double> closes;
  double c = start;
  for (std::size_t i = 0; i < n; ++i) {
    c = std::max(1.0, c + step(rng));
    closes.push_back(c);
  }
  data::BarSeries b = bars_from_closes(closes);
  for (std::size_t i = 0; i < n; ++i) {  // distinct OHLC so field mix-ups show
    b.open[i] = i == 0 ? closes[0] : closes[i - 1];
    b.high[i] = std::max(b.open[i], closes[i]) + 0.5;
    b.low[i] = std::min(b.open[i], closes[i]) - 0.5;
  }
  return b;
}

Spec parse(const std::string& json) {
  auto r = parse_spec(json, "t.json");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Spec{};
}

std::string rule_spec(const std::string& long_entry, const std::string& extra = "") {
  return R"~({"rules": {"long_entry": ")~" + long_entry + "\"}" + extra + "}";
}

std::vector<int> on_bars(const std::vector<std::uint8_t>& flags) {
  std::vector<int> out;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i] != 0) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<double> values_of(const Spec& spec, const std::string& name, const data::BarSeries& bars) {
  auto program = SpecProgram::create(spec);
  EXPECT_TRUE(program.ok());
  const data::BarSeries* legs[1] = {&bars};
  auto v = program->series_values(name, program->default_values(), legs);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message());
  return v.ok() ? *v : std::vector<double>{};
}

void expect_same_series(const std::vector<double>& got, const std::vector<double>& want, double tol,
                        const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " bar " << i << ": " << got[i];
    } else {
      EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << what << " bar " << i;
    }
  }
}

const char* kSmaCross = R"~({"name": "sma_cross",
  "parameters": {"fast": {"type": "int", "default": 2, "min": 2, "max": 200}, "slow": {"type": "int", "default": 4, "min": 2, "max": 400}},
  "rules": {"long_entry": "crosses_above(sma(close, fast), sma(close, slow))", "long_exit": "crosses_below(sma(close, fast), sma(close, slow))",
            "short_entry": "crosses_below(sma(close, fast), sma(close, slow))", "short_exit": "crosses_above(sma(close, fast), sma(close, slow))"}})~";

TEST(SpecCompiler, SmaCrossFlagsOnHandMadeBars) {
  // fast-slow of SMA(2) - SMA(4): bar 3: 0 (a touch), 4: -0.25, ... 7: -0.5, 8: +0.5, ... 12: +0.5, 13: -0.5.
  const auto bars = bars_from_closes({10, 10, 10, 10, 9, 8, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8});
  auto plan = compile(parse(kSmaCross), bars);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->bars, 16u);
  EXPECT_EQ(on_bars(plan->long_entry), std::vector<int>{8});
  // Bar 4 goes from a touch (0) to below: not a cross (strict on both bars, as the built-in).
  EXPECT_EQ(on_bars(plan->long_exit), std::vector<int>{13});
  EXPECT_EQ(plan->short_entry, plan->long_exit);
  EXPECT_EQ(plan->short_exit, plan->long_entry);
  EXPECT_TRUE(plan->entry_allowed.empty());
  EXPECT_TRUE(plan->hedge_ratio.empty());
  EXPECT_TRUE(plan->sizing.empty());
  EXPECT_TRUE(std::isnan(plan->exits.stop_loss_pct));
}

#if TL_HAVE_BUILTIN_SMA_CROSS
TEST(SpecCompiler, SmaCrossEqualsTheBuiltInOnRealData) {
  auto file = data::read_bars_csv(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  ASSERT_TRUE(file.ok()) << file.error().message();
  const data::BarSeries& bars = file->bars;
  Spec spec = parse(kSmaCross);
  IndicatorCache cache;
  auto program = SpecProgram::create(spec);
  ASSERT_TRUE(program.ok());
  const data::BarSeries* legs[1] = {&bars};
  int compared = 0;
  for (int fast = 2; fast <= 30; fast += 7) {
    for (int slow = 5; slow <= 80; slow += 15) {
      if (fast == slow) continue;
      const std::vector<double> values = {double(fast), double(slow)};
      auto mine = program->run(values, legs, &cache);
      ASSERT_TRUE(mine.ok()) << mine.error().message();
      auto builtin = sma_cross_plan(bars.close, SmaCrossParams{fast, slow});
      ASSERT_TRUE(builtin.ok()) << builtin.error().message();
      EXPECT_EQ(mine->long_entry, builtin->long_entry) << fast << "/" << slow;
      EXPECT_EQ(mine->long_exit, builtin->long_exit) << fast << "/" << slow;
      EXPECT_EQ(mine->short_entry, builtin->short_entry) << fast << "/" << slow;
      EXPECT_EQ(mine->short_exit, builtin->short_exit) << fast << "/" << slow;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 30);
}
#endif

TEST(SpecCompiler, IndicatorCacheIsSharedAcrossRuns) {
  const auto bars = random_walk(500, 1);
  auto program = SpecProgram::create(parse(kSmaCross));
  ASSERT_TRUE(program.ok());
  IndicatorCache cache;
  const data::BarSeries* legs[1] = {&bars};
  ASSERT_TRUE(program->run(std::vector<double>{10, 30}, legs, &cache).ok());
  EXPECT_EQ(cache.entries(), 2u);  // sma 10 and sma 30, each once although written in four rules
  ASSERT_TRUE(program->run(std::vector<double>{10, 40}, legs, &cache).ok());
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_EQ(cache.bytes(), 3 * 500 * sizeof(double));
  // A fresh cache gives the same plan.
  IndicatorCache fresh;
  auto a = program->run(std::vector<double>{10, 40}, legs, &cache);
  auto b = program->run(std::vector<double>{10, 40}, legs, &fresh);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->long_entry, b->long_entry);
  EXPECT_EQ(a->long_exit, b->long_exit);
  // Another data set does not collide.
  const auto other = random_walk(500, 2);
  const data::BarSeries* other_legs[1] = {&other};
  auto c = program->run(std::vector<double>{10, 40}, other_legs, &cache);
  auto d = program->run(std::vector<double>{10, 40}, other_legs, nullptr);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_EQ(c->long_entry, d->long_entry);
  EXPECT_EQ(cache.entries(), 5u);
}

TEST(SpecCompiler, IndicatorOfADerivedSeriesStartsAtItsFirstNumber) {
  const auto bars = random_walk(300, 3);
  const Spec spec =
      parse(R"~({"series": {"smooth": "ema(rsi(close, 14), 9)"}, "rules": {"long_entry": "smooth > 50"}})~");
  const auto got = values_of(spec, "smooth", bars);
  indicators::InputSeries in;
  in.close = bars.close;
  auto rsi = indicators::compute("rsi", in, {{"timeperiod", 14}});
  ASSERT_TRUE(rsi.ok());
  const std::vector<double>& r = (*rsi)[0];
  std::size_t first = 0;
  while (first < r.size() && std::isnan(r[first])) ++first;
  ASSERT_EQ(first, 14u);
  indicators::InputSeries tail;
  tail.real = std::span<const double>(r).subspan(first);
  auto ema = indicators::compute("ema", tail, {{"timeperiod", 9}});
  ASSERT_TRUE(ema.ok());
  std::vector<double> want(first, kNaN);
  want.insert(want.end(), (*ema)[0].begin(), (*ema)[0].end());
  expect_same_series(got, want, 0, "ema(rsi)");
  EXPECT_FALSE(std::isnan(got.back()));
}

// Brute-force references for the builtin rolling functions.
double window_max(const std::vector<double>& x, std::size_t t, std::size_t n) {
  if (t + 1 < n) return kNaN;
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t i = t + 1 - n; i <= t; ++i) {
    if (std::isnan(x[i])) return kNaN;
    m = std::max(m, x[i]);
  }
  return m;
}

TEST(SpecCompiler, RollingBuiltinsMatchBruteForce) {
  auto bars = random_walk(400, 4);
  for (std::size_t i : {50u, 51u, 200u}) bars.close[i] = kNaN;  // holes restart every window
  const Spec spec = parse(R"~({"series": {
      "hi": "highest(close, 7)", "lo": "lowest(close, 7)", "up": "rising(close, 3)", "down": "falling(close, 3)",
      "z": "zscore(close, 20)", "slope": "ols_slope(close, open, 15)", "lag": "close[2]", "m": "min(close, open, 100)",
      "a": "abs(close - open)"}, "rules": {"long_entry": "up"}})~");
  const auto& c = bars.close;
  const auto& o = bars.open;
  const std::size_t n = c.size();
  std::vector<double> hi(n), lo(n), up(n), down(n), z(n), slope(n), lag(n), m(n), a(n);
  std::vector<double> neg(n);
  for (std::size_t t = 0; t < n; ++t) neg[t] = -c[t];
  for (std::size_t t = 0; t < n; ++t) {
    hi[t] = window_max(c, t, 7);
    lo[t] = -window_max(neg, t, 7);
    const double prev_hi = t >= 1 ? window_max(c, t - 1, 3) : kNaN;
    const double prev_lo = t >= 1 ? -window_max(neg, t - 1, 3) : kNaN;
    up[t] = c[t] > prev_hi ? 1 : 0;
    down[t] = c[t] < prev_lo ? 1 : 0;
    lag[t] = t >= 2 ? c[t - 2] : kNaN;
    m[t] = (std::isnan(c[t]) || std::isnan(o[t])) ? kNaN : std::min({c[t], o[t], 100.0});
    a[t] = std::fabs(c[t] - o[t]);
    z[t] = slope[t] = kNaN;
    if (t + 1 >= 20) {
      double s = 0, ss = 0;
      bool ok = true;
      for (std::size_t i = t + 1 - 20; i <= t; ++i) ok = ok && !std::isnan(c[i]), s += c[i];
      const double mean = s / 20;
      for (std::size_t i = t + 1 - 20; i <= t; ++i) ss += (c[i] - mean) * (c[i] - mean);
      if (ok) z[t] = (c[t] - mean) / std::sqrt(ss / 20);  // the registry's zscore: population deviation
    }
    if (t + 1 >= 15) {
      double sx = 0, sy = 0;
      bool ok = true;
      for (std::size_t i = t + 1 - 15; i <= t; ++i)
        ok = ok && !std::isnan(c[i]) && !std::isnan(o[i]), sx += o[i], sy += c[i];
      double sxx = 0, sxy = 0;
      for (std::size_t i = t + 1 - 15; i <= t; ++i)
        sxx += (o[i] - sx / 15) * (o[i] - sx / 15), sxy += (o[i] - sx / 15) * (c[i] - sy / 15);
      if (ok) slope[t] = sxy / sxx;
    }
  }
  expect_same_series(values_of(spec, "hi", bars), hi, 0, "highest");
  expect_same_series(values_of(spec, "lo", bars), lo, 0, "lowest");
  expect_same_series(values_of(spec, "up", bars), up, 0, "rising");
  expect_same_series(values_of(spec, "down", bars), down, 0, "falling");
  expect_same_series(values_of(spec, "lag", bars), lag, 0, "x[2]");
  expect_same_series(values_of(spec, "m", bars), m, 0, "min");
  expect_same_series(values_of(spec, "a", bars), a, 0, "abs");
  expect_same_series(values_of(spec, "z", bars), z, 1e-9, "zscore");
  expect_same_series(values_of(spec, "slope", bars), slope, 1e-9, "ols_slope");
}

TEST(SpecCompiler, FutureBarsNeverChangePastSignals) {
  // No look-ahead: perturbing bars after k leaves every flag up to k unchanged.
  const std::string json = R"~({"parameters": {"n": {"type": "int", "default": 12, "min": 2, "max": 50}},
    "series": {"z": "zscore(close, n)", "band": "highest(high, n)[1]"},
    "rules": {"long_entry": "crosses_above(ema(close, n), sma(close, 2 * n)) or close > band",
              "long_exit": "z > 1.5 and falling(close, 2) or rsi(close, n)[1] > 70",
              "short_entry": "crosses_below(macd(close).macd, macd(close).macdsignal) and not rising(volume, 3)",
              "short_exit": "lowest(low, n) > low[3] or abs(z) < 0.1"}})~";
  const Spec spec = parse(json);
  const auto base = random_walk(400, 5);
  auto base_plan = compile(spec, base);
  ASSERT_TRUE(base_plan.ok()) << base_plan.error().message();
  std::mt19937 rng(6);
  for (std::size_t k : {60u, 150u, 333u}) {
    auto bumped = base;
    for (std::size_t t = k + 1; t < bumped.size(); ++t) {
      const double f = 1 + 0.05 * std::sin(static_cast<double>(t));
      bumped.open[t] *= f, bumped.high[t] *= f * 1.01, bumped.low[t] *= f * 0.99, bumped.close[t] *= f;
      bumped.volume[t] = static_cast<double>(rng() % 5000);
    }
    auto plan = compile(spec, bumped);
    ASSERT_TRUE(plan.ok());
    for (auto member : {&SignalPlan::long_entry, &SignalPlan::long_exit, &SignalPlan::short_entry,
                        &SignalPlan::short_exit}) {
      const auto& a = (*base_plan).*member;
      const auto& b = (*plan).*member;
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t t = 0; t <= k; ++t)
        ASSERT_EQ(a[t], b[t]) << "bar " << t << " after perturbing from " << k + 1;
    }
  }
  // And the plan does react to the data (this test could fail).
  EXPECT_FALSE(on_bars(base_plan->long_entry).empty());
  EXPECT_FALSE(on_bars(base_plan->short_exit).empty());
}

TEST(SpecCompiler, ExitsSizingAndFilterReachThePlan) {
  auto bars =
      bars_from_closes(std::vector<double>(10, 100.0),
                       1'704'067'200LL * kNanosPerSecond /* 2024-01-01 Mon 00:00 */, 6 * kNanosPerHour);
  const Spec spec = parse(rule_spec(
      "close > 1", R"~(, "parameters": {"risk": {"type": "float", "default": 1.5, "min": 0.1, "max": 5}},
      "exits": {"stop_loss": {"atr": 2}, "take_profit": {"percent": 4}, "trailing_stop": {"percent": 1.5}, "atr_period": 3, "cooldown_bars": 2},
      "sizing": {"method": "risk", "value": "risk"},
      "filters": {"sessions": ["05:00-13:00"], "weekdays": ["mon"], "utc_offset": "+01:00"})~"));
  auto plan = compile(spec, bars);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->exits.stop_loss_atr, 2);
  EXPECT_TRUE(std::isnan(plan->exits.stop_loss_pct));
  EXPECT_EQ(plan->exits.take_profit_pct, 4);
  EXPECT_EQ(plan->exits.trailing_stop_pct, 1.5);
  EXPECT_EQ(plan->exits.cooldown_bars, 2);
  EXPECT_EQ(plan->sizing, "risk:1.5");
  indicators::InputSeries in;
  in.high = bars.high;
  in.low = bars.low;
  in.close = bars.close;
  auto atr = indicators::compute("atr", in, {{"timeperiod", 3}});
  ASSERT_TRUE(atr.ok());
  expect_same_series(plan->exits.atr, (*atr)[0], 0, "atr");
  // Bars every 6h from Monday 00:00 UTC = 01:00 local: local 01:00, 07:00, 13:00, 19:00 on Monday,
  // then Tuesday. Only 07:00 is inside 05:00-13:00 on a Monday.
  EXPECT_EQ(on_bars(plan->entry_allowed), std::vector<int>{1});
}

TEST(SpecCompiler, SessionsMayWrapPastMidnight) {
  auto bars =
      bars_from_closes(std::vector<double>(8, 100.0), 1'704'067'200LL * kNanosPerSecond, 3 * kNanosPerHour);
  auto plan = compile(parse(rule_spec("close > 1", R"~(, "filters": {"sessions": ["22:00-04:00"]})~")), bars);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(on_bars(plan->entry_allowed), (std::vector<int>{0, 1}));  // 00:00, 03:00 (21:00 is outside)
}

TEST(SpecCompiler, PairsComputeSpreadSignalsAndHedgeRatio) {
  const auto x = random_walk(300, 7, 50);
  auto y = x;
  std::mt19937 rng(8);
  std::normal_distribution<double> noise(0, 0.5);
  for (std::size_t t = 0; t < y.size(); ++t) y.close[t] = 2 * x.close[t] + 5 + noise(rng);
  const Spec spec = parse(R"~({"legs": ["y", "x"],
    "parameters": {"n": {"type": "int", "default": 30, "min": 5, "max": 200}, "entry_z": {"type": "float", "default": 1.5, "min": 0.5, "max": 4}},
    "series": {"beta": "ols_slope(y.close, x.close, n)", "spread": "y.close - beta * x.close", "z": "zscore(spread, n)"},
    "rules": {"long_entry": "z < -entry_z", "long_exit": "z > 0", "short_entry": "z > entry_z", "short_exit": "z < 0"},
    "hedge_ratio": "beta"})~");
  const data::BarSeries* legs[2] = {&y, &x};
  auto plan = compile(spec, legs);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  ASSERT_EQ(plan->hedge_ratio.size(), 300u);
  EXPECT_TRUE(std::isnan(plan->hedge_ratio[28]));
  EXPECT_NEAR(plan->hedge_ratio[299], 2.0, 0.2);
  auto program = SpecProgram::create(spec);
  auto z = program->series_values("z", program->default_values(), legs);
  ASSERT_TRUE(z.ok());
  for (std::size_t t = 0; t < 300; ++t) {
    EXPECT_EQ(plan->long_entry[t], (*z)[t] < -1.5 ? 1 : 0) << t;
    EXPECT_EQ(plan->short_entry[t], (*z)[t] > 1.5 ? 1 : 0) << t;
  }
  EXPECT_FALSE(on_bars(plan->long_entry).empty());
  EXPECT_FALSE(on_bars(plan->short_entry).empty());

  // Legs must be aligned and complete.
  auto shifted = x;
  shifted.ts[10] += 1;
  const data::BarSeries* bad[2] = {&y, &shifted};
  auto e = compile(spec, bad);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error().message(), HasSubstr("legs 'y' and 'x' are not aligned: bar 10"));
  const data::BarSeries* one[1] = {&y};
  EXPECT_THAT(compile(spec, one).error().message(),
              HasSubstr("trades 2 instrument(s) but 1 data series were given"));
}

TEST(SpecCompiler, AlignLegsKeepsCommonTimestamps) {
  const auto a = bars_from_closes({1, 2, 3, 4, 5, 6});
  auto b = bars_from_closes({10, 20, 30, 40, 50, 60});
  // b misses a's bar 2 and has an extra bar between a's 4 and 5.
  data::BarSeries c;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    c.push_back(b.ts[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
  c.push_back(b.ts[4] + 1, 1, 1, 1, 1, 1);
  c.push_back(b.ts[5], b.open[5], b.high[5], b.low[5], b.close[5], b.volume[5]);
  const data::BarSeries* legs[2] = {&a, &c};
  std::vector<std::size_t> dropped;
  auto aligned = align_legs(legs, &dropped);
  ASSERT_TRUE(aligned.ok());
  EXPECT_EQ((*aligned)[0].close, (std::vector<double>{1, 2, 4, 5, 6}));
  EXPECT_EQ((*aligned)[1].close, (std::vector<double>{10, 20, 40, 50, 60}));
  EXPECT_EQ((*aligned)[0].ts, (*aligned)[1].ts);
  EXPECT_EQ(dropped, (std::vector<std::size_t>{1, 1}));
  data::BarSeries later = bars_from_closes({1, 2}, a.ts.back() + kNanosPerDay);
  const data::BarSeries* disjoint[2] = {&a, &later};
  EXPECT_THAT(align_legs(disjoint).error().message(), HasSubstr("no timestamp in common"));
}

TEST(SpecCompiler, RunRefusesBadValues) {
  auto program = SpecProgram::create(parse(kSmaCross));
  ASSERT_TRUE(program.ok());
  const auto bars = random_walk(50, 9);
  const data::BarSeries* legs[1] = {&bars};
  auto r = program->run(std::vector<double>{1, 4}, legs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "parameter 'fast' = 1 is below its minimum 2 (range 2..200)");
  EXPECT_FALSE(program->check(std::vector<double>{3.5, 4}).ok());
  EXPECT_TRUE(program->check(std::vector<double>{3, 4}).ok());
  EXPECT_EQ(program->parameter_index("slow"), 1);
  EXPECT_EQ(program->parameter_index("nope"), -1);
}

TEST(SpecCompiler, EmptyDataGivesAnEmptyPlan) {
  data::BarSeries empty;
  auto plan = compile(parse(kSmaCross), empty);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->bars, 0u);
  EXPECT_TRUE(plan->long_entry.empty());
}

}  // namespace
}  // namespace tradeloop::strategy
