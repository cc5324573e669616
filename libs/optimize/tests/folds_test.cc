#include "tradeloop/optimize/folds.h"

#include <gtest/gtest.h>

#include <set>

namespace tradeloop::optimize {
namespace {

std::set<std::size_t> bars_of(const BarSelection& s) {
  std::set<std::size_t> out;
  for (const BarRange& r : s) {
    for (std::size_t i = r.begin; i < r.end; ++i) out.insert(i);
  }
  return out;
}

void expect_sorted_disjoint(const BarSelection& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_LT(s[i].begin, s[i].end);
    if (i > 0) {
      EXPECT_LE(s[i - 1].end, s[i].begin);
    }
  }
}

TEST(Folds, HoldoutSplitsAtTheTrainFractionWithAnEmbargo) {
  SchemeConfig c;
  c.scheme = Scheme::kHoldout;
  c.train_fraction = 0.7;
  c.embargo = 5;
  auto folds = make_folds(c, 1000);
  ASSERT_TRUE(folds.ok());
  ASSERT_EQ(folds->size(), 1u);
  EXPECT_EQ((*folds)[0].train, (BarSelection{{0, 700}}));
  EXPECT_EQ((*folds)[0].test, (BarSelection{{705, 1000}}));
}

TEST(Folds, RollingWalkForwardTilesTheTestWindowsAfterTheFirstTrainWindow) {
  SchemeConfig c;
  c.scheme = Scheme::kWalkForward;
  c.folds = 4;
  c.train_ratio = 3;
  auto folds = make_folds(c, 1005);  // window = floor(1005 / 7) = 143, first train = 429
  ASSERT_TRUE(folds.ok());
  ASSERT_EQ(folds->size(), 4u);
  std::size_t expected_begin = 429;
  for (std::size_t i = 0; i < 4; ++i) {
    const Fold& f = (*folds)[i];
    ASSERT_EQ(f.test.size(), 1u);
    EXPECT_EQ(f.test[0].begin, expected_begin);
    EXPECT_EQ(f.train, (BarSelection{{expected_begin - 429, expected_begin}}));
    expected_begin = f.test[0].end;
  }
  EXPECT_EQ((*folds)[3].test[0].end, 1005u);  // the last window takes the remainder
  EXPECT_EQ((*folds)[2].test[0].size(), 143u);
}

TEST(Folds, AnchoredWalkForwardTrainsOnEverythingBeforeTheTestWithEmbargo) {
  SchemeConfig c;
  c.scheme = Scheme::kWalkForward;
  c.folds = 3;
  c.train_ratio = 2;
  c.anchored = true;
  c.embargo = 4;
  auto folds = make_folds(c, 500);  // window 100, first train 200
  ASSERT_TRUE(folds.ok());
  EXPECT_EQ((*folds)[0].train, (BarSelection{{0, 196}}));
  EXPECT_EQ((*folds)[2].train, (BarSelection{{0, 396}}));
  EXPECT_EQ((*folds)[2].test, (BarSelection{{400, 500}}));
}

TEST(Folds, KFoldTestsEveryBarOnceAndTrainsOnTheRest) {
  SchemeConfig c;
  c.scheme = Scheme::kKFold;
  c.folds = 5;
  auto folds = make_folds(c, 103);
  ASSERT_TRUE(folds.ok());
  std::set<std::size_t> tested;
  for (const Fold& f : *folds) {
    expect_sorted_disjoint(f.train);
    const auto train = bars_of(f.train), test = bars_of(f.test);
    EXPECT_EQ(train.size() + test.size(), 103u);
    for (std::size_t b : test) {
      EXPECT_EQ(train.count(b), 0u);
      EXPECT_TRUE(tested.insert(b).second);
    }
  }
  EXPECT_EQ(tested.size(), 103u);
  // The middle fold trains on two ranges, before and after its test block.
  EXPECT_EQ((*folds)[2].train.size(), 2u);
}

TEST(Folds, PurgedRemovesPurgeBarsBeforeAndEmbargoBarsAfterEachTestBlock) {
  SchemeConfig c;
  c.scheme = Scheme::kPurged;
  c.folds = 4;
  c.purge = 7;
  c.embargo = 11;
  const std::size_t n = 400;
  auto folds = make_folds(c, n);
  ASSERT_TRUE(folds.ok());
  for (const Fold& f : *folds) {
    const BarRange t = f.test[0];
    const auto train = bars_of(f.train);
    // Brute force: a bar trains iff it is outside [test_begin - purge, test_end + embargo).
    for (std::size_t b = 0; b < n; ++b) {
      const bool banned = b + c.purge >= t.begin && b < t.end + c.embargo;
      EXPECT_EQ(train.count(b) == 1, !banned) << "fold " << f.index << " bar " << b;
    }
  }
  EXPECT_EQ((*folds)[0].train, (BarSelection{{111, 400}}));
  EXPECT_EQ((*folds)[1].train, (BarSelection{{0, 93}, {211, 400}}));
  EXPECT_EQ((*folds)[3].train, (BarSelection{{0, 293}}));
}

TEST(Folds, CpcvMakesEveryCombinationAndCompletePaths) {
  SchemeConfig c;
  c.scheme = Scheme::kCpcv;
  c.folds = 6;
  c.test_groups = 2;
  c.purge = 3;
  c.embargo = 5;
  const std::size_t n = 600;
  auto folds = make_folds(c, n);
  ASSERT_TRUE(folds.ok());
  ASSERT_EQ(folds->size(), 15u);  // C(6, 2)
  EXPECT_EQ((*folds)[0].test_groups, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ((*folds)[14].test_groups, (std::vector<std::size_t>{4, 5}));
  const auto blocks = split_blocks(n, 6);
  for (const Fold& f : *folds) {
    ASSERT_EQ(f.test.size(), 2u);
    const auto train = bars_of(f.train);
    for (std::size_t b = 0; b < n; ++b) {
      bool banned = false;
      for (const BarRange& t : f.test) banned = banned || (b + c.purge >= t.begin && b < t.end + c.embargo);
      EXPECT_EQ(train.count(b) == 1, !banned) << "split " << f.index << " bar " << b;
    }
  }
  // phi = k * C(N, k) / N = 2 * 15 / 6 = 5 paths; each path tests every group exactly once, each
  // (split, group) pair is used by exactly one path.
  const auto paths = cpcv_paths(*folds, 6);
  ASSERT_EQ(paths.size(), 5u);
  std::set<std::pair<std::size_t, std::size_t>> used;
  for (const auto& path : paths) {
    ASSERT_EQ(path.size(), 6u);
    for (std::size_t g = 0; g < 6; ++g) {
      const auto& groups = (*folds)[path[g]].test_groups;
      EXPECT_NE(std::find(groups.begin(), groups.end(), g), groups.end());
      EXPECT_TRUE(used.insert({path[g], g}).second);
    }
  }
  EXPECT_EQ(used.size(), 30u);
}

TEST(Folds, RefusesSchemesThatLeaveTooLittleData) {
  SchemeConfig c;
  c.scheme = Scheme::kKFold;
  c.folds = 50;
  auto r = make_folds(c, 60);
  ASSERT_FALSE(r.ok());
  c.scheme = Scheme::kCpcv;
  c.folds = 4;
  c.test_groups = 4;
  EXPECT_FALSE(make_folds(c, 1000).ok());
  c.scheme = Scheme::kHoldout;
  c.train_fraction = 1.5;
  EXPECT_FALSE(make_folds(c, 1000).ok());
  c.scheme = Scheme::kPurged;
  c.folds = 3;
  c.embargo = 700;
  auto big = make_folds(c, 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("training bars"), std::string::npos);
}

TEST(Folds, ParsesSchemeNames) {
  for (const char* name : {"holdout", "walkforward", "kfold", "purged", "cpcv"}) {
    auto s = parse_scheme(name);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(scheme_name(*s), name);
  }
  EXPECT_FALSE(parse_scheme("bootstrap").ok());
}

}  // namespace
}  // namespace tradeloop::optimize
