#include "tradeloop/analytics/return_sums.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace tradeloop::analytics {
namespace {

// The obvious sequential sums in long double: the reference the lane sums must agree with to rounding.
struct Reference {
  std::size_t count = 0;
  long double sum = 0, down_sq = 0, gains = 0, losses = 0, log_growth = 0, m2 = 0, m3 = 0, m4 = 0;
  bool wiped_out = false;
};

Reference reference(const std::vector<double>& r) {
  Reference ref;
  for (const double x : r) {
    if (std::isnan(x)) continue;
    ++ref.count;
    ref.sum += x;
    ref.down_sq += x < 0 ? static_cast<long double>(x) * x : 0;
    ref.gains += x > 0 ? x : 0;
    ref.losses += x < 0 ? -x : 0;
    ref.wiped_out |= 1.0 + x <= 0.0;
    if (1.0 + x > 0.0) ref.log_growth += std::log1p(static_cast<long double>(x));
  }
  const long double mean = ref.count > 0 ? ref.sum / ref.count : 0;
  for (const double x : r) {
    if (std::isnan(x)) continue;
    const long double d = x - mean;
    ref.m2 += d * d;
    ref.m3 += d * d * d;
    ref.m4 += d * d * d * d;
  }
  return ref;
}

void expect_close(long double want, double got, double scale, const char* what, std::size_t n) {
  EXPECT_NEAR(static_cast<double>(want), got, 1e-12 * std::max(1.0, scale)) << what << " n=" << n;
}

TEST(ReturnSums, AgreeWithSequentialSumsForEveryLengthAndNaNPlacement) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0005, 0.02);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t n = 0; n <= 700; n += (n < 20 ? 1 : 37)) {
    for (const double nan_share : {0.0, 0.1, 0.9}) {
      std::vector<double> r(n);
      for (double& x : r) x = u(rng) < nan_share ? std::nan("") : normal(rng);
      const Reference ref = reference(r);
      const ReturnSums s = sum_returns(r);
      ASSERT_EQ(s.count, ref.count) << n;
      EXPECT_FALSE(s.wiped_out);
      expect_close(ref.sum, s.sum, 1, "sum", n);
      expect_close(ref.down_sq, s.down_sq, 1, "down_sq", n);
      expect_close(ref.gains, s.gains, 1, "gains", n);
      expect_close(ref.losses, s.losses, 1, "losses", n);
      expect_close(ref.log_growth, s.log_growth, 1, "log_growth", n);
      const double mean = ref.count > 0 ? static_cast<double>(ref.sum / ref.count) : 0;
      const CentralSums c = central_sums(r, mean);
      expect_close(ref.m2, c.m2, 1, "m2", n);
      expect_close(ref.m3, c.m3, 1, "m3", n);
      expect_close(ref.m4, c.m4, 1, "m4", n);
    }
  }
}

TEST(ReturnSums, LanesAreFixedByPositionSoEqualInputsGiveEqualBits) {
  // The contract shared by metrics and the optimizer: the same span gives the same bits, and a NaN
  // adds exactly nothing (the same series with a NaN appended sums to the same bits).
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0, 0.03);
  std::vector<double> r(1001);
  for (double& x : r) x = normal(rng);
  const ReturnSums a = sum_returns(r);
  std::vector<double> with_nan = r;
  with_nan.push_back(std::nan(""));
  const ReturnSums b = sum_returns(with_nan);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.sum, b.sum);
  EXPECT_EQ(a.down_sq, b.down_sq);
  EXPECT_EQ(a.log_growth, b.log_growth);
  EXPECT_EQ(central_sums(r, 0.001).m2, central_sums(with_nan, 0.001).m2);
}

TEST(ReturnSums, WipedOutAndLongProductsStayInRange) {
  std::vector<double> r(5000, 0.5);  // growth 1.5^5000 overflows a double without renormalization
  ReturnSums s = sum_returns(r);
  EXPECT_FALSE(s.wiped_out);
  EXPECT_NEAR(s.log_growth, 5000 * std::log(1.5), 1e-9 * 5000 * std::log(1.5));
  r[1234] = -1.0;  // -100%: the account is gone
  s = sum_returns(r);
  EXPECT_TRUE(s.wiped_out);
  EXPECT_EQ(sum_returns({}).count, 0u);
  EXPECT_EQ(sum_returns({}).log_growth, 0.0);
}

TEST(ReturnSums, HasNanFindsANaNAtEveryPosition) {
  for (std::size_t n = 0; n <= 9; ++n) {
    std::vector<double> v(n, 1.5);
    EXPECT_FALSE(has_nan(v)) << n;
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = std::nan("");
      EXPECT_TRUE(has_nan(v)) << n << " " << i;
      v[i] = std::numeric_limits<double>::infinity();
      EXPECT_FALSE(has_nan(v)) << n << " " << i;
      v[i] = 1.5;
    }
  }
}

}  // namespace
}  // namespace tradeloop::analytics
