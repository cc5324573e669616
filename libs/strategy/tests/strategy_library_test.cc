// The strategy library traded end to end: specs compiled and run through the backtest kernel's signal
// runner (and, for some, the event kernel), on the bundled samples and on hand-made bars where each
// trade's entry and exit bar is known in advance. Also the speed contract's other half: the spec
// strategies give exactly the signals and trades of their hand-written C++ twins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tradeloop/backtest/engine.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/core/time.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/plan_strategy.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

#include "hand_written_plans.h"
#include "library_fixture.h"

namespace tradeloop::strategy {
namespace {

using analytics::ClosedTrade;
using analytics::Side;
using backtest::BacktestConfig;
using backtest::RunResult;

const std::vector<std::string> kSingleLeg = {
    "bollinger_reversion", "donchian_breakout", "ema_cross", "ema_rsi_filter",   "ichimoku_trend",
    "macd_momentum",       "rsi_reversion",     "sma_cross", "supertrend_trend", "vumanchu_cipher_b"};

class StrategyLibrary : public LibraryFixture {};

data::BarSeries random_walk(std::size_t n, std::uint64_t seed) {
  data::BarSeries b;
  b.symbol = "WALK";
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 1);
  double c = 500;
  for (std::size_t i = 0; i < n; ++i) {
    const double o = c;
    // Rounded to cents so equal averages (touches) happen, as in real data.
    c = std::max(1.0, std::round((c + step(rng)) * 100) / 100);
    b.push_back(static_cast<Timestamp>(i) * kNanosPerHour, o, std::max(o, c) + 0.25, std::min(o, c) - 0.25, c,
                100);
  }
  return b;
}

RunResult run(const data::BarSeries& bars, const SignalPlan& plan, const BacktestConfig& config = {}) {
  backtest::SignalRunInput input;
  input.bars = &bars;
  input.plan = &plan;
  RunResult out;
  const Status st = backtest::run_signals(input, config, out);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message());
  EXPECT_TRUE(out.fault.empty()) << out.fault;
  return out;
}

RunResult run_spec(const Spec& spec, const data::BarSeries& bars, const BacktestConfig& config = {}) {
  return run(bars, plan_of(spec, bars), config);
}

BacktestConfig with_shorts(BacktestConfig c = {}) {
  c.allow_short = true;
  return c;
}

// A trade as (side, entry bar, exit bar) for compact expectations.
struct Span {
  Side side;
  std::int64_t entry, exit;
  bool operator==(const Span&) const = default;
};

void PrintTo(const Span& s, std::ostream* os) {
  *os << (s.side == Side::kLong ? "long " : "short ") << s.entry << "->" << s.exit;
}

std::vector<Span> spans(const RunResult& r) {
  std::vector<Span> out;
  for (const auto& t : r.record.trades) out.push_back({t.side, t.entry_bar, t.exit_bar});
  return out;
}

void expect_same_trades(const RunResult& a, const RunResult& b, const std::string& what) {
  ASSERT_EQ(a.record.trades.size(), b.record.trades.size()) << what;
  for (std::size_t i = 0; i < a.record.trades.size(); ++i) {
    const ClosedTrade& x = a.record.trades[i];
    const ClosedTrade& y = b.record.trades[i];
    EXPECT_EQ(x.side, y.side) << what << " trade " << i;
    EXPECT_EQ(x.entry_bar, y.entry_bar) << what << " trade " << i;
    EXPECT_EQ(x.exit_bar, y.exit_bar) << what << " trade " << i;
    EXPECT_EQ(x.entry_price, y.entry_price) << what << " trade " << i;
    EXPECT_EQ(x.exit_price, y.exit_price) << what << " trade " << i;
    EXPECT_EQ(x.size, y.size) << what << " trade " << i;
    EXPECT_EQ(x.pnl, y.pnl) << what << " trade " << i;
    EXPECT_EQ(x.exit_reason, y.exit_reason) << what << " trade " << i;
  }
  ASSERT_EQ(a.record.open_positions.size(), b.record.open_positions.size()) << what;
  for (std::size_t i = 0; i < a.record.open_positions.size(); ++i) {
    EXPECT_EQ(a.record.open_positions[i].side, b.record.open_positions[i].side) << what;
    EXPECT_EQ(a.record.open_positions[i].size, b.record.open_positions[i].size) << what;
    EXPECT_EQ(a.record.open_positions[i].entry_price, b.record.open_positions[i].entry_price) << what;
  }
}

