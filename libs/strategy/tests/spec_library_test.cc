// The strategy library (strategies/*.json): every spec loads, is canonical-stable, compiles on the
// sample data, and trades exactly where expected on hand-made bars or where an independent
// formulation (the indicators library plus the rule written in C++) says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

#include "library_fixture.h"

namespace tradeloop::strategy {
namespace {

using ::testing::HasSubstr;

class LibraryTest : public LibraryFixture {};

const std::vector<std::string> kLibrary = {"bollinger_reversion", "donchian_breakout", "ema_cross",
                                           "ema_rsi_filter",      "ichimoku_trend",    "macd_momentum",
                                           "pairs_zscore",        "rsi_reversion",     "sma_cross",
                                           "supertrend_trend",    "vumanchu_cipher_b"};

// Bars of both series at their common timestamps.
std::pair<data::BarSeries, data::BarSeries> intersect(const data::BarSeries& a, const data::BarSeries& b) {
  std::pair<data::BarSeries, data::BarSeries> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a.ts[i] < b.ts[j]) {
      ++i;
    } else if (b.ts[j] < a.ts[i]) {
      ++j;
    } else {
      out.first.push_back(a.ts[i], a.open[i], a.high[i], a.low[i], a.close[i], a.volume[i]);
      out.second.push_back(b.ts[j], b.open[j], b.high[j], b.low[j], b.close[j], b.volume[j]);
      ++i, ++j;
    }
  }
  return out;
}

std::vector<int> on_bars(const std::vector<std::uint8_t>& flags) {
  std::vector<int> out;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i] != 0) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<std::vector<double>> indicator(const std::string& name, const data::BarSeries& b,
                                           const std::map<std::string, double>& params) {
  indicators::InputSeries in;
  in.ts = b.ts;
  in.open = b.open;
  in.high = b.high;
  in.low = b.low;
  in.close = b.close;
  in.volume = b.volume;
  auto r = indicators::compute(name, in, params);
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : std::vector<std::vector<double>>{};
}

std::vector<std::uint8_t> cross(const std::vector<double>& a, const std::vector<double>& b, bool up) {
  std::vector<std::uint8_t> out(a.size(), 0);
  for (std::size_t t = 1; t < a.size(); ++t) {
    out[t] = up ? (a[t - 1] < b[t - 1] && a[t] > b[t]) : (a[t - 1] > b[t - 1] && a[t] < b[t]);
  }
  return out;
}

TEST_F(LibraryTest, EveryStrategyLoadsIsDescribedAndCanonicalStable) {
  const LibraryListing listing = list_library();
  EXPECT_TRUE(listing.problems.empty()) << listing.problems.front();
  std::vector<std::string> names;
  for (const auto& s : listing.specs) names.push_back(s.name);
  for (const auto& want : kLibrary) EXPECT_THAT(names, ::testing::Contains(want));
  std::vector<std::string> hashes;
  for (const auto& name : kLibrary) {
    const Spec spec = load(name);
    EXPECT_EQ(spec.name, name);
    EXPECT_GT(spec.description.size(), 120u) << name << ": a one-paragraph description";
    EXPECT_FALSE(spec.type.empty()) << name;
    EXPECT_FALSE(spec.parameters.empty()) << name;
    for (const auto& p : spec.parameters) {
      EXPECT_FALSE(p.description.empty()) << name << "." << p.name;
      if (p.kind != SpecParamKind::kCategorical) {
        EXPECT_LT(p.min, p.max) << name << "." << p.name;
      }
    }
    auto canonical = canonical_json(spec, 2);
    ASSERT_TRUE(canonical.ok()) << name;
    auto again = parse_spec(*canonical, name);
    ASSERT_TRUE(again.ok()) << name << ": " << again.error().message();
    EXPECT_EQ(*canonical_json(*again, 2), *canonical) << name;
    EXPECT_EQ(*spec_hash(*again), *spec_hash(spec)) << name;
    auto text = explain(spec);
    ASSERT_TRUE(text.ok()) << name;
    EXPECT_THAT(*text, HasSubstr("when")) << name;
    hashes.push_back(*spec_hash(spec));
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::unique(hashes.begin(), hashes.end()), hashes.end())
      << "two library strategies trade identically";
}

