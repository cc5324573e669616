// Every order type, time in force and contingency of the event kernel on hand-made bars, with the fill
// prices worked out by hand (including gaps through the price).
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tradeloop::backtest {
namespace {

using model::OrderSide;
using model::OrderStatus;
using model::OrderType;
using model::TimeInForce;
using strategy::StrategyContext;
using testing::make_bars;
using testing::request;
using testing::run_engine;
using testing::ScriptStrategy;

// t0 .. t5
const std::vector<std::array<double, 4>> kBars = {
    {100, 101, 99, 100},   // t0
    {100, 102, 98, 101},   // t1
    {101, 106, 100, 105},  // t2
    {108, 110, 107, 109},  // t3: gap up
    {105, 106, 95, 96},    // t4
    {96, 97, 94, 95},      // t5
};

const model::Order& order_of(const RunResult& r, model::OrderId id) {
  for (const auto& o : r.orders) {
    if (o.id == id) return o;
  }
  throw std::runtime_error("no order " + std::to_string(id));
}

std::string last_reason(const RunResult& r, model::OrderId id) {
  std::string out;
  for (const auto& e : r.events) {
    if (e.order == id) out = e.reason;
  }
  return out;
}

struct Fixture {
  data::BarSeries bars = make_bars(kBars);
  ScriptStrategy s;
  BacktestConfig cfg;
  model::OrderId id[8] = {};
  RunResult run() { return run_engine({&bars}, s, cfg); }
};

TEST(EngineOrders, MarketFillsAtTheNextOpen) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) { f.id[0] = c.submit(request(OrderSide::kBuy, 10)); });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, 100);
  EXPECT_EQ(r.fills[0].bar, 1);
  EXPECT_EQ(order_of(r, f.id[0]).status, OrderStatus::kFilled);
  ASSERT_EQ(f.s.events.size(), 2u);
  EXPECT_EQ(f.s.events[0].to, OrderStatus::kAccepted);
  EXPECT_EQ(f.s.events[1].to, OrderStatus::kFilled);
  EXPECT_EQ(f.s.fills.size(), 1u);
  EXPECT_EQ(r.record.equity.equity.back(), 10000 + 10 * (95 - 100));
}

TEST(EngineOrders, FillAtCloseTradesTheDecisionBarsClose) {
  Fixture f;
  f.cfg.fill = FillTiming::kClose;
  f.s.at[1].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 10)); });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, 101);
  EXPECT_EQ(r.fills[0].bar, 1);
}

TEST(EngineOrders, LimitFillsAtTheLimitOrAtABetterGapOpen) {
  Fixture f;
  f.cfg.slippage = *execution::SlippageModel::parse("bps:100");  // never applies to limits
  f.s.at[0].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kBuy, 10, OrderType::kLimit);
    r.limit_price = 99;
    f.id[0] = c.submit(r);
  });
  f.s.at[1].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kSell, 10, OrderType::kLimit);
    r.limit_price = 107;
    f.id[1] = c.submit(r);
  });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(r.fills[0].price, 99);  // t1 low 98 touches 99
  EXPECT_EQ(r.fills[0].bar, 1);
  EXPECT_EQ(r.fills[0].liquidity, model::Liquidity::kMaker);
  EXPECT_EQ(r.fills[1].price, 108);  // t2 high 106 misses; t3 opens at 108 above the limit
  EXPECT_EQ(r.fills[1].bar, 3);
}

TEST(EngineOrders, StopTriggersIntrabarOrAtAGapOpenWithSlippage) {
  Fixture f;
  f.cfg.slippage = *execution::SlippageModel::parse("bps:100");
  f.s.at[1].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kBuy, 10, OrderType::kStop);
    r.stop_price = 104;
    c.submit(r);
  });
  f.s.at[2].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kBuy, 5, OrderType::kStop);
    r.stop_price = 107;
    c.submit(r);
  });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_DOUBLE_EQ(r.fills[0].price, 104 * 1.01);
  EXPECT_EQ(r.fills[0].bar, 2);
  EXPECT_DOUBLE_EQ(r.fills[1].price, 108 * 1.01);  // gapped through 107: the open, then slippage
  EXPECT_EQ(r.fills[1].bar, 3);
}

