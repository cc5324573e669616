// MAE/MFE of the signal runner's trades against a brute-force scan of the bars each trade was held
// through (an independent formulation of the rule in portfolio/account.h: the entry and exit prices
// plus the high/low of every bar the position was open over, the entry bar only when entered at
// its open, the exit bar only when the exit came at its close).
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/sma_cross.h"

namespace tradeloop::backtest {
namespace {

struct Case {
  FillTiming fill;
  bool allow_short;
  double stop_loss_pct;
  double take_profit_pct;
  double trailing_stop_pct;
};

TEST(SignalRunnerExcursions, MaeAndMfeEqualABruteForceScanOfTheBarsHeld) {
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  ASSERT_TRUE(bars.ok()) << bars.error().message();
  const double nan = std::nan("");
  const Case cases[] = {
      {FillTiming::kNextOpen, false, nan, nan, nan}, {FillTiming::kNextOpen, true, nan, nan, nan},
      {FillTiming::kClose, true, nan, nan, nan},     {FillTiming::kNextOpen, true, 3, 8, nan},
      {FillTiming::kClose, false, 3, 8, nan},        {FillTiming::kNextOpen, true, nan, nan, 4},
  };
  std::size_t checked = 0, adverse = 0, favourable = 0;
  for (const Case& c : cases) {
    auto plan = strategy::sma_cross_plan(bars->close, {10, 30});
    ASSERT_TRUE(plan.ok());
    plan->exits.stop_loss_pct = c.stop_loss_pct;
    plan->exits.take_profit_pct = c.take_profit_pct;
    plan->exits.trailing_stop_pct = c.trailing_stop_pct;
    BacktestConfig cfg;
    cfg.fill = c.fill;
    cfg.allow_short = c.allow_short;
    cfg.exclusive = true;
    cfg.fees.taker_rate = 0.001;
    SignalRunInput in;
    in.bars = &*bars;
    in.plan = &*plan;
    auto run = run_signals(in, cfg);
    ASSERT_TRUE(run.ok()) << run.error().message();
    ASSERT_GT(run->record.trades.size(), 20u);
    for (const auto& t : run->record.trades) {
      const bool entered_at_open = c.fill == FillTiming::kNextOpen;
      const bool exited_at_close = c.fill == FillTiming::kClose && t.exit_reason == "signal";
      const std::int64_t from = entered_at_open ? t.entry_bar : t.entry_bar + 1;
      const std::int64_t last = exited_at_close ? t.exit_bar : t.exit_bar - 1;
      double hi = std::max(t.entry_price, t.exit_price);
      double lo = std::min(t.entry_price, t.exit_price);
      for (std::int64_t b = from; b <= last; ++b) {
        hi = std::max(hi, bars->high[static_cast<std::size_t>(b)]);
        lo = std::min(lo, bars->low[static_cast<std::size_t>(b)]);
      }
      const double e = t.entry_price;
      const bool is_long = t.side == analytics::Side::kLong;
      const double mae = is_long ? std::min(0.0, (lo / e - 1) * 100) : std::min(0.0, (1 - hi / e) * 100);
      const double mfe = is_long ? std::max(0.0, (hi / e - 1) * 100) : std::max(0.0, (1 - lo / e) * 100);
      EXPECT_EQ(t.mae_pct, mae) << "trade entered at bar " << t.entry_bar << " exit " << t.exit_reason;
      EXPECT_EQ(t.mfe_pct, mfe) << "trade entered at bar " << t.entry_bar << " exit " << t.exit_reason;
      EXPECT_LE(t.mae_pct, std::min(0.0, t.return_pct));
      EXPECT_GE(t.mfe_pct, std::max(0.0, t.return_pct) - 1e-9);
      ++checked;
      adverse += t.mae_pct < 0 ? 1 : 0;
      favourable += t.mfe_pct > 0 ? 1 : 0;
    }
  }
  // Most trades move both ways: a runner that left them at 0 fails here.
  EXPECT_GT(adverse, checked * 3 / 4);
  EXPECT_GT(favourable, checked / 2);
}

}  // namespace
}  // namespace tradeloop::backtest