TEST_F(LibraryTest, UnknownNamesListTheLibrary) {
  auto r = load_spec("sma_crosss");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message(), HasSubstr("unknown strategy 'sma_crosss'"));
  EXPECT_THAT(r.error().message(), HasSubstr("library: bollinger_reversion, donchian_breakout"));
  auto missing = load_spec("/nonexistent/x.json");
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(LibraryTest, EveryStrategyCompilesOnSampleData) {
  const auto& goog = sample("GOOG-1d.csv");
  const auto& eth = sample("ETH_BTC-5m.csv");
  const auto& ada = sample("ADA_BTC-5m.csv");
  const auto [y, x] = intersect(eth, ada);
  ASSERT_GT(y.size(), 5000u);
  for (const auto& name : kLibrary) {
    const Spec spec = load(name);
    SignalPlan plan;
    if (spec.legs.size() == 2) {
      const data::BarSeries* legs[2] = {&y, &x};
      auto r = compile(spec, legs);
      ASSERT_TRUE(r.ok()) << name << ": " << r.error().message();
      plan = *r;
      EXPECT_EQ(plan.hedge_ratio.size(), y.size());
    } else {
      plan = plan_of(spec, goog);
    }
    EXPECT_EQ(plan.bars, spec.legs.size() == 2 ? y.size() : goog.size()) << name;
    const auto entries = on_bars(plan.long_entry).size() + on_bars(plan.short_entry).size();
    EXPECT_GE(entries, 2u) << name << " never trades on the sample";
    std::printf("%-20s long entries %4zu  long exits %4zu  short entries %4zu\n", name.c_str(),
                on_bars(plan.long_entry).size(), on_bars(plan.long_exit).size(),
                on_bars(plan.short_entry).size());
  }
}

TEST_F(LibraryTest, SmaCrossTradesOnTheHandMadeCrosses) {
  // SMA(2) - SMA(4): 0 at bar 3 (a touch, not a cross), negative to bar 7, positive 8..12, negative from 13.
  const auto bars = bars_from_closes({10, 10, 10, 10, 9, 8, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8});
  const SignalPlan plan = plan_of(load("sma_cross", {{"fast", "2"}, {"slow", "4"}}), bars);
  EXPECT_EQ(on_bars(plan.long_entry), std::vector<int>{8});
  EXPECT_EQ(on_bars(plan.long_exit), std::vector<int>{13});
  EXPECT_EQ(on_bars(plan.short_entry), std::vector<int>{13});
  EXPECT_EQ(on_bars(plan.short_exit), std::vector<int>{8});
  auto same = with_overrides(load("sma_cross"), {{"fast", "20"}, {"slow", "20"}});
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().message(), "constraint 'fast != slow' is violated (fast = 20, slow = 20)");
}

TEST_F(LibraryTest, EmaCrossTradesOnAVee) {
  // Flat at 10 (the EMAs touch: no cross), down to 5 from bar 10 (the fast EMA falls below the slow one
  // from a touch: not a cross), up to 15 from bar 20 (cross up at 20), down to 5 from bar 30 (cross down).
  std::vector<double> closes;
  for (int i = 0; i < 40; ++i) closes.push_back(i < 10 ? 10 : i < 20 ? 5 : i < 30 ? 15 : 5);
  const SignalPlan plan =
      plan_of(load("ema_cross", {{"fast", "2"}, {"slow", "5"}}), bars_from_closes(closes));
  EXPECT_EQ(on_bars(plan.long_entry), std::vector<int>{20});
  EXPECT_EQ(on_bars(plan.long_exit), std::vector<int>{30});
}