TEST(EngineOrders, StopLimitFillsOnlyWithinItsLimit) {
  Fixture f;
  f.s.at[1].push_back([&](StrategyContext& c) {
    auto a = request(OrderSide::kBuy, 1, OrderType::kStopLimit);
    a.stop_price = 104;
    a.limit_price = 104.5;  // touched at 104 inside t2: marketable, fills there
    f.id[0] = c.submit(a);
    auto b = request(OrderSide::kBuy, 1, OrderType::kStopLimit);
    b.stop_price = 104;
    b.limit_price = 103;  // touched at 104 but the limit is below: waits for 103 (t4)
    f.id[1] = c.submit(b);
  });
  f.s.at[2].push_back([&](StrategyContext& c) {
    auto g = request(OrderSide::kBuy, 1, OrderType::kStopLimit);
    g.stop_price = 107;
    g.limit_price = 109;  // t3 gaps to 108: triggered at the open, limit works on the whole bar
    f.id[2] = c.submit(g);
  });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 3u);
  for (const auto& fill : r.fills) {
    if (fill.order == f.id[0]) {
      EXPECT_EQ(fill.price, 104);
      EXPECT_EQ(fill.bar, 2);
    } else if (fill.order == f.id[1]) {
      EXPECT_EQ(fill.price, 103);
      EXPECT_EQ(fill.bar, 4);
    } else {
      EXPECT_EQ(fill.order, f.id[2]);
      EXPECT_EQ(fill.price, 108);
      EXPECT_EQ(fill.bar, 3);
    }
  }
}

TEST(EngineOrders, TrailingStopsFollowTheBestPrice) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 20)); });
  f.s.at[1].push_back([&](StrategyContext& c) {
    auto p = request(OrderSide::kSell, 10, OrderType::kTrailingStop);
    p.trailing_type = model::TrailingOffsetType::kPercent;
    p.trailing_offset = 5;  // from 101: t2 95.95 (ext 106), t3 100.7 (ext 110), t4 104.5 -> fills
    f.id[0] = c.submit(p);
    auto a = request(OrderSide::kSell, 10, OrderType::kTrailingStop);
    a.trailing_type = model::TrailingOffsetType::kAmount;
    a.trailing_offset = 3;  // t2 98, t3 103, t4 107: t4 opens at 105 below it -> the open
    f.id[1] = c.submit(a);
  });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 3u);
  for (const auto& fill : r.fills) {
    if (fill.order == f.id[0]) {
      EXPECT_DOUBLE_EQ(fill.price, 104.5);
      EXPECT_EQ(fill.bar, 4);
    }
    if (fill.order == f.id[1]) {
      EXPECT_EQ(fill.price, 105);
      EXPECT_EQ(fill.bar, 4);
    }
  }
}

TEST(EngineOrders, MarketOnCloseFillsAtTheNextClose) {
  Fixture f;
  f.s.at[1].push_back(
      [&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 5, OrderType::kMarketOnClose)); });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, 105);
  EXPECT_EQ(r.fills[0].bar, 2);
}

TEST(EngineOrders, BracketTakeProfitCancelsTheStop) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kBuy, 10);
    r.bracket.stop_loss_pct = 5;
    r.bracket.take_profit_pct = 5;
    f.id[0] = c.submit(r);
  });
  auto r = f.run();
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_reason, "take_profit");
  EXPECT_EQ(r.record.trades[0].exit_price, 105);
  EXPECT_EQ(r.record.trades[0].exit_bar, 2);
  int canceled = 0;
  for (const auto& o : r.orders) {
    if (o.parent == f.id[0] && o.status == OrderStatus::kCanceled) {
      ++canceled;
      EXPECT_NE(last_reason(r, o.id).find("one-cancels-other"), std::string::npos);
    }
  }
  EXPECT_EQ(canceled, 1);
}

TEST(EngineOrders, BracketArmedAtTheOpenWorksTheSameBar) {
  // Entry at t1's open (100); t1's low 98 hits a 1.5% stop (98.5) in the same bar.
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kBuy, 10);
    r.bracket.stop_loss_pct = 1.5;
    c.submit(r);
  });
  auto r = f.run();
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_bar, 1);
  EXPECT_DOUBLE_EQ(r.record.trades[0].exit_price, 98.5);
  EXPECT_EQ(r.record.trades[0].exit_reason, "stop_loss");
}

TEST(EngineOrders, StopFirstWhenBothBracketLegsCouldFill) {
  auto bars = make_bars({{100, 101, 99, 100}, {100, 101, 99, 100}, {100, 111, 94, 100}, {100, 101, 99, 100}});
  for (auto order : {execution::IntrabarOrder::kStopFirst, execution::IntrabarOrder::kTakeProfitFirst}) {
    ScriptStrategy s;
    s.at[0].push_back([&](StrategyContext& c) {
      auto r = request(OrderSide::kBuy, 10);
      r.bracket.stop_loss_pct = 5;
      r.bracket.take_profit_pct = 10;
      c.submit(r);
    });
    BacktestConfig cfg;
    cfg.intrabar = order;
    auto r = run_engine({&bars}, s, cfg);
    ASSERT_EQ(r.record.trades.size(), 1u);
    if (order == execution::IntrabarOrder::kStopFirst) {
      EXPECT_EQ(r.record.trades[0].exit_price, 95);
      EXPECT_EQ(r.record.trades[0].exit_reason, "stop_loss");
    } else {
      EXPECT_DOUBLE_EQ(r.record.trades[0].exit_price, 110);
      EXPECT_EQ(r.record.trades[0].exit_reason, "take_profit");
    }
  }
}

