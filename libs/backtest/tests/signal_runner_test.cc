#include "tradeloop/backtest/signal_runner.h"

#include <array>
#include <cfloat>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace tradeloop::backtest {
namespace {

using strategy::SignalPlan;

data::BarSeries make_bars(const std::vector<std::array<double, 4>>& ohlc) {
  data::BarSeries b;
  b.symbol = "TEST";
  for (std::size_t i = 0; i < ohlc.size(); ++i) {
    const auto& r = ohlc[i];
    b.push_back(static_cast<Timestamp>(i) * kNanosPerDay + 1'600'000'000LL * kNanosPerSecond, r[0], r[1],
                r[2], r[3], 1000);
  }
  return b;
}

SignalPlan empty_plan(std::size_t n) {
  SignalPlan p;
  p.bars = n;
  p.long_entry.assign(n, 0);
  p.long_exit.assign(n, 0);
  p.short_entry.assign(n, 0);
  p.short_exit.assign(n, 0);
  return p;
}

// Six bars: a long signal at t1, an exit signal at t3.
const std::vector<std::array<double, 4>> kSix = {{100, 101, 99, 100},  {100, 102, 99, 101},
                                                 {102, 105, 101, 104}, {104, 106, 103, 105},
                                                 {106, 107, 104, 105}, {105, 106, 104, 105}};

RunResult run(const data::BarSeries& bars, const SignalPlan& plan, const BacktestConfig& cfg) {
  SignalRunInput in;
  in.bars = &bars;
  in.plan = &plan;
  auto r = run_signals(in, cfg);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(r).value() : RunResult{};
}

void expect_journal_consistent(const RunResult& r) {
  // Every order's events form a legal path that ends in a terminal state, and fills add up.
  for (const auto& o : r.orders) {
    model::OrderStatus s = model::OrderStatus::kNew;
    for (const auto& e : r.events) {
      if (e.order != o.id) continue;
      EXPECT_EQ(e.from, s) << "order " << o.id;
      EXPECT_TRUE(model::is_legal_transition(e.from, e.to));
      if (e.to == model::OrderStatus::kCanceled || e.to == model::OrderStatus::kRejected) {
        EXPECT_FALSE(e.reason.empty());
      }
      s = e.to;
    }
    EXPECT_EQ(s, o.status);
    EXPECT_TRUE(model::is_terminal(o.status))
        << "order " << o.id << " left " << model::order_status_name(o.status);
    double filled = 0;
    for (const auto& f : r.fills) filled += f.order == o.id ? f.quantity : 0;
    EXPECT_EQ(filled, o.filled_quantity);
  }
}

TEST(SignalRunner, MarketOrdersFillAtTheNextOpen) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.long_exit[3] = 1;
  BacktestConfig cfg;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  const auto& t = r.record.trades[0];
  EXPECT_EQ(t.entry_bar, 2);
  EXPECT_EQ(t.exit_bar, 4);
  EXPECT_EQ(t.entry_price, 102);
  EXPECT_EQ(t.exit_price, 106);
  EXPECT_EQ(t.size, 98);  // floor(10000 x (1 - 2^-52) / 102)
  EXPECT_EQ(t.pnl, 98 * 4);
  EXPECT_DOUBLE_EQ(t.return_pct, (106.0 / 102 - 1) * 100);
  EXPECT_EQ(t.exit_reason, "signal");
  EXPECT_EQ(t.entry_time, bars.ts[2]);
  EXPECT_EQ(r.record.equity.equity,
            (std::vector<double>{10000, 10000, 10000 + 98 * 2, 10000 + 98 * 3, 10392, 10392}));
  EXPECT_EQ(r.record.equity.position_value[2], 98 * 104);
  EXPECT_EQ(r.record.equity.cash[2], 10000 - 98 * 102);
  EXPECT_EQ(r.record.equity.exposure[4], 0);
  EXPECT_TRUE(r.record.open_positions.empty());
  EXPECT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(r.orders.size(), 2u);
  expect_journal_consistent(r);
}

TEST(SignalRunner, FillCloseTradesAtTheSignalBarsClose) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.long_exit[3] = 1;
  BacktestConfig cfg;
  cfg.fill = FillTiming::kClose;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  const auto& t = r.record.trades[0];
  EXPECT_EQ(t.entry_bar, 1);
  EXPECT_EQ(t.exit_bar, 3);
  EXPECT_EQ(t.entry_price, 101);
  EXPECT_EQ(t.exit_price, 105);
  EXPECT_EQ(t.size, 99);
  EXPECT_EQ(r.record.equity.equity[3], 10000 + 99 * 4);
  expect_journal_consistent(r);
}