TEST_F(LibraryTest, RsiReversionBuysOversoldAndSellsTheRecovery) {
  // RSI(2), Wilder: bars 2 and 3 are 0 (only losses), bar 4 is 50, bar 5 is 75, bar 6 is 87.5.
  const auto bars = bars_from_closes({10, 9, 8, 7, 8, 9, 10});
  const SignalPlan plan = plan_of(load("rsi_reversion", {{"period", "2"}}), bars);
  EXPECT_EQ(on_bars(plan.long_entry), (std::vector<int>{2, 3}));
  EXPECT_EQ(on_bars(plan.long_exit), (std::vector<int>{5, 6}));  // 50 at bar 4 is not above 50
  EXPECT_EQ(on_bars(plan.short_entry), (std::vector<int>{5, 6}));
  EXPECT_EQ(on_bars(plan.short_exit), (std::vector<int>{2, 3}));
}

TEST_F(LibraryTest, BollingerReversionBuysBelowTheLowerBand) {
  // Period 5, k 1: a single drop of d below a flat 10 puts the close 2d/5 below the lower band
  // (mean 10 - d/5, population deviation 2d/5); the recovery is above the middle band until the window
  // is flat again.
  const auto bars = bars_from_closes({10, 10, 10, 10, 10, 8, 10, 10, 10, 10, 10});
  const SignalPlan plan = plan_of(load("bollinger_reversion", {{"period", "5"}, {"k", "1"}}), bars);
  EXPECT_EQ(on_bars(plan.long_entry), std::vector<int>{5});
  EXPECT_EQ(on_bars(plan.long_exit), (std::vector<int>{6, 7, 8, 9}));
  EXPECT_TRUE(on_bars(plan.short_entry).empty());
}

TEST_F(LibraryTest, DonchianBreakoutUsesThePreviousBarsChannel) {
  // high = close + 1, low = close - 1. Bar 6 closes at 12 above the 5-bar high before it (11); bar 9
  // closes at 10 below the 2-bar low before it (11). Bar 8 closes at 13, equal to the channel: no entry.
  const auto bars = bars_from_closes({10, 10, 10, 10, 10, 10, 12, 12, 13, 10});
  const SignalPlan plan =
      plan_of(load("donchian_breakout", {{"entry_period", "5"}, {"exit_period", "2"}}), bars);
  EXPECT_EQ(on_bars(plan.long_entry), std::vector<int>{6});
  EXPECT_EQ(on_bars(plan.long_exit), std::vector<int>{9});
  EXPECT_TRUE(on_bars(plan.short_entry).empty());  // 10 is not below the 5-bar low (9)
  EXPECT_EQ(on_bars(plan.short_exit), std::vector<int>{6});
}

TEST_F(LibraryTest, MacdMomentumMatchesTheIndicatorsCrosses) {
  const auto& bars = sample("GOOG-1d.csv");
  for (const char* trend : {"0", "1"}) {
    const SignalPlan plan = plan_of(load("macd_momentum", {{"require_trend", trend}}), bars);
    const auto m = indicator("macd", bars, {{"fastperiod", 12}, {"slowperiod", 26}, {"signalperiod", 9}});
    auto up = cross(m[0], m[1], true);
    auto down = cross(m[0], m[1], false);
    const auto exits_long = down;
    const auto exits_short = up;
    if (std::string(trend) == "1") {
      for (std::size_t t = 0; t < up.size(); ++t) {
        up[t] = up[t] && m[0][t] > 0;
        down[t] = down[t] && m[0][t] < 0;
      }
    }
    EXPECT_EQ(plan.long_entry, up) << trend;
    EXPECT_EQ(plan.long_exit, exits_long) << trend;
    EXPECT_EQ(plan.short_entry, down) << trend;
    EXPECT_EQ(plan.short_exit, exits_short) << trend;
    EXPECT_GT(on_bars(plan.long_entry).size(), 10u);
  }
}