void expect_same_signals(const SignalPlan& spec, const SignalPlan& hand, const std::string& what) {
  EXPECT_EQ(spec.bars, hand.bars) << what;
  EXPECT_EQ(spec.long_entry, hand.long_entry) << what;
  EXPECT_EQ(spec.long_exit, hand.long_exit) << what;
  EXPECT_EQ(spec.short_entry, hand.short_entry) << what;
  EXPECT_EQ(spec.short_exit, hand.short_exit) << what;
  EXPECT_EQ(spec.warmup_bars, hand.warmup_bars) << what;
}

std::vector<const data::BarSeries*> equivalence_data() {
  static const data::BarSeries walk = random_walk(20000, 7);
  return {&sample("GOOG-1d.csv"), &sample("EURUSD-1h.csv"), &sample("ETH_BTC-5m.csv"), &walk};
}

TEST_F(StrategyLibrary, SpecSmaCrossSignalsEqualTheBuiltIn) {
  const std::vector<std::pair<int, int>> params = {{10, 20}, {2, 3}, {5, 50}, {50, 5}, {200, 30}};
  for (const auto* bars : equivalence_data()) {
    for (const auto& [fast, slow] : params) {
      const std::string what =
          bars->symbol + " fast=" + std::to_string(fast) + " slow=" + std::to_string(slow);
      auto builtin = builtin_plan("sma_cross", {{"fast", fast}, {"slow", slow}}, *bars);
      ASSERT_TRUE(builtin.ok()) << what;
      const SignalPlan spec =
          plan_of(load("sma_cross", {{"fast", std::to_string(fast)}, {"slow", std::to_string(slow)}}), *bars);
      expect_same_signals(spec, *builtin, what);
    }
  }
}

TEST_F(StrategyLibrary, SpecEmaCrossAndRsiReversionEqualTheirHandWrittenTwins) {
  for (const auto* bars : equivalence_data()) {
    for (const auto& [fast, slow] : std::vector<std::pair<int, int>>{{12, 26}, {2, 5}, {30, 200}}) {
      const SignalPlan spec =
          plan_of(load("ema_cross", {{"fast", std::to_string(fast)}, {"slow", std::to_string(slow)}}), *bars);
      expect_same_signals(spec, hand_written::ema_cross(*bars, fast, slow), bars->symbol + " ema_cross");
    }
    for (int period : {2, 14, 50}) {
      const SignalPlan spec = plan_of(load("rsi_reversion", {{"period", std::to_string(period)}}), *bars);
      expect_same_signals(spec, hand_written::rsi_reversion(*bars, period, 30, 70, 50),
                          bars->symbol + " rsi_reversion");
    }
  }
}

TEST_F(StrategyLibrary, SpecSmaCrossTradesEqualTheBuiltInThroughTheRunner) {
  std::vector<std::pair<std::string, BacktestConfig>> configs;
  configs.emplace_back("default", BacktestConfig{});
  BacktestConfig c;
  c.exclusive = true;
  configs.emplace_back("exclusive", c);
  configs.emplace_back("allow_short", with_shorts());
  c.allow_short = true;
  configs.emplace_back("allow_short+exclusive", c);
  c.fill = backtest::FillTiming::kClose;
  c.fees.taker_rate = 0.001;
  configs.emplace_back("allow_short+exclusive+fill_close+fees", c);
  for (const auto* bars : equivalence_data()) {
    auto builtin = builtin_plan("sma_cross", {{"fast", 10}, {"slow", 20}}, *bars);
    ASSERT_TRUE(builtin.ok());
    const SignalPlan spec = plan_of(load("sma_cross"), *bars);
    for (const auto& [label, config] : configs) {
      const std::string what = bars->symbol + " " + label;
      const RunResult a = run(*bars, *builtin, config);
      const RunResult b = run(*bars, spec, config);
      EXPECT_GT(a.record.trades.size(), 5u) << what;
      expect_same_trades(a, b, what);
      EXPECT_EQ(a.record.equity.equity, b.record.equity.equity) << what;
      EXPECT_EQ(a.record.warmup_bars, b.record.warmup_bars) << what;
    }
  }
}