TEST(EngineOrders, OcoAndOto) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) {
    auto parent = request(OrderSide::kBuy, 10, OrderType::kLimit);
    parent.limit_price = 99;  // fills inside t1
    f.id[0] = c.submit(parent);
    auto child = request(OrderSide::kSell, 10, OrderType::kLimit);
    child.limit_price = 105;
    child.parent = f.id[0];  // OTO: works from t2 (after an intrabar parent fill)
    f.id[1] = c.submit(child);
  });
  f.s.at[2].push_back([&](StrategyContext& c) {
    c.submit(request(OrderSide::kBuy, 10));  // t3 open 108
  });
  f.s.at[3].push_back([&](StrategyContext& c) {
    auto tp = request(OrderSide::kSell, 10, OrderType::kLimit);
    tp.limit_price = 111;
    tp.oco_group = 7;
    f.id[2] = c.submit(tp);
    auto sl = request(OrderSide::kSell, 10, OrderType::kStop);
    sl.stop_price = 100;
    sl.oco_group = 7;
    f.id[3] = c.submit(sl);
  });
  auto r = f.run();
  EXPECT_EQ(order_of(r, f.id[0]).avg_fill_price, 99);
  EXPECT_EQ(order_of(r, f.id[1]).avg_fill_price, 105);
  EXPECT_EQ(order_of(r, f.id[1]).status, OrderStatus::kFilled);
  EXPECT_EQ(order_of(r, f.id[3]).status, OrderStatus::kFilled);  // t4 low 95: stop at 100
  EXPECT_EQ(order_of(r, f.id[3]).avg_fill_price, 100);
  EXPECT_EQ(order_of(r, f.id[2]).status, OrderStatus::kCanceled);
  EXPECT_NE(last_reason(r, f.id[2]).find("one-cancels-other"), std::string::npos);
}

TEST(EngineOrders, TimeInForceDayGtdIocFok) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) {
    auto day = request(OrderSide::kBuy, 1, OrderType::kLimit);
    day.limit_price = 90;
    day.tif = TimeInForce::kDay;
    f.id[0] = c.submit(day);
    auto gtd = request(OrderSide::kBuy, 1, OrderType::kLimit);
    gtd.limit_price = 90;
    gtd.tif = TimeInForce::kGtd;
    gtd.expire_time = f.bars.ts[1] + kNanosPerHour;
    f.id[1] = c.submit(gtd);
    auto gtc = request(OrderSide::kBuy, 1, OrderType::kLimit);
    gtc.limit_price = 90;
    f.id[2] = c.submit(gtc);
  });
  auto r = f.run();
  EXPECT_EQ(order_of(r, f.id[0]).status, OrderStatus::kExpired);
  EXPECT_NE(last_reason(r, f.id[0]).find("day order"), std::string::npos);
  EXPECT_EQ(order_of(r, f.id[1]).status, OrderStatus::kExpired);
  EXPECT_NE(last_reason(r, f.id[1]).find("good till"), std::string::npos);
  EXPECT_EQ(order_of(r, f.id[2]).status, OrderStatus::kCanceled);  // GTC works to the end
  EXPECT_EQ(last_reason(r, f.id[2]), "end of data");
}