TEST(SignalRunner, CommissionOnEntryAndExit) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.long_exit[3] = 1;
  BacktestConfig cfg;
  cfg.fees.taker_rate = 0.01;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  const auto& t = r.record.trades[0];
  EXPECT_EQ(t.size, 97);  // 10000 / (102 x 1.01) = 97.06
  const double f_in = 0 + 97 * 102 * 0.01, f_out = 0 + 97 * 106 * 0.01;
  EXPECT_EQ(t.fees, f_out + f_in);
  EXPECT_EQ(t.pnl, 97 * (106 - 102) - (f_out + f_in));
  EXPECT_EQ(r.record.total_fees, f_in + f_out);
  EXPECT_DOUBLE_EQ(r.record.equity.equity.back(), 10000 + t.pnl);
}

TEST(SignalRunner, AllowShortReversesAndTheLastPositionStaysOpen) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = plan.short_exit[1] = 1;
  plan.long_exit[3] = plan.short_entry[3] = 1;
  BacktestConfig cfg;
  auto long_only = run(bars, plan, cfg);
  EXPECT_EQ(long_only.record.trades.size(), 1u);
  EXPECT_TRUE(long_only.record.open_positions.empty());
  cfg.allow_short = true;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  ASSERT_EQ(r.record.open_positions.size(), 1u);
  const auto& p = r.record.open_positions[0];
  EXPECT_EQ(p.side, analytics::Side::kShort);
  EXPECT_EQ(p.size, 98);  // floor(10392 x (1 - 2^-52) / 106)
  EXPECT_EQ(p.entry_price, 106);
  EXPECT_EQ(p.last_price, 105);
  EXPECT_EQ(p.unrealized_pnl, 98);
  EXPECT_EQ(r.record.equity.equity.back(), 10392 + 98);
  expect_journal_consistent(r);
}

TEST(SignalRunner, ExclusiveReversesOnAnOppositeEntryAlone) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.short_entry[3] = 1;  // no long_exit
  BacktestConfig cfg;
  cfg.allow_short = true;
  auto netting = run(bars, plan, cfg);
  EXPECT_TRUE(netting.record.trades.empty());  // the short entry is ignored while long
  ASSERT_EQ(netting.record.open_positions.size(), 1u);
  EXPECT_EQ(netting.record.open_positions[0].side, analytics::Side::kLong);
  cfg.exclusive = true;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  ASSERT_EQ(r.record.open_positions.size(), 1u);
  EXPECT_EQ(r.record.open_positions[0].side, analytics::Side::kShort);
}

// Entry at t1's signal fills at t2's open (100); bars after that exercise the exits.
data::BarSeries exit_bars(std::array<double, 4> bar3) {
  return make_bars(
      {{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 101, 99, 100}, bar3, {100, 101, 99, 100}});
}

SignalPlan entry_plan(std::size_t n) {
  auto p = empty_plan(n);
  p.long_entry[1] = 1;
  return p;
}

TEST(SignalRunner, StopLossGapFillsAtTheOpen) {
  auto plan = entry_plan(5);
  plan.exits.stop_loss_pct = 5;
  BacktestConfig cfg;
  auto r = run(exit_bars({90, 92, 88, 91}), plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_price, 90);
  EXPECT_EQ(r.record.trades[0].exit_reason, "stop_loss");
  EXPECT_EQ(r.record.trades[0].exit_bar, 3);
  auto touch = run(exit_bars({99, 100, 94, 96}), plan, cfg);
  ASSERT_EQ(touch.record.trades.size(), 1u);
  EXPECT_EQ(touch.record.trades[0].exit_price, 95);
  expect_journal_consistent(r);
}

TEST(SignalRunner, StopFirstWhenStopAndTakeProfitShareABar) {
  auto plan = entry_plan(5);
  plan.exits.stop_loss_pct = 5;
  plan.exits.take_profit_pct = 10;
  BacktestConfig cfg;
  auto r = run(exit_bars({100, 111, 94, 100}), plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_price, 95);
  EXPECT_EQ(r.record.trades[0].exit_reason, "stop_loss");
  cfg.intrabar = execution::IntrabarOrder::kTakeProfitFirst;
  r = run(exit_bars({100, 111, 94, 100}), plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(r.record.trades[0].exit_price, 110);
  EXPECT_EQ(r.record.trades[0].exit_reason, "take_profit");
  // A gap through the take-profit fills at the (better) open, whatever the assumption.
  cfg.intrabar = execution::IntrabarOrder::kStopFirst;
  r = run(exit_bars({112, 113, 94, 100}), plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_price, 112);
  EXPECT_EQ(r.record.trades[0].exit_reason, "take_profit");
  expect_journal_consistent(r);
}

TEST(SignalRunner, TrailingStopFollowsTheHigh) {
  auto plan = entry_plan(5);
  plan.exits.trailing_stop_pct = 10;
  BacktestConfig cfg;
  // t2: entry at 100, high 120 -> next level 108; t3 dips to 107.
  auto bars = make_bars({{100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 120, 95, 118},
                         {115, 116, 107, 110},
                         {100, 101, 99, 100}});
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_price, 108);
  EXPECT_EQ(r.record.trades[0].exit_reason, "trailing_stop");
  EXPECT_DOUBLE_EQ(r.record.trades[0].mfe_pct, 20);
  EXPECT_NEAR(r.record.trades[0].mae_pct, -5, 1e-12);
}

