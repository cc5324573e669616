#include "tradeloop/portfolio/account.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tradeloop::portfolio {
namespace {

using model::Fill;
using model::OrderSide;

model::Instrument goog() {
  model::Instrument i;
  i.symbol = "GOOG";
  return i;
}

Fill fill(OrderSide side, double qty, double price, double fee, std::int64_t bar = 0) {
  Fill f;
  f.order = 1;
  f.side = side;
  f.quantity = qty;
  f.price = price;
  f.fee = fee;
  f.bar = bar;
  f.ts = bar * 86400;
  return f;
}

TEST(Account, RoundTripMatchesBacktestingPyArithmetic) {
  Account a(10000, {goog()});
  std::vector<analytics::ClosedTrade> closed;
  // Short 59 at 169.02 then cover at 179.13, 0.2% commission each way (backtesting.py's first trade).
  const double f1 = 0 + 59 * 169.02 * 0.002, f2 = 0 + 59 * 179.13 * 0.002;
  a.apply_fill(fill(OrderSide::kSell, 59, 169.02, f1, 60), true, true, "", &closed);
  EXPECT_EQ(a.balance(), 10000 - f1);
  a.mark(0, 170);
  EXPECT_EQ(a.equity(), (10000 - f1) + (-59 * (170 - 169.02)));
  a.apply_fill(fill(OrderSide::kBuy, 59, 179.13, f2, 73), true, true, "signal", &closed);
  ASSERT_EQ(closed.size(), 1u);
  const auto& t = closed[0];
  EXPECT_EQ(t.side, analytics::Side::kShort);
  EXPECT_EQ(t.size, 59);
  EXPECT_EQ(t.fees, f2 + f1);
  EXPECT_EQ(t.pnl, -59 * (179.13 - 169.02) - (f2 + f1));
  EXPECT_EQ(t.pnl, -637.571699999999);                        // the reference simulation's value, bit for bit
  EXPECT_EQ(t.return_pct, -1 * (179.13 / 169.02 - 1) * 100);  // before fees
  // backtesting.py's ReturnPct (net of both commissions) from it: the reference's -6.3935...%.
  EXPECT_NEAR(t.return_pct / 100 - t.fees / (59 * 169.02), -0.06393503727369543, 1e-15);
  EXPECT_EQ(t.exit_reason, "signal");
  EXPECT_EQ(a.balance(), (10000 - f1) + (-59 * (179.13 - 169.02) - f2));
  EXPECT_TRUE(a.is_flat());
  EXPECT_EQ(a.equity(), a.balance());
}

TEST(Account, NettingReducesFifoAndFlips) {
  Account a(100000, {goog()});
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kBuy, 10, 100, 0, 1), true, true, "", &closed);
  a.apply_fill(fill(OrderSide::kBuy, 5, 110, 0, 2), true, true, "", &closed);
  EXPECT_EQ(a.net_quantity(0), 15);
  // Sell 12: closes the 10 @100 lot, then 2 of the 5 @110 lot.
  a.apply_fill(fill(OrderSide::kSell, 12, 120, 0, 3), true, true, "signal", &closed);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].size, 10);
  EXPECT_EQ(closed[0].entry_price, 100);
  EXPECT_EQ(closed[0].pnl, 200);
  EXPECT_EQ(closed[1].size, 2);
  EXPECT_EQ(closed[1].entry_price, 110);
  EXPECT_EQ(closed[1].pnl, 20);
  EXPECT_EQ(a.net_quantity(0), 3);
  // Sell 5 more: closes 3, opens a short of 2.
  a.apply_fill(fill(OrderSide::kSell, 5, 100, 0, 4), true, true, "signal", &closed);
  EXPECT_EQ(a.net_quantity(0), -2);
  ASSERT_EQ(a.lots(0).size(), 1u);
  EXPECT_EQ(a.lots(0)[0].entry_price, 100);
  EXPECT_EQ(a.balance(), 100000 + 200 + 20 + 3 * (100 - 110));
}

