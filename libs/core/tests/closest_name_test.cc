#include "tradeloop/core/closest_name.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tradeloop {
namespace {

// Textbook recursion (exponential, fine for strings of a few characters): an independent reference.
std::size_t naive_distance(std::string_view a, std::string_view b) {
  if (a.empty()) return b.size();
  if (b.empty()) return a.size();
  const std::size_t substitute = naive_distance(a.substr(1), b.substr(1)) + (a.front() == b.front() ? 0 : 1);
  return std::min({substitute, naive_distance(a.substr(1), b) + 1, naive_distance(a, b.substr(1)) + 1});
}

TEST(EditDistance, MatchesPublishedExamples) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("saturday", "sunday"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("sma", "sma"), 0u);
  EXPECT_EQ(edit_distance("smaa", "sma"), 1u);
}

TEST(EditDistance, EqualsBruteForceOnRandomShortStrings) {
  std::mt19937 rng(7);
  auto random_text = [&] {
    std::string s(rng() % 7, 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 3);
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    const std::string a = random_text(), b = random_text();
    ASSERT_EQ(edit_distance(a, b), naive_distance(a, b)) << a << " / " << b;
    ASSERT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << " / " << b;
  }
}

TEST(ClosestName, SuggestsTheNearestNameWithinTheDistance) {
  const std::vector<std::string> known = {"ema", "rsi", "sma", "sharpe", "sortino"};
  EXPECT_EQ(closest_name("smaa", known, 2), "sma");
  EXPECT_EQ(closest_name("sharp", known, 3), "sharpe");
  EXPECT_EQ(closest_name("sortion", known, 3), "sortino");
  EXPECT_EQ(closest_name("sma", known, 2), "sma");  // an exact match is its own suggestion
}

TEST(ClosestName, IsEmptyWhenNothingIsCloseEnough) {
  const std::vector<std::string> known = {"ema", "rsi", "sma"};
  EXPECT_EQ(closest_name("bollinger", known, 3), "");
  EXPECT_EQ(closest_name("smaaa", known, 1), "");     // distance 2 > 1
  EXPECT_EQ(closest_name("smaaa", known, 2), "sma");  // the limit is inclusive
  EXPECT_EQ(closest_name("x", {}, 10), "");
}

TEST(ClosestName, BreaksTiesByTheEarliestEntry) {
  // "sma" is one edit from both "ema" and "smb": the first listed wins, whichever it is.
  EXPECT_EQ(closest_name("sma", std::vector<std::string>{"ema", "smb"}, 2), "ema");
  EXPECT_EQ(closest_name("sma", std::vector<std::string>{"smb", "ema"}, 2), "smb");
  // A nearer later entry still beats an earlier one.
  EXPECT_EQ(closest_name("smaa", std::vector<std::string>{"ema", "sma"}, 2), "sma");
}

TEST(ClosestName, TypoToleranceIsAThirdOfTheNameAndAtLeastTwo) {
  EXPECT_EQ(typo_tolerance(""), 2u);
  EXPECT_EQ(typo_tolerance("smaa"), 2u);
  EXPECT_EQ(typo_tolerance("bollinger"), 3u);
  EXPECT_EQ(typo_tolerance("bollinger_bands"), 5u);
}

TEST(ClosestName, DidYouMeanSuffixWordsTheSuggestion) {
  EXPECT_EQ(did_you_mean_suffix("sma"), " (did you mean 'sma'?)");
  EXPECT_EQ(did_you_mean_suffix(""), "");
}

}  // namespace
}  // namespace tradeloop