TEST(SignalRunner, AtrExitsUseTheSignalBarsAtr) {
  auto plan = entry_plan(5);
  plan.exits.stop_loss_atr = 2;
  plan.exits.atr = {1, 3, 9, 9, 9};  // the signal bar (t1) has ATR 3: stop at 100 - 6
  BacktestConfig cfg;
  auto r = run(exit_bars({99, 100, 93, 96}), plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_price, 94);
  plan.exits.atr.pop_back();
  SignalRunInput in;
  auto bars = exit_bars({99, 100, 93, 96});
  in.bars = &bars;
  in.plan = &plan;
  auto bad = run_signals(in, cfg);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("ATR"), std::string::npos);
}

TEST(SignalRunner, SizedToZeroIsCanceledWithAReason) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  BacktestConfig cfg;
  cfg.initial_cash = 50;
  auto r = run(bars, plan, cfg);
  EXPECT_TRUE(r.record.trades.empty());
  EXPECT_TRUE(r.fills.empty());
  ASSERT_EQ(r.orders.size(), 1u);
  EXPECT_EQ(r.orders[0].status, model::OrderStatus::kCanceled);
  ASSERT_FALSE(r.events.empty());
  EXPECT_NE(r.events.back().reason.find("sized to zero"), std::string::npos);
  EXPECT_FALSE(r.warnings.empty());
  expect_journal_consistent(r);
}

TEST(SignalRunner, InsufficientMarginCancelsFixedSizes) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  BacktestConfig cfg;
  cfg.sizing = *execution::Sizing::parse("units:1000");
  auto r = run(bars, plan, cfg);
  EXPECT_TRUE(r.fills.empty());
  ASSERT_EQ(r.orders.size(), 1u);
  EXPECT_NE(r.events.back().reason.find("insufficient margin"), std::string::npos);
  cfg.sizing = *execution::Sizing::parse("units:10");
  r = run(bars, plan, cfg);
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].quantity, 10);
}

TEST(SignalRunner, CooldownBlocksEntriesAfterAnExit) {
  auto bars = make_bars({{100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100}});
  auto plan = empty_plan(9);
  plan.long_entry.assign(9, 1);
  plan.long_exit[3] = 1;
  plan.exits.cooldown_bars = 2;
  BacktestConfig cfg;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].entry_bar, 1);  // signal at 0, fill at 1
  EXPECT_EQ(r.record.trades[0].exit_bar, 4);
  ASSERT_EQ(r.record.open_positions.size(), 1u);
  // Exit filled on bar 4: signals on bars 4 and 5 wait, bar 6's signal fills at bar 7's open.
  EXPECT_EQ(r.record.open_positions[0].entry_time, bars.ts[7]);
}

TEST(SignalRunner, EntryFilterAndEmptyFlags) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.entry_allowed.assign(6, 1);
  plan.entry_allowed[1] = 0;
  plan.short_entry.clear();
  plan.short_exit.clear();
  BacktestConfig cfg;
  auto r = run(bars, plan, cfg);
  EXPECT_TRUE(r.fills.empty());
}

TEST(SignalRunner, SlippageMovesTakerFillsAgainstUs) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.long_exit[3] = 1;
  BacktestConfig cfg;
  cfg.slippage = *execution::SlippageModel::parse("bps:100");
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(r.record.trades[0].entry_price, 102 * 1.01);
  EXPECT_DOUBLE_EQ(r.record.trades[0].exit_price, 106 * 0.99);
}

TEST(SignalRunner, ShortBlownUpIsLiquidatedAndStops) {
  auto bars = make_bars({{100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {150, 210, 150, 202},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100}});
  auto plan = empty_plan(6);
  plan.short_entry[1] = 1;
  plan.short_exit[4] = 1;
  plan.short_entry[4] = 1;
  BacktestConfig cfg;
  cfg.allow_short = true;
  auto r = run(bars, plan, cfg);
  EXPECT_TRUE(r.liquidated);
  EXPECT_TRUE(r.account_blown);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_reason, "liquidation");
  EXPECT_EQ(r.record.trades[0].exit_price, 202);
  EXPECT_EQ(r.record.trades[0].size, 99);
  EXPECT_EQ(r.record.equity.equity[3], 10000 - 99 * 102);
  EXPECT_EQ(r.record.equity.equity[5], 10000 - 99 * 102);  // no trading after the blow-up
  EXPECT_EQ(r.fills.size(), 2u);
}