TEST(EngineOrders, VolumeCapGivesPartialFillsIocAndFok) {
  Fixture f;
  f.cfg.volume_participation = 0.01;  // 10 units per bar of 1000
  f.s.at[0].push_back([&](StrategyContext& c) {
    f.id[0] = c.submit(request(OrderSide::kBuy, 25));  // GTC: 10, 10, 5
    auto ioc = request(OrderSide::kBuy, 25);
    ioc.tif = TimeInForce::kIoc;
    f.id[1] = c.submit(ioc);  // the cap is per order: 10, rest canceled
    auto fok = request(OrderSide::kBuy, 25);
    fok.tif = TimeInForce::kFok;
    f.id[2] = c.submit(fok);
  });
  auto r = f.run();
  const auto& gtc = order_of(r, f.id[0]);
  EXPECT_EQ(gtc.status, OrderStatus::kFilled);
  EXPECT_EQ(gtc.filled_quantity, 25);
  int partials = 0;
  for (const auto& e : r.events) partials += e.order == f.id[0] && e.to == OrderStatus::kPartiallyFilled;
  EXPECT_EQ(partials, 2);
  const auto& ioc = order_of(r, f.id[1]);
  EXPECT_EQ(ioc.status, OrderStatus::kCanceled);
  EXPECT_EQ(ioc.filled_quantity, 10);
  EXPECT_NE(last_reason(r, f.id[1]).find("immediate or cancel"), std::string::npos);
  const auto& fok = order_of(r, f.id[2]);
  EXPECT_EQ(fok.status, OrderStatus::kCanceled);
  EXPECT_EQ(fok.filled_quantity, 0);
  EXPECT_NE(last_reason(r, f.id[2]).find("fill or kill"), std::string::npos);
}

TEST(EngineOrders, ReduceOnlyIsTrimmedAndRefusedWhenFlat) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 10)); });
  f.s.at[1].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kSell, 15);
    r.reduce_only = true;
    f.id[0] = c.submit(r);
  });
  f.s.at[3].push_back([&](StrategyContext& c) {
    auto r = request(OrderSide::kSell, 5);
    r.reduce_only = true;
    f.id[1] = c.submit(r);
  });
  auto r = f.run();
  EXPECT_EQ(order_of(r, f.id[0]).filled_quantity, 10);
  EXPECT_EQ(order_of(r, f.id[1]).status, OrderStatus::kRejected);
  EXPECT_NE(last_reason(r, f.id[1]).find("no position to reduce"), std::string::npos);
}

TEST(EngineOrders, RejectionsSayWhy) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) {
    f.id[0] = c.submit(request(OrderSide::kSell, 1));                    // no --allow-short
    f.id[1] = c.submit(request(OrderSide::kBuy, 1, OrderType::kLimit));  // no limit price
    auto t = request(OrderSide::kSell, 1, OrderType::kTrailingStop);
    f.id[2] = c.submit(t);  // no offset
    f.id[3] = c.submit(request(OrderSide::kBuy, -3));
    auto gtd = request(OrderSide::kBuy, 1, OrderType::kLimit);
    gtd.limit_price = 50;
    gtd.tif = TimeInForce::kGtd;
    gtd.expire_time = f.bars.ts[0] - 1;
    f.id[4] = c.submit(gtd);
  });
  auto r = f.run();
  const char* want[] = {"short selling is not allowed", "needs a limit price",
                        "trailing stop needs an offset", "is not a number >= 0", "expires at"};
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(order_of(r, f.id[k]).status, OrderStatus::kRejected) << k;
    EXPECT_NE(last_reason(r, f.id[k]).find(want[k]), std::string::npos) << last_reason(r, f.id[k]);
  }
  EXPECT_TRUE(r.fills.empty());
}

TEST(EngineOrders, SizedAtFillAndSizedToZero) {
  Fixture f;
  f.cfg.fees.taker_rate = 0.002;
  f.s.at[0].push_back([&](StrategyContext& c) { f.id[0] = c.submit(request(OrderSide::kBuy, 0)); });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].quantity, 99);  // floor(10000 / (100 x 1.002))
  Fixture g;
  g.cfg.initial_cash = 50;
  g.s.at[0].push_back([&](StrategyContext& c) { g.id[0] = c.submit(request(OrderSide::kBuy, 0)); });
  auto z = g.run();
  EXPECT_TRUE(z.fills.empty());
  EXPECT_EQ(order_of(z, g.id[0]).status, OrderStatus::kCanceled);
  EXPECT_NE(last_reason(z, g.id[0]).find("sized to zero"), std::string::npos);
}

TEST(EngineOrders, ExclusiveClosesTheOppositePositionFirst) {
  Fixture f;
  f.cfg.exclusive = true;
  f.cfg.allow_short = true;
  f.s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 10)); });
  f.s.at[1].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kSell, 5)); });
  auto r = f.run();
  ASSERT_EQ(r.fills.size(), 3u);
  EXPECT_EQ(r.fills[1].quantity, 10);  // the automatic close
  EXPECT_EQ(r.fills[2].quantity, 5);   // then the short
  ASSERT_EQ(r.record.open_positions.size(), 1u);
  EXPECT_EQ(r.record.open_positions[0].side, analytics::Side::kShort);
  EXPECT_EQ(r.record.open_positions[0].size, 5);
}