TEST_F(LibraryTest, SupertrendTradesTheDirectionFlips) {
  const auto& bars = sample("GOOG-1d.csv");
  const SignalPlan plan = plan_of(load("supertrend_trend", {{"period", "7"}, {"multiplier", "2.5"}}), bars);
  const auto st = indicator("supertrend", bars, {{"timeperiod", 7}, {"multiplier", 2.5}});
  std::vector<std::uint8_t> up(bars.size(), 0), down(bars.size(), 0);
  for (std::size_t t = 1; t < bars.size(); ++t) {
    up[t] = st[1][t - 1] == -1 && st[1][t] == 1;
    down[t] = st[1][t - 1] == 1 && st[1][t] == -1;
  }
  EXPECT_EQ(plan.long_entry, up);
  EXPECT_EQ(plan.long_exit, down);
  EXPECT_GT(on_bars(up).size(), 10u);
}

TEST_F(LibraryTest, IchimokuNeedsTheCrossAndTheCloud) {
  const auto& bars = sample("GOOG-1d.csv");
  const SignalPlan plan = plan_of(load("ichimoku_trend"), bars);
  const auto ich =
      indicator("ichimoku", bars,
                {{"tenkan_period", 9}, {"kijun_period", 26}, {"senkou_b_period", 52}, {"displacement", 26}});
  const auto up = cross(ich[0], ich[1], true);
  const auto down = cross(ich[0], ich[1], false);
  const std::size_t n = bars.size();
  std::vector<std::uint8_t> le(n), lx(n), se(n), sx(n);
  for (std::size_t t = 0; t < n; ++t) {
    const double a = ich[2][t], b = ich[3][t];
    const double top = std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    const double bottom = std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    le[t] = up[t] && bars.close[t] > top;
    lx[t] = down[t] || bars.close[t] < bottom;
    se[t] = down[t] && bars.close[t] < bottom;
    sx[t] = up[t] || bars.close[t] > top;
  }
  EXPECT_EQ(plan.long_entry, le);
  EXPECT_EQ(plan.long_exit, lx);
  EXPECT_EQ(plan.short_entry, se);
  EXPECT_EQ(plan.short_exit, sx);
  EXPECT_GT(on_bars(le).size(), 3u);
}

TEST_F(LibraryTest, VumanchuBuysGreenDotsWithPositiveMoneyFlow) {
  const auto& bars = sample("ETH_BTC-5m.csv");
  const SignalPlan plan = plan_of(load("vumanchu_cipher_b"), bars);
  const auto v = indicator("vmc_cipher_b", bars, {});
  // outputs: wt1 wt2 wt_vwap wt_cross buy sell rsi_mfi ...
  const std::size_t n = bars.size();
  std::vector<std::uint8_t> le(n), lx(n), se(n), sx(n);
  for (std::size_t t = 0; t < n; ++t) {
    le[t] = v[4][t] > 0 && v[6][t] > 0;
    lx[t] = v[3][t] < 0;
    se[t] = v[5][t] > 0 && v[6][t] < 0;
    sx[t] = v[3][t] > 0;
  }
  EXPECT_EQ(plan.long_entry, le);
  EXPECT_EQ(plan.long_exit, lx);
  EXPECT_EQ(plan.short_entry, se);
  EXPECT_EQ(plan.short_exit, sx);
  EXPECT_GT(on_bars(le).size() + on_bars(se).size(), 3u);
}

