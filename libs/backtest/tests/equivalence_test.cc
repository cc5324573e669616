// The two paths of the kernel agree: the signal runner (fast path) and the event kernel driven by
// SignalPlanStrategy give the same fills, trades and equity, bit for bit, on random plans with random
// exit rules, fill timings, costs and sizing. And the event-API SmaCross gives the same trades as the
// sma_cross plan (so the built-in and a spec sma_cross, which compiles to the same plan, agree).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/strategy/plan_strategy.h"
#include "tradeloop/strategy/sma_cross.h"

namespace tradeloop::backtest {
namespace {

data::BarSeries random_bars(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> step(0, 0.015);
  std::uniform_real_distribution<double> u(0, 1);
  data::BarSeries b;
  b.symbol = "RND";
  double close = 100;
  for (std::size_t i = 0; i < n; ++i) {
    // Occasional gaps between the close and the next open.
    const double open = close * std::exp(u(rng) < 0.1 ? step(rng) * 4 : step(rng) * 0.3);
    const double c = open * std::exp(step(rng));
    const double high = std::max(open, c) * (1 + std::fabs(step(rng)) * 0.5);
    const double low = std::min(open, c) * (1 - std::fabs(step(rng)) * 0.5);
    auto r2 = [](double x) { return std::round(x * 100) / 100; };
    b.push_back(static_cast<Timestamp>(i) * kNanosPerDay + 1'600'041'600LL * kNanosPerSecond, r2(open),
                r2(high), r2(low), r2(c), 1000 + 10 * u(rng));
    b.high.back() = std::max({b.high.back(), b.open.back(), b.close.back()});
    b.low.back() = std::min({b.low.back(), b.open.back(), b.close.back()});
    close = c;
  }
  return b;
}

strategy::SignalPlan random_plan(std::mt19937_64& rng, const data::BarSeries& bars) {
  const std::size_t n = bars.size();
  std::uniform_real_distribution<double> u(0, 1);
  strategy::SignalPlan p;
  p.bars = n;
  const double rate = 0.02 + 0.1 * u(rng);
  for (auto* v : {&p.long_entry, &p.long_exit, &p.short_entry, &p.short_exit}) {
    v->resize(n);
    for (auto& x : *v) x = u(rng) < rate;
  }
  if (u(rng) < 0.3) {
    p.entry_allowed.resize(n);
    for (auto& x : p.entry_allowed) x = u(rng) < 0.7;
  }
  auto& ex = p.exits;
  if (u(rng) < 0.5) ex.stop_loss_pct = 1 + 4 * u(rng);
  if (u(rng) < 0.5) ex.take_profit_pct = 1 + 6 * u(rng);
  if (u(rng) < 0.3) ex.trailing_stop_pct = 1 + 3 * u(rng);
  if (u(rng) < 0.4) {
    ex.atr.resize(n);
    indicators::atr(bars.high, bars.low, bars.close, 14, ex.atr);
    if (u(rng) < 0.5) ex.stop_loss_atr = 1 + 2 * u(rng);
    if (u(rng) < 0.5) ex.take_profit_atr = 1 + 3 * u(rng);
    if (u(rng) < 0.3) ex.trailing_stop_atr = 1 + 2 * u(rng);
  }
  if (u(rng) < 0.3) ex.cooldown_bars = static_cast<int>(u(rng) * 4);
  return p;
}

BacktestConfig random_config(std::mt19937_64& rng, const strategy::SignalPlan& plan) {
  std::uniform_real_distribution<double> u(0, 1);
  BacktestConfig c;
  c.fill = u(rng) < 0.5 ? FillTiming::kNextOpen : FillTiming::kClose;
  c.allow_short = u(rng) < 0.6;
  c.exclusive = u(rng) < 0.5;
  if (u(rng) < 0.6) c.fees.taker_rate = 0.003 * u(rng);
  if (u(rng) < 0.2) c.fees.per_order = 2 * u(rng);
  if (u(rng) < 0.3) c.slippage = *execution::SlippageModel::parse("bps:5");
  if (u(rng) < 0.2) c.slippage = *execution::SlippageModel::parse("atr:0.1");
  c.intrabar =
      u(rng) < 0.5 ? execution::IntrabarOrder::kStopFirst : execution::IntrabarOrder::kTakeProfitFirst;
  const double s = u(rng);
  const bool has_stop = !std::isnan(plan.exits.stop_loss_pct) || !std::isnan(plan.exits.stop_loss_atr);
  if (s < 0.15)
    c.sizing = *execution::Sizing::parse("percent:50");
  else if (s < 0.3)
    c.sizing = *execution::Sizing::parse("units:7");
  else if (s < 0.4 && has_stop)
    c.sizing = *execution::Sizing::parse("risk:2");
  else
    c.sizing = execution::Sizing{};
  if (u(rng) < 0.2) c.borrow_rate = 0.1;
  if (u(rng) < 0.2) {
    c.leverage = 3;
    c.maintenance_margin = 0.2;
  }
  return c;
}

void expect_same(const RunResult& fast, const RunResult& events, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(fast.fills.size(), events.fills.size());
  for (std::size_t i = 0; i < fast.fills.size(); ++i) {
    const auto& a = fast.fills[i];
    const auto& b = events.fills[i];
    EXPECT_EQ(a.bar, b.bar) << "fill " << i;
    EXPECT_EQ(a.side, b.side) << "fill " << i;
    EXPECT_EQ(a.quantity, b.quantity) << "fill " << i;
    EXPECT_EQ(a.price, b.price) << "fill " << i;
    EXPECT_EQ(a.fee, b.fee) << "fill " << i;
  }
  ASSERT_EQ(fast.record.trades.size(), events.record.trades.size());
  for (std::size_t i = 0; i < fast.record.trades.size(); ++i) {
    const auto& a = fast.record.trades[i];
    const auto& b = events.record.trades[i];
    EXPECT_EQ(a.entry_bar, b.entry_bar) << "trade " << i;
    EXPECT_EQ(a.exit_bar, b.exit_bar) << "trade " << i;
    EXPECT_EQ(a.pnl, b.pnl) << "trade " << i;
    EXPECT_EQ(a.fees, b.fees) << "trade " << i;
    EXPECT_EQ(a.exit_reason, b.exit_reason) << "trade " << i;
    EXPECT_EQ(a.mae_pct, b.mae_pct) << "trade " << i;
    EXPECT_EQ(a.mfe_pct, b.mfe_pct) << "trade " << i;
  }
  EXPECT_EQ(fast.record.equity.equity, events.record.equity.equity);
  EXPECT_EQ(fast.record.equity.cash, events.record.equity.cash);
  // The event kernel records equity and position value per bar and derives the rest after the loop;
  // the signal runner writes every column per bar: the whole curve agrees bit for bit (NaN exposure
  // included, hence the bitwise comparison).
  EXPECT_EQ(fast.record.equity.ts, events.record.equity.ts);
  EXPECT_EQ(fast.record.equity.position_value, events.record.equity.position_value);
  EXPECT_EQ(fast.record.benchmark_close, events.record.benchmark_close);
  ASSERT_EQ(fast.record.equity.exposure.size(), events.record.equity.exposure.size());
  for (std::size_t i = 0; i < fast.record.equity.exposure.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(fast.record.equity.exposure[i]),
              std::bit_cast<std::uint64_t>(events.record.equity.exposure[i]))
        << "exposure " << i;
  }
  EXPECT_EQ(fast.record.open_positions.size(), events.record.open_positions.size());
  EXPECT_EQ(fast.liquidated, events.liquidated);
  EXPECT_EQ(fast.charges.size(), events.charges.size());
}

TEST(KernelEquivalence, SignalRunnerEqualsEventKernelOnRandomPlans) {
  std::mt19937_64 rng(20261123);
  int with_trades = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const auto bars = random_bars(rng, 150 + trial % 7 * 20);
    const auto plan = random_plan(rng, bars);
    const auto cfg = random_config(rng, plan);
    SignalRunInput in;
    in.bars = &bars;
    in.plan = &plan;
    auto fast = run_signals(in, cfg);
    ASSERT_TRUE(fast.ok()) << fast.error().message();
    strategy::SignalPlanStrategy adapter(plan);
    auto events = testing::run_engine({&bars}, adapter, cfg);
    expect_same(*fast, events, "trial " + std::to_string(trial));
    with_trades += fast->record.trades.size() > 3;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(with_trades, 200);
}

TEST(KernelEquivalence, SmaCrossEventApiEqualsThePlanOnGoog) {
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  ASSERT_TRUE(bars.ok()) << bars.error().message();
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    std::uniform_int_distribution<int> fast_d(2, 30), gap(1, 40);
    strategy::SmaCrossParams p{fast_d(rng), 0};
    p.slow = p.fast + gap(rng);
    if (trial == 0) p = {10, 20};
    auto plan = strategy::sma_cross_plan(bars->close, p);
    ASSERT_TRUE(plan.ok());
    auto cfg = random_config(rng, *plan);
    if (trial == 0) {  // the backtesting.py golden configuration
      cfg = BacktestConfig{};
      cfg.exclusive = cfg.allow_short = true;
      cfg.fees.taker_rate = 0.002;
    }
    SignalRunInput in;
    in.bars = &*bars;
    in.plan = &*plan;
    auto fast = run_signals(in, cfg);
    ASSERT_TRUE(fast.ok());
    strategy::SmaCross sma(p);
    auto events = testing::run_engine({&*bars}, sma, cfg);
    expect_same(*fast, events,
                "sma_cross " + std::to_string(p.fast) + "/" + std::to_string(p.slow) + " fill " +
                    std::to_string(static_cast<int>(cfg.fill)) + " slippage " + cfg.slippage.to_string() +
                    " sizing " + (cfg.sizing ? cfg.sizing->to_string() : "") + " lev " +
                    std::to_string(cfg.leverage));
    EXPECT_EQ(fast->record.warmup_bars, events.record.warmup_bars);
    if (trial == 0) {
      EXPECT_EQ(fast->record.trades.size(), 93u);
    }
    if (trial % 8 == 0) {
      // share_series (what the CLI runs): the same run, without copies of the bars' ts and close.
      EngineInput shared_in;
      shared_in.bars = {&*bars};
      shared_in.share_series = true;
      strategy::SmaCross again(p);
      RunResult shared;
      ASSERT_TRUE(run_strategy(shared_in, again, cfg, shared).ok());
      EXPECT_TRUE(shared.record.equity.ts.empty());
      EXPECT_TRUE(shared.record.benchmark_close.empty());
      shared.record.equity.ts = bars->ts;
      shared.record.benchmark_close = bars->close;
      expect_same(events, shared, "share_series");
      EXPECT_EQ(events.record.equity.ts, shared.record.equity.ts);
      EXPECT_EQ(events.record.benchmark_close, shared.record.benchmark_close);
      // derive_details (the signal runner as the CLI runs it): cash and exposure left out, and derived
      // from equity and position value with the same bits.
      BacktestConfig derive = cfg;
      derive.record.derive_details = true;
      auto lean = run_signals(in, derive);
      ASSERT_TRUE(lean.ok());
      const auto& full = fast->record.equity;
      const auto& d = lean->record.equity;
      EXPECT_TRUE(d.cash.empty());
      EXPECT_TRUE(d.exposure.empty());
      EXPECT_EQ(d.equity, full.equity);
      EXPECT_EQ(d.position_value, full.position_value);
      ASSERT_EQ(d.equity.size(), full.cash.size());
      for (std::size_t i = 0; i < d.equity.size(); ++i) {
        ASSERT_TRUE(d.has_cash(i) && d.has_exposure(i));
        EXPECT_EQ(d.cash_at(i), full.cash[i]) << i;
        const double x = d.exposure_at(i), y = full.exposure[i];
        EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << i;
      }
    }
  }
}

