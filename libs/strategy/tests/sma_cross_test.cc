#include "tradeloop/strategy/sma_cross.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/builtin.h"

namespace tradeloop::strategy {
namespace {

const double kN = std::nan("");

TEST(SmaCross, FlagsOnStrictCrossesOnly) {
  // fast:  nan  1   2   3   3   1   1
  // slow:  nan  2   2   2   3   2   1
  std::vector<double> fast = {kN, 1, 2, 3, 3, 1, 1};
  std::vector<double> slow = {kN, 2, 2, 2, 3, 2, 1};
  SignalPlan plan;
  sma_cross_flags(fast, slow, plan);
  ASSERT_EQ(plan.bars, 7u);
  // t=2: 1<2 then 2>2? no (equal is not a cross). t=3: prev 2<2? no. So touching never crosses.
  EXPECT_EQ(plan.long_entry, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0}));
  // t=5: prev 3>3? no. t=4 -> prev 3>2 and 3<3? no.
  EXPECT_EQ(plan.long_exit, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0}));
  fast = {kN, 1, 3, 3, 1};
  slow = {kN, 2, 2, 2, 2};
  sma_cross_flags(fast, slow, plan);
  EXPECT_EQ(plan.long_entry, (std::vector<std::uint8_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ(plan.long_exit, (std::vector<std::uint8_t>{0, 0, 0, 0, 1}));
  EXPECT_EQ(plan.short_entry, plan.long_exit);
  EXPECT_EQ(plan.short_exit, plan.long_entry);
}

TEST(SmaCross, FlagsEqualABruteForceScanForEveryLengthWithTiesAndNaNs) {
  // The flags are computed eight bars at a time with carried bits: every length around the block
  // size, small integer values (many ties) and NaN runs, against the definition bar by bar.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> v(0, 3);
  std::uniform_int_distribution<int> nan_roll(0, 9);
  SignalPlan plan;
  for (std::size_t n = 0; n <= 70; ++n) {
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<double> fast(n), slow(n);
      for (std::size_t t = 0; t < n; ++t) {
        fast[t] = nan_roll(rng) == 0 ? kN : v(rng);
        slow[t] = nan_roll(rng) == 0 ? kN : v(rng);
      }
      sma_cross_flags(fast, slow, plan);
      ASSERT_EQ(plan.long_entry.size(), n);
      for (std::size_t t = 0; t < n; ++t) {
        const bool up = t > 0 && fast[t - 1] < slow[t - 1] && fast[t] > slow[t];
        const bool down = t > 0 && fast[t - 1] > slow[t - 1] && fast[t] < slow[t];
        ASSERT_EQ(plan.long_entry[t], up) << "n=" << n << " t=" << t;
        ASSERT_EQ(plan.long_exit[t], down) << "n=" << n << " t=" << t;
      }
      EXPECT_EQ(plan.short_entry, plan.long_exit);
      EXPECT_EQ(plan.short_exit, plan.long_entry);
    }
  }
}

TEST(SmaCross, ParamsAreValidated) {
  EXPECT_FALSE((SmaCrossParams{5, 5}).validate().ok());
  EXPECT_FALSE((SmaCrossParams{1, 5}).validate().ok());
  EXPECT_TRUE((SmaCrossParams{10, 20}).validate().ok());
  const BuiltinInfo* info = find_builtin("sma_cross");
  ASSERT_NE(info, nullptr);
  auto bad = resolve_builtin_params(*info, {{"fastt", 3}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("'fastt'"), std::string::npos);
  auto frac = resolve_builtin_params(*info, {{"fast", 3.5}});
  EXPECT_FALSE(frac.ok());
  auto ok = resolve_builtin_params(*info, {{"fast", 3}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at("fast"), 3);
  EXPECT_EQ(ok->at("slow"), 20);
}

TEST(SmaCross, PlanMatchesBruteForceAverages) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> step(0, 1);
  std::vector<double> close(3000);
  double p = 100;
  for (auto& c : close) c = (p += step(rng));
  auto plan = sma_cross_plan(close, {7, 19});
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  auto brute = [&](std::size_t t, int n) {
    if (t + 1 < static_cast<std::size_t>(n)) return kN;
    double s = 0;
    for (std::size_t k = t + 1 - n; k <= t; ++k) s += close[k];
    return s / n;
  };
  int crosses = 0;
  for (std::size_t t = 1; t < close.size(); ++t) {
    const double pf = brute(t - 1, 7), ps = brute(t - 1, 19), f = brute(t, 7), s = brute(t, 19);
    EXPECT_EQ(plan->long_entry[t], pf < ps && f > s) << t;
    EXPECT_EQ(plan->long_exit[t], pf > ps && f < s) << t;
    crosses += plan->long_entry[t] + plan->long_exit[t];
  }
  EXPECT_GT(crosses, 50);
}

}  // namespace
}  // namespace tradeloop::strategy