TEST(EngineOrders, HedgingKeepsBothSidesOpen) {
  Fixture f;
  f.cfg.position_mode = portfolio::PositionMode::kHedging;
  f.cfg.allow_short = true;
  f.s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 10)); });
  f.s.at[1].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kSell, 4)); });
  auto r = f.run();
  EXPECT_TRUE(r.record.trades.empty());
  EXPECT_EQ(r.record.open_positions.size(), 2u);
}

TEST(EngineOrders, StrategyThatThrowsIsFaultedNotACrash) {
  Fixture f;
  f.s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 10)); });
  f.s.at[2].push_back([&](StrategyContext&) { throw std::runtime_error("boom"); });
  auto r = f.run();
  EXPECT_NE(r.fault.find("boom"), std::string::npos);
  EXPECT_NE(r.fault.find("on_bar"), std::string::npos);
  ASSERT_EQ(r.record.open_positions.size(), 1u);  // books stay straight: the position is still there
  EXPECT_EQ(r.record.equity.equity.size(), 6u);
}

TEST(EngineOrders, LiquidatesWhenEquityIsGone) {
  auto bars =
      make_bars({{100, 101, 99, 100}, {100, 101, 99, 100}, {150, 210, 150, 202}, {100, 101, 99, 100}});
  ScriptStrategy s;
  s.at[0].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kSell, 99)); });
  s.at[2].push_back([&](StrategyContext& c) { c.submit(request(OrderSide::kBuy, 1)); });
  BacktestConfig cfg;
  cfg.allow_short = true;
  auto r = run_engine({&bars}, s, cfg);
  EXPECT_TRUE(r.liquidated);
  EXPECT_TRUE(r.account_blown);
  ASSERT_EQ(r.record.trades.size(), 1u);
  EXPECT_EQ(r.record.trades[0].exit_reason, "liquidation");
  EXPECT_EQ(r.record.trades[0].exit_price, 202);
  EXPECT_EQ(r.fills.size(), 2u);  // nothing after the blow-up
}

TEST(EngineFeed, MergesInstrumentsInTimeOrder) {
  auto a = make_bars({{10, 11, 9, 10}, {10, 11, 9, 10}, {10, 11, 9, 10}}, "AAA", 2 * kNanosPerDay);
  auto b = make_bars({{20, 21, 19, 20}, {20, 21, 19, 20}, {20, 21, 19, 20}, {20, 21, 19, 20}}, "BBB",
                     kNanosPerDay);
  struct Recorder final : strategy::Strategy {
    std::vector<std::pair<std::uint32_t, std::int64_t>> calls;
    std::string_view name() const override { return "recorder"; }
    void on_bar(StrategyContext& c, std::uint32_t i) override { calls.emplace_back(i, c.bar_index(i)); }
  } rec;
  auto r = run_engine({&a, &b}, rec, BacktestConfig{});
  // Days 0..4: A on 0,2,4; B on 0,1,2,3. Same timestamp: instrument order.
  const std::vector<std::pair<std::uint32_t, std::int64_t>> want = {{0, 0}, {1, 0}, {1, 1}, {0, 1},
                                                                    {1, 2}, {1, 3}, {0, 2}};
  EXPECT_EQ(rec.calls, want);
  EXPECT_EQ(r.record.equity.ts.size(), 5u);  // one point per distinct timestamp
  EXPECT_EQ(r.bars, 7);
}

TEST(EngineContext, ViewsStopAtTheCurrentBar) {
  auto bars = make_bars(kBars);
  struct Peek final : strategy::Strategy {
    strategy::SeriesView close, sma;
    std::vector<double> seen_close, seen_ahead, seen_sma;
    std::string_view name() const override { return "peek"; }
    Status on_start(StrategyContext& c) override {
      close = c.series(0, "close");
      TL_ASSIGN_OR_RETURN(sma, c.indicator(0, "sma", {{"timeperiod", 2}}));
      return ok_status();
    }
    void on_bar(StrategyContext&, std::uint32_t) override {
      seen_close.push_back(close[0]);
      seen_ahead.push_back(close[-1]);
      seen_sma.push_back(sma[0]);
      EXPECT_EQ(static_cast<std::size_t>(close.history().size()), seen_close.size());
    }
  } p;
  auto r = run_engine({&bars}, p, BacktestConfig{});
  EXPECT_EQ(p.seen_close, (std::vector<double>{100, 101, 105, 109, 96, 95}));
  for (double v : p.seen_ahead) EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(std::isnan(p.seen_sma[0]));
  EXPECT_EQ(p.seen_sma[1], 100.5);
  EXPECT_EQ(r.record.warmup_bars, 1);
}

}  // namespace
}  // namespace tradeloop::backtest