TEST_F(StrategyLibrary, SpecSmaCrossEqualsTheBuiltInInTheEventKernel) {
  const auto& bars = sample("GOOG-1d.csv");
  for (const bool shorts : {false, true}) {
    BacktestConfig config;
    config.allow_short = shorts;
    backtest::EngineInput input;
    input.bars = {&bars};
    auto builtin = make_builtin("sma_cross", {{"fast", 10}, {"slow", 20}});
    ASSERT_TRUE(builtin.ok());
    RunResult kernel_builtin;
    ASSERT_TRUE(backtest::run_strategy(input, **builtin, config, kernel_builtin).ok());
    const SignalPlan plan = plan_of(load("sma_cross"), bars);
    SignalPlanStrategy from_spec(plan, "sma_cross");
    RunResult kernel_spec;
    ASSERT_TRUE(backtest::run_strategy(input, from_spec, config, kernel_spec).ok());
    EXPECT_GT(kernel_builtin.record.trades.size(), 20u);
    expect_same_trades(kernel_builtin, kernel_spec, shorts ? "kernel, shorts" : "kernel");
    expect_same_trades(kernel_spec, run(bars, plan, config),
                       shorts ? "kernel vs runner, shorts" : "kernel vs runner");
  }
}

// Every library strategy trades on every sample through the runner, and the event kernel trading the
// same plan agrees with the runner (exit rules as brackets, cooldown, sizing from the spec).
TEST_F(StrategyLibrary, EveryStrategyBacktestsOnTheSamples) {
  for (const std::string file : {"GOOG-1d.csv", "EURUSD-1h.csv", "ETH_BTC-5m.csv"}) {
    const auto& bars = sample(file);
    ASSERT_GT(bars.size(), 2000u) << file;
    for (const auto& name : kSingleLeg) {
      const SignalPlan plan = plan_of(load(name), bars);
      const RunResult r = run(bars, plan, with_shorts());
      EXPECT_GE(r.record.trades.size(), 1u) << name << " on " << file;
      EXPECT_EQ(r.record.equity.size(), bars.size()) << name << " on " << file;
      EXPECT_TRUE(std::isfinite(r.record.equity.equity.back())) << name << " on " << file;
      EXPECT_LT(r.record.warmup_bars, 200) << name << " on " << file;
      std::printf("%-15s %-20s %4zu trades, final equity %.2f\n", file.c_str(), name.c_str(),
                  r.record.trades.size(), r.record.equity.equity.back());
      if (name == "ema_rsi_filter" || name == "bollinger_reversion" || name == "donchian_breakout") {
        SignalPlanStrategy strategy(plan, name);
        backtest::EngineInput input;
        input.bars = {&bars};
        RunResult kernel;
        ASSERT_TRUE(backtest::run_strategy(input, strategy, with_shorts(), kernel).ok()) << name;
        expect_same_trades(kernel, r, name + " kernel vs runner on " + file);
      }
    }
  }
}

TEST_F(StrategyLibrary, PairsZscoreBacktestsOnAlignedCryptoLegs) {
  const data::BarSeries* raw[2] = {&sample("ETH_BTC-5m.csv"), &sample("ADA_BTC-5m.csv")};
  std::vector<std::size_t> dropped;
  auto legs = align_legs(raw, &dropped);
  ASSERT_TRUE(legs.ok()) << legs.error().message();
  ASSERT_GT((*legs)[0].size(), 5000u);
  EXPECT_EQ((*legs)[0].ts, (*legs)[1].ts);
  const data::BarSeries* aligned[2] = {&(*legs)[0], &(*legs)[1]};
  auto plan = compile(load("pairs_zscore"), aligned);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  backtest::SignalRunInput input;
  input.bars = aligned[0];
  input.bars2 = aligned[1];
  input.plan = &*plan;
  RunResult r;
  ASSERT_TRUE(backtest::run_pair_signals(input, BacktestConfig{}, r).ok());
  // Each spread round trip closes one trade per leg, on opposite sides.
  ASSERT_GE(r.record.trades.size(), 4u);
  int longs = 0, shorts = 0;
  for (const auto& t : r.record.trades) (t.side == Side::kLong ? longs : shorts)++;
  EXPECT_GT(longs, 0);
  EXPECT_GT(shorts, 0);
  EXPECT_TRUE(std::isfinite(r.record.equity.equity.back()));
  std::printf("pairs_zscore on ETH/ADA (%zu + %zu bars dropped): %zu leg trades, final equity %.2f\n",
              dropped[0], dropped[1], r.record.trades.size(), r.record.equity.equity.back());
}

// ---- hand-made bars: each trade where the rule says, filled at the next bar's open ----