TEST(SignalRunner, MaintenanceMarginLiquidatesEarly) {
  auto bars = make_bars({{100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 100},
                         {100, 101, 99, 60},
                         {100, 101, 99, 100}});
  auto plan = entry_plan(5);
  BacktestConfig cfg;
  cfg.leverage = 2;
  cfg.maintenance_margin = 0.25;
  auto r = run(bars, plan, cfg);
  // 199 units at 100 on 10000 equity; at 60 equity = 10000 - 199 x 40 = 2040 < 0.25 x 11940.
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].size, 199);
  EXPECT_EQ(r.record.trades[0].exit_reason, "liquidation");
  EXPECT_TRUE(r.liquidated);
  EXPECT_FALSE(r.account_blown);
}

TEST(SignalRunner, BorrowCostOnShorts) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.short_entry[1] = 1;
  BacktestConfig cfg;
  cfg.allow_short = true;
  cfg.borrow_rate = 0.1;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.record.open_positions.size(), 1u);
  const double q = r.record.open_positions[0].size;  // short from bar 2's open
  double charged = 0;
  for (std::size_t t = 2; t < 6; ++t)
    charged += q * bars.close[t] * 0.1 * (86400.0 * 1e9) / (365.25 * 86400.0 * 1e9);
  ASSERT_EQ(r.charges.size(), 4u);
  double sum = 0;
  for (const auto& c : r.charges) sum += c.amount;
  EXPECT_NEAR(sum, charged, 1e-9);
  EXPECT_NEAR(r.record.equity.equity.back(), 10000 - q * (105 - 102) - charged, 1e-9);
}

TEST(SignalRunner, FundingIsPaidOnThePositionHeld) {
  auto bars = make_bars(kSix);
  auto plan = entry_plan(6);
  FundingSeries funding;
  funding.ts = {bars.ts[1], bars.ts[3], bars.ts[5]};
  funding.rate = {0.01, 0.001, -0.002};
  SignalRunInput in;
  in.bars = &bars;
  in.plan = &plan;
  in.funding = &funding;
  BacktestConfig cfg;
  auto r = run_signals(in, cfg);
  ASSERT_TRUE(r.ok());
  // Flat at bar 1; long 98 from bar 2: pays 98 x open(3) x 0.001, receives 98 x open(5) x 0.002.
  ASSERT_EQ(r->charges.size(), 2u);
  EXPECT_DOUBLE_EQ(r->charges[0].amount, 98 * 104 * 0.001);
  EXPECT_DOUBLE_EQ(r->charges[1].amount, 98 * 105 * -0.002);
  EXPECT_DOUBLE_EQ(r->record.equity.equity.back(), 10000 + 98 * 3 - 98 * 104 * 0.001 + 98 * 105 * 0.002);
}

TEST(SignalRunner, PendingOrdersAtTheEndAreCanceled) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[5] = 1;
  BacktestConfig cfg;
  auto r = run(bars, plan, cfg);
  ASSERT_EQ(r.orders.size(), 1u);
  EXPECT_EQ(r.orders[0].status, model::OrderStatus::kCanceled);
  EXPECT_EQ(r.events.back().reason, "end of data");
}

TEST(SignalRunner, RejectsInconsistentInput) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(5);
  SignalRunInput in;
  in.bars = &bars;
  in.plan = &plan;
  auto r = run_signals(in, BacktestConfig{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("5 bars"), std::string::npos);
  auto plan6 = empty_plan(6);
  plan6.sizing = "risk:1";
  in.plan = &plan6;
  r = run_signals(in, BacktestConfig{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("stop-loss"), std::string::npos);
  BacktestConfig bad;
  bad.initial_cash = -1;
  plan6.sizing.clear();
  r = run_signals(in, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cash"), std::string::npos);
}

TEST(SignalRunner, RecordingCanBeTurnedOff) {
  auto bars = make_bars(kSix);
  auto plan = empty_plan(6);
  plan.long_entry[1] = 1;
  plan.long_exit[3] = 1;
  BacktestConfig cfg;
  cfg.record = {true, false, true, false};
  auto r = run(bars, plan, cfg);
  EXPECT_EQ(r.record.trades.size(), 1u);
  EXPECT_TRUE(r.orders.empty());
  EXPECT_TRUE(r.fills.empty());
  EXPECT_TRUE(r.record.equity.cash.empty());
  EXPECT_EQ(r.record.equity.equity.size(), 6u);
  EXPECT_EQ(r.record.equity.equity.back(), 10392);
}

}  // namespace
}  // namespace tradeloop::backtest
