#include "tradeloop/strategy/signal_decision.h"

#include <gtest/gtest.h>

namespace tradeloop::strategy {
namespace {

SignalFlags f(bool le, bool lx, bool se, bool sx, bool allowed = true) {
  SignalFlags x;
  x.long_entry = le;
  x.long_exit = lx;
  x.short_entry = se;
  x.short_exit = sx;
  x.entry_allowed = allowed;
  return x;
}

TEST(SignalDecision, FlatEntries) {
  EXPECT_EQ(decide(0, f(1, 0, 0, 0), false, false, false).entry, 1);
  EXPECT_EQ(decide(0, f(0, 0, 1, 0), false, false, false).entry, 0);  // shorts need --allow-short
  EXPECT_EQ(decide(0, f(0, 0, 1, 0), true, false, false).entry, -1);
  EXPECT_EQ(decide(0, f(1, 0, 1, 0), true, false, false).entry, 0);  // ambiguous
  EXPECT_EQ(decide(0, f(1, 0, 0, 0, false), true, false, false).entry, 0);
  EXPECT_FALSE(decide(0, f(0, 1, 0, 1), true, true, false).exit);  // nothing to exit
}

TEST(SignalDecision, SmaCrossLongOnlyAndReversing) {
  // sma_cross: up = long_entry & short_exit, down = long_exit & short_entry.
  const auto up = f(1, 0, 0, 1), down = f(0, 1, 1, 0);
  auto d = decide(1, down, false, false, false);
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, 0);
  d = decide(1, down, true, false, false);  // reverses even without --exclusive: own exit fired
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, -1);
  d = decide(-1, up, true, false, false);
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, 1);
}

TEST(SignalDecision, OppositeEntryNeedsExclusiveOrAnExit) {
  auto d = decide(1, f(0, 0, 1, 0), true, false, false);
  EXPECT_FALSE(d.exit);
  EXPECT_EQ(d.entry, 0);
  d = decide(1, f(0, 0, 1, 0), true, true, false);
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, -1);
  d = decide(1, f(0, 0, 1, 0), true, true, /*cooldown=*/true);
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, 0);
}

TEST(SignalDecision, NoPyramiding) {
  auto d = decide(1, f(1, 0, 0, 0), true, true, false);
  EXPECT_FALSE(d.exit);
  EXPECT_EQ(d.entry, 0);
  d = decide(1, f(1, 1, 0, 0), true, true, false);  // exit and same-side entry: exit only
  EXPECT_TRUE(d.exit);
  EXPECT_EQ(d.entry, 0);
}

}  // namespace
}  // namespace tradeloop::strategy