TEST_F(StrategyLibrary, SmaCrossTradesTheHandMadeCrosses) {
  // SMA(2) - SMA(4): a touch at bar 3 (no cross), cross up at 8, cross down at 13.
  const auto bars = bars_from_closes({10, 10, 10, 10, 9, 8, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8, 9, 10, 11});
  const Spec spec = load("sma_cross", {{"fast", "2"}, {"slow", "4"}});
  const RunResult longs = run_spec(spec, bars);
  ASSERT_EQ(spans(longs), (std::vector<Span>{{Side::kLong, 9, 14}}));
  EXPECT_EQ(longs.record.trades[0].entry_price, 10);  // bar 9's open
  EXPECT_EQ(longs.record.trades[0].exit_price, 9);    // bar 14's open
  EXPECT_EQ(longs.record.trades[0].exit_reason, "signal");
  // With shorts the cross down reverses; the cross up at bar 17 covers (fills at 18).
  const RunResult both = run_spec(spec, bars, with_shorts());
  EXPECT_EQ(spans(both), (std::vector<Span>{{Side::kLong, 9, 14}, {Side::kShort, 14, 18}}));
  ASSERT_EQ(both.record.open_positions.size(), 1u);
  EXPECT_EQ(both.record.open_positions[0].side, Side::kLong);
}

TEST_F(StrategyLibrary, EmaCrossTradesTheVee) {
  // Flat 10 (touching EMAs), down to 5 at bar 10 (from a touch: no cross), up to 15 at bar 20 (cross
  // up), down to 5 at bar 30 (cross down).
  std::vector<double> closes;
  for (int i = 0; i < 40; ++i) closes.push_back(i < 10 ? 10 : i < 20 ? 5 : i < 30 ? 15 : 5);
  const RunResult r = run_spec(load("ema_cross", {{"fast", "2"}, {"slow", "5"}}), bars_from_closes(closes));
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 21, 31}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 15);
  EXPECT_EQ(r.record.trades[0].exit_price, 5);
}

TEST_F(StrategyLibrary, RsiReversionBuysOversoldSellsTheRecovery) {
  // RSI(2) (Wilder): 0 at bars 2-3, 50 at 4, 75 at 5: enter at bar 3's open, exit at bar 6's.
  const auto bars = bars_from_closes({10, 9, 8, 7, 8, 9, 10, 10});
  const RunResult r = run_spec(load("rsi_reversion", {{"period", "2"}}), bars);
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 3, 6}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 7);
  EXPECT_EQ(r.record.trades[0].exit_price, 10);
  EXPECT_GT(r.record.trades[0].pnl, 0);
}

TEST_F(StrategyLibrary, BollingerReversionBuysBelowTheBandExitsAtTheMiddle) {
  // Period 5, k 1: the drop to 8 at bar 5 is below the lower band; bar 6 (back at 10) is above the
  // middle band: buy at bar 6's open (10), sell at bar 7's open (10).
  const auto bars = bars_from_closes({10, 10, 10, 10, 10, 8, 10, 10, 10, 10, 10});
  const RunResult r = run_spec(load("bollinger_reversion", {{"period", "5"}, {"k", "1"}}), bars);
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 6, 7}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 10);
}

TEST_F(StrategyLibrary, DonchianBreakoutEntersAboveTheChannelExitsBelowTheShortOne) {
  // high = close + 1, low = close - 1. Bar 6 (12) breaks the previous 5-bar high (11); bar 9 (10)
  // breaks the previous 2-bar low (11).
  const auto bars = bars_from_closes({10, 10, 10, 10, 10, 10, 12, 12, 13, 10, 10});
  const RunResult r =
      run_spec(load("donchian_breakout", {{"entry_period", "5"}, {"exit_period", "2"}}), bars);
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 7, 10}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 12);
  EXPECT_EQ(r.record.trades[0].exit_price, 10);
}