// Several instruments: the curve has one point per distinct timestamp (the union of the series), the
// benchmark carries the first instrument's last close, and every column matches a step-by-step
// reference built from the fills (positions valued at each instrument's last close). The lean run
// (equity only) records the same equity.
TEST(KernelEquivalence, EventKernelCurveOverSeveralInstruments) {
  std::mt19937_64 rng(11);
  data::BarSeries a = random_bars(rng, 60);
  data::BarSeries b = random_bars(rng, 45);
  b.symbol = "OTHER";
  // b trades every other day of a, at a's time on even bars (one step, two bars) and 6 hours later on
  // odd ones (a step of its own), and goes on past a's end.
  for (std::size_t k = 0; k < b.size(); ++k) {
    b.ts[k] = a.ts[0] + static_cast<Timestamp>(2 * k) * kNanosPerDay +
              (k % 2 == 1 ? 6 * 3600 * kNanosPerSecond : 0);
  }
  testing::ScriptStrategy script;
  auto buy = [](std::uint32_t i, double q) {
    return [i, q](strategy::StrategyContext& ctx) {
      auto r = testing::request(model::OrderSide::kBuy, q);
      r.instrument = i;
      ctx.submit(r);
    };
  };
  auto sell = [](std::uint32_t i) {
    return [i](strategy::StrategyContext& ctx) { ctx.close_position(i, "signal"); };
  };
  script.at[3] = {buy(0, 7), buy(1, 5)};
  script.at[20] = {sell(0)};
  script.at[30] = {buy(0, 3)};
  script.at[50] = {sell(1)};
  BacktestConfig cfg;
  cfg.fees.taker_rate = 0.001;
  const RunResult full = testing::run_engine({&a, &b}, script, cfg);
  std::vector<Timestamp> steps(a.ts.begin(), a.ts.end());
  steps.insert(steps.end(), b.ts.begin(), b.ts.end());
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  ASSERT_LT(steps.size(), a.size() + b.size());
  const auto& e = full.record.equity;
  ASSERT_EQ(e.ts, steps);
  ASSERT_EQ(e.equity.size(), steps.size());
  ASSERT_EQ(e.cash.size(), steps.size());
  ASSERT_EQ(e.position_value.size(), steps.size());
  ASSERT_EQ(e.exposure.size(), steps.size());
  ASSERT_EQ(full.record.benchmark_close.size(), steps.size());
  ASSERT_EQ(full.fills.size(), 5u);
  std::size_t ka = 0, kb = 0, f = 0;
  double qa = 0, qb = 0, last_a = 0, last_b = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    while (ka < a.size() && a.ts[ka] <= steps[i]) last_a = a.close[ka++];
    while (kb < b.size() && b.ts[kb] <= steps[i]) last_b = b.close[kb++];
    EXPECT_EQ(full.record.benchmark_close[i], last_a) << "step " << i;
    // Fills happen at a bar's open: those of this step change the books before its close.
    for (; f < full.fills.size() && full.fills[f].ts <= steps[i]; ++f) {
      const auto& x = full.fills[f];
      (x.instrument == 0 ? qa : qb) += x.signed_quantity();
    }
    const double pv = (0 + qa * last_a * 1.0) + qb * last_b * 1.0;
    EXPECT_EQ(e.position_value[i], pv) << "step " << i;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(e.cash[i]),
              std::bit_cast<std::uint64_t>(e.equity[i] - e.position_value[i]))
        << "step " << i;
    const double expo = pv == 0 ? 0.0 : (e.equity[i] > 0 ? std::fabs(pv) / e.equity[i] : std::nan(""));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(e.exposure[i]), std::bit_cast<std::uint64_t>(expo))
        << "step " << i;
  }
  EXPECT_EQ(f, full.fills.size());
  testing::ScriptStrategy again;
  again.at = script.at;
  BacktestConfig lean = cfg;
  lean.record.equity_details = false;
  lean.record.orders = false;
  lean.record.trades = false;
  const RunResult thin = testing::run_engine({&a, &b}, again, lean);
  EXPECT_EQ(thin.record.equity.equity, e.equity);
  EXPECT_EQ(thin.record.equity.ts, e.ts);
  EXPECT_EQ(thin.record.benchmark_close, full.record.benchmark_close);
  EXPECT_TRUE(thin.record.equity.cash.empty());
  EXPECT_TRUE(thin.record.equity.exposure.empty());
  // derive_details: cash and exposure left out, and EquityCurve derives the same bits.
  testing::ScriptStrategy third;
  third.at = script.at;
  BacktestConfig derived = cfg;
  derived.record.derive_details = true;
  const RunResult d = testing::run_engine({&a, &b}, third, derived);
  EXPECT_TRUE(d.record.equity.cash.empty());
  EXPECT_TRUE(d.record.equity.exposure.empty());
  EXPECT_EQ(d.record.equity.position_value, e.position_value);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    ASSERT_TRUE(d.record.equity.has_cash(i) && d.record.equity.has_exposure(i));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(d.record.equity.cash_at(i)),
              std::bit_cast<std::uint64_t>(e.cash[i]));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(d.record.equity.exposure_at(i)),
              std::bit_cast<std::uint64_t>(e.exposure[i]));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(e.cash_at(i)), std::bit_cast<std::uint64_t>(e.cash[i]));
  }
  EXPECT_FALSE(thin.record.equity.has_cash(0));
}

}  // namespace
}  // namespace tradeloop::backtest