TEST(Account, HedgingKeepsBothSides) {
  Account a(100000, {goog()}, PositionMode::kHedging);
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kBuy, 10, 100, 0), false, true, "", &closed);
  a.apply_fill(fill(OrderSide::kSell, 4, 105, 0), false, true, "", &closed);
  EXPECT_TRUE(closed.empty());
  EXPECT_EQ(a.side_quantity(0, 1), 10);
  EXPECT_EQ(a.side_quantity(0, -1), -4);
  EXPECT_EQ(a.net_quantity(0), 6);
  a.mark(0, 110);
  EXPECT_EQ(a.unrealized_pnl(), 10 * 10 + (-4) * 5);
  // A closing buy reduces the short only.
  a.apply_fill(fill(OrderSide::kBuy, 4, 110, 0), true, true, "signal", &closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].side, analytics::Side::kShort);
  EXPECT_EQ(closed[0].pnl, -20);
  EXPECT_EQ(a.side_quantity(0, 1), 10);
}

TEST(Account, PartialClosesSplitFeesProRata) {
  Account a(100000, {goog()});
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kBuy, 10, 100, 4), true, true, "", &closed);
  a.apply_fill(fill(OrderSide::kSell, 4, 110, 1), true, true, "a", &closed);
  a.apply_fill(fill(OrderSide::kSell, 6, 90, 2), true, true, "b", &closed);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_DOUBLE_EQ(closed[0].fees, 1 + 4 * 0.4);
  EXPECT_DOUBLE_EQ(closed[1].fees, 2 + 4 * 0.6);
  EXPECT_DOUBLE_EQ(closed[0].fees + closed[1].fees, a.total_fees());
  EXPECT_DOUBLE_EQ(a.balance(), 100000 - 7 + 40 - 60);
}

TEST(Account, ChargesAreAttributedToOpenLots) {
  Account a(100000, {goog()});
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kSell, 10, 100, 0), true, true, "", &closed);
  a.charge(0, 3.5);  // borrow
  EXPECT_EQ(a.balance(), 100000 - 3.5);
  EXPECT_EQ(a.total_charges(), 3.5);
  a.apply_fill(fill(OrderSide::kBuy, 10, 100, 0), true, true, "signal", &closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].fees, 3.5);
  EXPECT_EQ(closed[0].pnl, -3.5);
}

TEST(Account, ExcursionsFromObservedBars) {
  Account a(100000, {goog()});
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kBuy, 1, 100, 0, 5), true, /*at_open=*/false, "", &closed);
  a.observe_bar(0, 5, 130, 50);  // the entry bar: entered at its close, does not count
  a.observe_bar(0, 6, 120, 90);
  a.apply_fill(fill(OrderSide::kSell, 1, 110, 0, 7), true, true, "signal", &closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_DOUBLE_EQ(closed[0].mfe_pct, 20);
  EXPECT_DOUBLE_EQ(closed[0].mae_pct, -10);
  double mae, mfe;
  excursions(-1, 100, 120, 90, &mae, &mfe);
  EXPECT_DOUBLE_EQ(mae, -20);
  EXPECT_DOUBLE_EQ(mfe, 10);
}

TEST(Account, MarginWithLeverage) {
  Account a(1000, {goog()}, PositionMode::kNetting, 4);
  std::vector<analytics::ClosedTrade> closed;
  a.apply_fill(fill(OrderSide::kBuy, 30, 100, 0), true, true, "", &closed);
  a.mark(0, 100);
  EXPECT_EQ(a.margin_used(), 750);
  EXPECT_EQ(a.margin_available(), 250);
  a.mark(0, 70);  // -900: equity 100, margin used 525
  EXPECT_EQ(a.equity(), 100);
  EXPECT_EQ(a.margin_available(), 0);
  EXPECT_EQ(a.gross_exposure(), 2100);
}

TEST(AccountDeathTest, RejectsBadFills) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Account a(1000, {goog()});
  EXPECT_DEATH(a.apply_fill(fill(OrderSide::kBuy, 0, 100, 0), true, true, "", nullptr), "quantity");
  Account h(1000, {goog()}, PositionMode::kHedging);
  EXPECT_DEATH(h.apply_fill(fill(OrderSide::kSell, 1, 100, 0), true, true, "", nullptr), "exceeds");
}

}  // namespace
}  // namespace tradeloop::portfolio