TEST_F(StrategyLibrary, MacdMomentumTradesTheVee) {
  // A fall then a rise: MACD (2, 5, 2) falls below its signal during the fall and crosses above it
  // on the first bar of the rise (bar 20: the fast EMA jumps above the slow one while the signal still
  // lags below), and crosses below on the first bar of the second fall (bar 30).
  std::vector<double> closes;
  for (int i = 0; i < 40; ++i)
    closes.push_back(i < 10   ? 100 - i
                     : i < 20 ? 91 - 2 * (i - 10)
                     : i < 30 ? 73 + 3 * (i - 20)
                              : 100 - 3 * (i - 30));
  const auto bars = bars_from_closes(closes);
  const Spec spec = load("macd_momentum", {{"fast", "2"}, {"slow", "5"}, {"signal", "2"}});
  const SignalPlan plan = plan_of(spec, bars);
  // The cross bars from the typed MACD (an independent path to the same TA-Lib values).
  std::vector<double> m(bars.size()), s(bars.size()), h(bars.size());
  indicators::macd(bars.close, 2, 5, 2, m, s, h);
  std::vector<int> ups, downs;
  for (std::size_t t = 1; t < bars.size(); ++t) {
    if (m[t - 1] < s[t - 1] && m[t] > s[t]) ups.push_back(static_cast<int>(t));
    if (m[t - 1] > s[t - 1] && m[t] < s[t]) downs.push_back(static_cast<int>(t));
  }
  // (During the fall the line and its signal are equal up to rounding, so a cross down may show
  // there too; long-only, it has nothing to close.)
  ASSERT_EQ(ups, std::vector<int>{20});
  ASSERT_FALSE(downs.empty());
  ASSERT_EQ(downs.back(), 30);
  for (int d : downs) ASSERT_TRUE(d < 20 || d == 30) << d;
  const RunResult r = run(bars, plan);
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 21, 31}}));
  EXPECT_EQ(r.record.trades[0].entry_price, closes[21]);
  EXPECT_EQ(r.record.trades[0].exit_price, closes[31]);
  // require_trend: MACD is still below zero at bar 20 (the slow EMA remembers the fall): no entry.
  EXPECT_LT(m[20], 0);
  EXPECT_TRUE(
      run_spec(load("macd_momentum", {{"fast", "2"}, {"slow", "5"}, {"signal", "2"}, {"require_trend", "1"}}),
               bars)
          .record.trades.empty());
}

TEST_F(StrategyLibrary, SupertrendTradesTheFlips) {
  // 100 flat (high 101, low 99: ATR 2), a crash to 80 at bar 20 (below the lower band 100 - 3 x ATR:
  // down), a jump to 120 at bar 30 (above the upper band, at most 80 + 3 x ATR(10) ~ 88: up), a fall
  // to 100 at bar 40 (below the lower band, at least 120 - 3 x ATR ~ 109: down).
  std::vector<double> closes;
  for (int i = 0; i < 50; ++i) closes.push_back(i < 20 ? 100 : i < 30 ? 80 : i < 40 ? 120 : 100);
  const auto bars = bars_from_closes(closes);
  const Spec spec = load("supertrend_trend", {{"period", "10"}, {"multiplier", "3"}});
  const RunResult r = run_spec(spec, bars);
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 31, 41}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 120);
  EXPECT_EQ(r.record.trades[0].exit_price, 100);
  // With shorts: the flip down at bar 20 is an entry only if the direction was up before it; the flip
  // down at bar 40 reverses into a short held to the end.
  const RunResult both = run_spec(spec, bars, with_shorts());
  ASSERT_GE(both.record.trades.size(), 1u);
  EXPECT_EQ(spans(both).back(), (Span{Side::kLong, 31, 41}));
  ASSERT_EQ(both.record.open_positions.size(), 1u);
  EXPECT_EQ(both.record.open_positions[0].side, Side::kShort);
  EXPECT_EQ(both.record.open_positions[0].entry_price, 100);
}

TEST_F(StrategyLibrary, IchimokuBuysTheCrossAboveTheCloudAndExitsBelowIt) {
  // tenkan 2, kijun 5, senkou_b 10, displacement 1; high/low = close +- 1, so mid(n) is the mid of the
  // closes. A fall by 1 a bar to 101 (bar 19), a rise by 2.5 a bar to 126 (bar 29), a drop to 100.
  //   bar 20: tenkan (101 + 103.5) / 2 = 102.25 < kijun (104 + 101) / 2 = 102.5
  //   bar 21: tenkan (103.5 + 106) / 2 = 104.75 > kijun (106 + 101) / 2 = 103.5: the cross; the
  //           cloud is senkou_a = (102.25 + 102.5) / 2 = 102.375, senkou_b = mid10 of bars 11..20 =
  //           (109 + 101) / 2 = 105, and the close 106 is above both: long at bar 22's open (108.5).
  //   bar 30: the close 100 falls below the cloud (bottom = mid10 of bars 20..29 = 114.75): exit at
  //           bar 31's open (100).
  std::vector<double> closes;
  for (int t = 0; t < 36; ++t) closes.push_back(t < 20 ? 120 - t : t < 30 ? 101 + 2.5 * (t - 19) : 100);
  const Spec spec =
      load("ichimoku_trend", {{"tenkan", "2"}, {"kijun", "5"}, {"senkou_b", "10"}, {"displacement", "1"}});
  const RunResult r = run_spec(spec, bars_from_closes(closes));
  ASSERT_EQ(spans(r), (std::vector<Span>{{Side::kLong, 22, 31}}));
  EXPECT_EQ(r.record.trades[0].entry_price, 108.5);
  EXPECT_EQ(r.record.trades[0].exit_price, 100);
}