TEST_F(LibraryTest, PairsEnterOnTheSpreadOutlier) {
  // y = 2 x + a small sine, with one dip of y at bar 150.
  std::vector<double> xs, ys;
  for (int t = 0; t < 200; ++t) {
    const double x = 50 + 10 * std::sin(t / 17.0) + 0.05 * t;
    xs.push_back(x);
    ys.push_back(2 * x + 0.2 * std::sin(t * 1.3) - (t == 150 ? 3.0 : 0.0));
  }
  const auto x = bars_from_closes(xs);
  const auto y = bars_from_closes(ys);
  const Spec spec = load("pairs_zscore", {{"lookback", "40"}, {"entry_z", "2.5"}});
  const data::BarSeries* legs[2] = {&y, &x};
  auto plan = compile(spec, legs);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  // Nothing before the dip (|z| stays below 2.1 there); the first entry is the dip itself. (The
  // dip also tilts the rolling hedge ratio for the next lookback bars, so later bars may trade too.)
  const auto entries = on_bars(plan->long_entry);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front(), 150);
  for (int t : on_bars(plan->short_entry)) EXPECT_GT(t, 150);
  // Every flag is its rule on the z-score: enter below -entry_z (-2.5), exit above -exit_z (-0.5).
  auto program = SpecProgram::create(spec);
  ASSERT_TRUE(program.ok());
  auto z = program->series_values("z", program->default_values(), legs);
  ASSERT_TRUE(z.ok());
  EXPECT_LT((*z)[150], -5);
  for (std::size_t t = 0; t < 200; ++t) {
    EXPECT_EQ(plan->long_entry[t], (*z)[t] < -2.5 ? 1 : 0) << t;
    EXPECT_EQ(plan->long_exit[t], (*z)[t] > -0.5 ? 1 : 0) << t;
    EXPECT_EQ(plan->short_entry[t], (*z)[t] > 2.5 ? 1 : 0) << t;
    EXPECT_EQ(plan->short_exit[t], (*z)[t] < 0.5 ? 1 : 0) << t;
  }
  EXPECT_NEAR(plan->hedge_ratio[149], 2.0, 0.05);
  EXPECT_TRUE(std::isnan(plan->hedge_ratio[38]));
  EXPECT_FALSE(std::isnan(plan->hedge_ratio[39]));
}

TEST_F(LibraryTest, EmaRsiFilterFollowsTheSeedsDecisionOrder) {
  const auto& bars = sample("GOOG-1d.csv");
  const SignalPlan plan = plan_of(load("ema_rsi_filter"), bars);
  const auto fast = indicator("ema", bars, {{"timeperiod", 12}})[0];
  const auto slow = indicator("ema", bars, {{"timeperiod", 50}})[0];
  const auto rsi = indicator("rsi", bars, {{"timeperiod", 14}})[0];
  // The seed's generate_signal: LONG if fast > slow and rsi < overbought, elif SHORT if fast < slow and
  // rsi > oversold, elif LONG if rsi < oversold, elif SHORT if rsi > overbought, else FLAT.
  std::vector<std::uint8_t> longs(bars.size()), shorts(bars.size());
  for (std::size_t t = 0; t < bars.size(); ++t) {
    int signal = 0;
    if (fast[t] > slow[t] && rsi[t] < 70) {
      signal = 1;
    } else if (fast[t] < slow[t] && rsi[t] > 30) {
      signal = -1;
    } else if (rsi[t] < 30) {
      signal = 1;
    } else if (rsi[t] > 70) {
      signal = -1;
    }
    longs[t] = signal == 1;
    shorts[t] = signal == -1;
  }
  EXPECT_EQ(plan.long_entry, longs);
  EXPECT_EQ(plan.short_entry, shorts);
  EXPECT_TRUE(plan.long_exit.empty());
  EXPECT_EQ(plan.exits.stop_loss_pct, 2);
  EXPECT_EQ(plan.exits.take_profit_pct, 4);
  EXPECT_EQ(plan.sizing, "risk:0.5");
  EXPECT_GT(on_bars(longs).size(), 100u);
  EXPECT_GT(on_bars(shorts).size(), 100u);
}

}  // namespace
}  // namespace tradeloop::strategy