// Bars with high = close + 1, low = close - 1 (so hlc3 = close, exact for integer closes) and every
// candle green (open = close - 0.5) or red (open = close + 0.5).
data::BarSeries candles_from_closes(const std::vector<double>& closes, bool green) {
  data::BarSeries b = bars_from_closes(closes);
  for (auto& open : b.open) open += green ? -0.5 : 0.5;
  return b;
}

// Pine's ema (seeded with the SMA of its first `period` values, started at the first non-NaN input)
// and sma, written out plainly: the reference for the VuManChu test below.
std::vector<double> pine_ema(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), std::numeric_limits<double>::quiet_NaN());
  std::size_t start = 0;
  while (start < x.size() && std::isnan(x[start])) ++start;
  if (start + static_cast<std::size_t>(period) > x.size()) return out;
  double seed = 0;
  for (int k = 0; k < period; ++k) seed += x[start + static_cast<std::size_t>(k)];
  std::size_t t = start + static_cast<std::size_t>(period) - 1;
  out[t] = seed / period;
  const double alpha = 2.0 / (period + 1);
  for (++t; t < x.size(); ++t) out[t] = alpha * x[t] + (1 - alpha) * out[t - 1];
  return out;
}

std::vector<double> pine_sma(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t t = static_cast<std::size_t>(period) - 1; t < x.size(); ++t) {
    double sum = 0;
    for (int k = 0; k < period; ++k) sum += x[t - static_cast<std::size_t>(k)];
    out[t] = sum / period;
  }
  return out;
}

TEST_F(StrategyLibrary, VumanchuCipherBBuysTheGreenDotAndSellsTheNextDownCross) {
  // WaveTrend (channel 3, average 3, signal sma 3) of hlc3 = close: 100 for 40 bars (wt1 = wt2 = 0
  // exactly), 90 from bar 40, back to 100 at bar 70. With ema factor 1/2:
  //   bar 40: esa 95, de 2.5, ci = -5 / (0.015 * 2.5) = -133.3, wt1 = -66.7, wt2 = -22.2 (no cross:
  //           the previous bar's were equal)
  //   bar 41: esa 92.5, de 2.5, ci = -66.7, wt1 = -66.7, wt2 = -44.4
  //   bar 42: esa 91.25, de 1.875, ci = -44.4, wt1 = -55.6 > wt2 = -63.0 <= os_level -53: the green
  //           dot (buy). Then ci = -133.3 / (k + 1) k bars after the drop: wt1 climbs, wt2 trails it.
  //   bar 70: the jump back up; at bar 72 wt1 (~55) falls below wt2 (~61): the down-cross (exit).
  // Green candles: the RSI+MFI area is sma(0.5 / 2 * 150) - 2.5 = 35 > 0, so the buy is taken at bar
  // 43's open (89.5) and closed at bar 73's open (99.5).
  std::vector<double> closes;
  for (int t = 0; t < 80; ++t) closes.push_back(t < 40 ? 100 : t < 70 ? 90 : 100);
  const std::map<std::string, std::string> params = {
      {"channel_length", "3"}, {"average_length", "3"}, {"mfi_period", "5"}};
  const Spec spec = load("vumanchu_cipher_b", params);
  const auto green = candles_from_closes(closes, true);
  const auto red = candles_from_closes(closes, false);

  // The reference: the script's formulas, plainly.
  const std::vector<double> esa = pine_ema(closes, 3);
  std::vector<double> deviation(closes.size());
  for (std::size_t t = 0; t < closes.size(); ++t) deviation[t] = std::fabs(closes[t] - esa[t]);
  const std::vector<double> de = pine_ema(deviation, 3);
  std::vector<double> ci(closes.size());
  for (std::size_t t = 0; t < closes.size(); ++t) {
    ci[t] = de[t] == 0 ? 0.0 : (closes[t] - esa[t]) / (0.015 * de[t]);
  }
  const std::vector<double> wt1 = pine_ema(ci, 3);
  const std::vector<double> wt2 = pine_sma(wt1, 3);
  std::vector<int> buys, sells;
  for (std::size_t t = 1; t < closes.size(); ++t) {
    if (wt1[t] > wt2[t] && wt1[t - 1] < wt2[t - 1] && wt2[t] <= -53) buys.push_back(static_cast<int>(t));
    if (wt1[t] < wt2[t] && wt1[t - 1] > wt2[t - 1] && wt2[t] >= 53) sells.push_back(static_cast<int>(t));
  }
  EXPECT_NEAR(wt1[40], -200.0 / 3, 1e-9);
  EXPECT_NEAR(wt2[40], -200.0 / 9, 1e-9);
  EXPECT_NEAR(wt1[42], -500.0 / 9, 1e-9);
  EXPECT_NEAR(wt2[42], -1700.0 / 27, 1e-9);
  ASSERT_EQ(buys, std::vector<int>{42});
  ASSERT_EQ(sells, std::vector<int>{72});
  for (std::size_t t = 43; t < 72; ++t) ASSERT_GT(wt1[t], wt2[t]) << t;  // no down-cross while held

  const RunResult longs = run_spec(spec, green);
  ASSERT_EQ(spans(longs), (std::vector<Span>{{Side::kLong, 43, 73}}));
  EXPECT_EQ(longs.record.trades[0].entry_price, 89.5);
  EXPECT_EQ(longs.record.trades[0].exit_price, 99.5);
  EXPECT_EQ(longs.record.trades[0].exit_reason, "signal");
  EXPECT_GT(longs.record.trades[0].pnl, 0);
  // The red dot at bar 72 (wt2 ~61 >= ob_level 53) is no short: the money flow is positive.
  const RunResult both = run_spec(spec, green, with_shorts());
  EXPECT_EQ(spans(both), (std::vector<Span>{{Side::kLong, 43, 73}}));
  EXPECT_TRUE(both.record.open_positions.empty());

  // Red candles: the area is -40, so the green dot is no buy, and the red dot shorts at bar 73's open
  // (100.5), held to the end (no up-cross after it).
  EXPECT_TRUE(run_spec(spec, red).record.trades.empty());
  const RunResult shorts = run_spec(spec, red, with_shorts());
  EXPECT_TRUE(shorts.record.trades.empty());
  ASSERT_EQ(shorts.record.open_positions.size(), 1u);
  EXPECT_EQ(shorts.record.open_positions[0].side, Side::kShort);
  EXPECT_EQ(shorts.record.open_positions[0].entry_price, 100.5);
  // min_flow below the red candles' area lets the green dot through again.
  EXPECT_EQ(
      spans(run_spec(
          load("vumanchu_cipher_b",
               {{"channel_length", "3"}, {"average_length", "3"}, {"mfi_period", "5"}, {"min_flow", "-45"}}),
          red)),
      (std::vector<Span>{{Side::kLong, 43, 73}}));
}

TEST_F(StrategyLibrary, EmaRsiFilterEntersTheTrendAndExitsAtTheTakeProfit) {
  // A zigzag uptrend (+2, -1.5, ...): EMA(8) > EMA(30) once both exist (bar 29), and Wilder RSI(7) of
  // the zigzag settles between 14/26.5 and 14/23 (53% to 61%, below overbought, above oversold): the
  // long rule fires from bar 29 on, and never before (no RSI extreme). The
  // position opens at bar 30's open; the 4% take-profit is the first bar whose high reaches it.
  std::vector<double> closes = {100};
  for (int i = 1; i < 90; ++i) closes.push_back(closes.back() + (i % 2 == 1 ? 2 : -1.5));
  const auto bars = bars_from_closes(closes, 0.5);
  const Spec spec = load("ema_rsi_filter", {{"ema_fast", "8"}, {"ema_slow", "30"}, {"rsi_period", "7"}});
  const SignalPlan plan = plan_of(spec, bars);
  std::vector<double> r(bars.size());
  indicators::rsi(bars.close, 7, r);
  for (std::size_t t = 29; t < bars.size(); ++t) {
    ASSERT_GT(r[t], 45) << t;
    ASSERT_LT(r[t], 65) << t;
  }
  for (std::size_t t = 0; t < bars.size(); ++t) {
    ASSERT_EQ(plan.long_entry[t], t >= 29 ? 1 : 0) << t;
    ASSERT_EQ(plan.short_entry[t], 0) << t;
  }
  const RunResult run1 = run(bars, plan);
  ASSERT_GE(run1.record.trades.size(), 1u);
  const ClosedTrade& t = run1.record.trades[0];
  EXPECT_EQ(t.entry_bar, 30);
  EXPECT_EQ(t.entry_price, closes[30]);
  const double tp = closes[30] * 1.04;
  std::int64_t hit = 30;
  while (bars.high[static_cast<std::size_t>(hit)] < tp) ++hit;
  EXPECT_EQ(t.exit_bar, hit);
  EXPECT_EQ(t.exit_reason, "take_profit");
  EXPECT_NEAR(t.exit_price, tp, 1e-9);
  // Risk sizing: 0.5% of the equity is lost at the 2% stop.
  EXPECT_NEAR(t.size * closes[30] * 0.02, 10000 * 0.005, closes[30] * 0.02);
  // The rule still holds after the exit, so the next bar re-enters.
  ASSERT_GE(run1.record.trades.size(), 2u);
  EXPECT_EQ(run1.record.trades[1].entry_bar, hit + 1);
}

TEST_F(StrategyLibrary, EmaRsiFilterShortsTheDowntrendAndStopsOut) {
  // The mirror zigzag downtrend (-2, +1.5, ...) shorts from bar 29 (RSI between 39% and 47%, above
  // oversold); a jump of 5% at bar 40 hits the 2% stop-loss, which gaps: filled at the open.
  std::vector<double> closes = {200};
  for (int i = 1; i < 60; ++i) closes.push_back(closes.back() + (i % 2 == 1 ? -2 : 1.5));
  for (std::size_t i = 40; i < closes.size(); ++i) closes[i] *= 1.05;
  const auto bars = bars_from_closes(closes, 0.5);
  const Spec spec = load("ema_rsi_filter", {{"ema_fast", "8"}, {"ema_slow", "30"}, {"rsi_period", "7"}});
  const RunResult r = run_spec(spec, bars, with_shorts());
  ASSERT_GE(r.record.trades.size(), 1u);
  const ClosedTrade& t = r.record.trades[0];
  EXPECT_EQ(t.side, Side::kShort);
  EXPECT_EQ(t.entry_bar, 30);
  EXPECT_EQ(t.entry_price, closes[30]);
  EXPECT_EQ(t.exit_bar, 40);
  EXPECT_EQ(t.exit_reason, "stop_loss");
  EXPECT_EQ(t.exit_price, closes[40]);  // the gap opens above the stop
  EXPECT_LT(t.pnl, 0);
}

TEST_F(StrategyLibrary, PairsZscoreTradesTheSpreadOutlier) {
  // y = 2 x + a small wiggle, with one dip of y at bar 150: long the spread (buy y, sell x) at bar
  // 151's open; the dip is gone at bar 151, so z is back above -exit_z and the exit fills at 152.
  std::vector<double> xs, ys;
  for (int t = 0; t < 200; ++t) {
    const double x = 50 + 10 * std::sin(t / 17.0) + 0.05 * t;
    xs.push_back(x);
    ys.push_back(2 * x + 0.2 * std::sin(t * 1.3) - (t == 150 ? 3.0 : 0.0));
  }
  const auto x = bars_from_closes(xs, 0.1);
  const auto y = bars_from_closes(ys, 0.1);
  const data::BarSeries* legs[2] = {&y, &x};
  auto plan = compile(load("pairs_zscore", {{"lookback", "40"}, {"entry_z", "2.5"}}), legs);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  ASSERT_EQ(plan->long_entry[150], 1);
  for (int t = 0; t < 150; ++t) ASSERT_EQ(plan->long_entry[t] + plan->short_entry[t], 0) << t;
  backtest::SignalRunInput input;
  input.bars = &y;
  input.bars2 = &x;
  input.plan = &*plan;
  RunResult r;
  ASSERT_TRUE(backtest::run_pair_signals(input, BacktestConfig{}, r).ok());
  ASSERT_GE(r.record.trades.size(), 2u);
  // The first round trip: long y and short x, both entered at bar 151 and closed at the exit fill.
  const ClosedTrade& a = r.record.trades[0];
  const ClosedTrade& b = r.record.trades[1];
  EXPECT_EQ(a.entry_bar, 151);
  EXPECT_EQ(b.entry_bar, 151);
  EXPECT_NE(a.side, b.side);
  const ClosedTrade& ylong = a.side == Side::kLong ? a : b;
  const ClosedTrade& xshort = a.side == Side::kLong ? b : a;
  EXPECT_EQ(ylong.entry_price, ys[151]);
  EXPECT_EQ(xshort.entry_price, xs[151]);
  // Hedge: about beta (~2) units of x per unit of y.
  EXPECT_NEAR(xshort.size / ylong.size, plan->hedge_ratio[150], 0.02 * plan->hedge_ratio[150]);
  std::int64_t exit_signal = 151;
  while (plan->long_exit[static_cast<std::size_t>(exit_signal)] == 0) ++exit_signal;
  EXPECT_EQ(ylong.exit_bar, exit_signal + 1);
  EXPECT_EQ(xshort.exit_bar, exit_signal + 1);
}

}  // namespace
}  // namespace tradeloop::strategy
