#include "tradeloop/optimize/overfitting.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tradeloop/optimize/rng.h"

namespace tradeloop::optimize {
namespace {

TEST(Normal, QuantileInvertsTheCdfToMachinePrecision) {
  // Reference quantiles (R's qnorm / Python's statistics.NormalDist).
  EXPECT_NEAR(normal_quantile(0.975), 1.9599639845400536, 1e-14);
  EXPECT_NEAR(normal_quantile(0.99), 2.3263478740408408, 1e-14);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-16);
  for (double p = 1e-6; p < 1; p += 0.0137) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 1e-14 * std::max(1.0, p / (1 - p))) << p;
  }
  EXPECT_TRUE(std::isinf(normal_quantile(1.0)));
}

// Bailey and López de Prado (2014), section "A numerical example": an annualized Sharpe ratio of 2.5
// over 5 years of daily returns (T = 1250), found after N = 100 trials whose annualized Sharpe
// ratios have variance 1/2, with skew -3 and kurtosis 10: SR0 = 0.1132 (per day) and DSR = 0.9004.
TEST(DeflatedSharpe, MatchesThePapersNumericalExample) {
  const double v = 0.5 / 250;
  EXPECT_NEAR(expected_max_sharpe(100, v), 0.1132, 5e-5);
  const DeflatedSharpe d = deflated_sharpe(2.5 / std::sqrt(250.0), 1250, 100, v, -3, 10);
  ASSERT_TRUE(d.valid);
  EXPECT_NEAR(d.probability, 0.9004, 5e-5);
  EXPECT_NEAR(d.expected_max_sharpe, 0.1132, 5e-5);
}

TEST(DeflatedSharpe, ExpectedMaximumAgreesWithSimulation) {
  // E[max of N independent N(0, V) Sharpe ratios], by Monte Carlo: the paper's approximation is
  // within about 1% for N = 100.
  Rng rng(11);
  const int n = 100, reps = 20000;
  const double sd = 0.3;
  double total = 0;
  for (int r = 0; r < reps; ++r) {
    double best = -1e300;
    for (int i = 0; i < n; ++i) best = std::max(best, sd * rng.normal());
    total += best;
  }
  const double simulated = total / reps;
  EXPECT_NEAR(expected_max_sharpe(n, sd * sd) / simulated, 1.0, 0.02);
}

TEST(DeflatedSharpe, OneTrialIsThePlainProbabilisticSharpe) {
  const DeflatedSharpe d = deflated_sharpe(0.1, 500, 1, 0.01, 0, 3);
  EXPECT_EQ(d.expected_max_sharpe, 0);
  EXPECT_NEAR(d.probability, normal_cdf(0.1 * std::sqrt(499.0) / std::sqrt(1 + 0.5 * 0.01)), 1e-15);
  EXPECT_DOUBLE_EQ(d.probability, probabilistic_sharpe(0.1, 0, 500, 0, 3));
}

TEST(DeflatedSharpe, MoreTrialsDeflateMore) {
  double last = 1;
  for (const double n : {2.0, 10.0, 100.0, 1000.0}) {
    const double p = deflated_sharpe(0.08, 1000, n, 0.001, 0, 3).probability;
    EXPECT_LT(p, last);
    last = p;
  }
}

TEST(DeflatedSharpe, FromTrialsUsesSampleVarianceOfTheirSharpes) {
  std::vector<double> returns;
  Rng rng(5);
  for (int i = 0; i < 300; ++i) returns.push_back(0.001 + 0.01 * rng.normal());
  const ReturnStats s = summarize_returns(returns, 0);
  const std::vector<double> sharpes = {0.01, 0.05, -0.02, s.sharpe()};
  const DeflatedSharpe d = deflated_sharpe(s, sharpes);
  double mean = 0;
  for (double x : sharpes) mean += x / 4;
  double var = 0;
  for (double x : sharpes) var += (x - mean) * (x - mean) / 3;
  EXPECT_DOUBLE_EQ(d.sharpe_variance, var);
  EXPECT_EQ(d.trials, 4);
  EXPECT_EQ(d.observations, 300);
  EXPECT_NEAR(d.probability, deflated_sharpe(s.sharpe(), 300, 4, var, s.skew, s.kurtosis).probability, 1e-15);
}

TEST(ReturnStats, MomentsAndBlocksMatchDirectFormulas) {
  const std::vector<double> r = {0.01, -0.02, 0.03, 0.0, 0.015, -0.005, 0.02};
  const ReturnStats s = summarize_returns(r, 3);
  double mean = 0;
  for (double x : r) mean += x / 7;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : r) {
    m2 += std::pow(x - mean, 2) / 7;
    m3 += std::pow(x - mean, 3) / 7;
    m4 += std::pow(x - mean, 4) / 7;
  }
  EXPECT_NEAR(s.mean, mean, 1e-16);
  EXPECT_NEAR(s.stdev, std::sqrt(m2 * 7 / 6), 1e-16);
  EXPECT_NEAR(s.skew, m3 / std::pow(m2, 1.5), 1e-12);
  EXPECT_NEAR(s.kurtosis, m4 / (m2 * m2), 1e-12);
  ASSERT_EQ(s.blocks.size(), 3u);  // 7 = 3 + 2 + 2 (like numpy.array_split)
  EXPECT_EQ(s.blocks[0].count, 3);
  EXPECT_EQ(s.blocks[2].count, 2);
  EXPECT_NEAR(blocks_sharpe(s.blocks, {1, 1, 1}), s.sharpe(), 1e-12);
}

// Independent brute force of CSCV: explicit sub-matrices, Sharpe ratios from the raw returns,
// combinations enumerated as bit masks, ordinal ranks with ties averaged.
double brute_force_pbo(const std::vector<std::vector<double>>& m, std::size_t s,
                       std::vector<double>* logits) {
  const std::size_t n = m.size(), t = m[0].size();
  std::vector<std::size_t> start(s + 1);
  // Same cut as numpy.array_split: the first t % s blocks are one longer.
  for (std::size_t k = 0, pos = 0; k <= s; ++k) {
    start[k] = pos;
    if (k < s) pos += t / s + (k < t % s ? 1 : 0);
  }
  const auto sharpe = [&](std::size_t j, unsigned mask) {
    std::vector<double> xs;
    for (std::size_t k = 0; k < s; ++k) {
      if (mask & (1u << k)) xs.insert(xs.end(), m[j].begin() + start[k], m[j].begin() + start[k + 1]);
    }
    double mean = 0;
    for (double x : xs) mean += x;
    mean /= xs.size();
    double var = 0;
    for (double x : xs) var += (x - mean) * (x - mean);
    var /= xs.size() - 1;
    return mean / std::sqrt(var);
  };
  double below = 0, count = 0;
  for (unsigned mask = 0; mask < (1u << s); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcount(mask)) != s / 2) continue;
    const unsigned oos_mask = ((1u << s) - 1) & ~mask;
    std::size_t best = 0;
    for (std::size_t j = 1; j < n; ++j) {
      if (sharpe(j, mask) > sharpe(best, mask)) best = j;
    }
    std::vector<double> oos(n);
    for (std::size_t j = 0; j < n; ++j) oos[j] = sharpe(j, oos_mask);
    std::vector<double> sorted = oos;
    std::sort(sorted.begin(), sorted.end());
    const auto lo = std::lower_bound(sorted.begin(), sorted.end(), oos[best]) - sorted.begin();
    const auto hi = std::upper_bound(sorted.begin(), sorted.end(), oos[best]) - sorted.begin();
    const double rank = (static_cast<double>(lo + 1) + static_cast<double>(hi)) / 2;
    const double w = rank / (n + 1);
    const double lambda = std::log(w / (1 - w));
    if (logits) logits->push_back(lambda);
    below += lambda <= 0 ? 1 : 0;
    count += 1;
  }
  return below / count;
}

TEST(Pbo, AgreesWithBruteForceOnRandomStrategies) {
  Rng rng(2024);
  std::vector<std::vector<double>> m(12, std::vector<double>(203));
  for (std::size_t j = 0; j < m.size(); ++j) {
    const double drift = 0.0005 * rng.normal();
    for (double& x : m[j]) x = drift + 0.01 * rng.normal();
  }
  std::vector<double> expected_logits;
  const double expected = brute_force_pbo(m, 8, &expected_logits);
  for (const int jobs : {1, 2}) {
    auto pbo = pbo_cscv(m, 8, jobs);
    ASSERT_TRUE(pbo.ok());
    ASSERT_TRUE(pbo->valid);
    EXPECT_EQ(pbo->combinations, 70u);
    EXPECT_DOUBLE_EQ(pbo->probability, expected);
    // The brute force enumerates masks in increasing integer order, not lexicographic order of
    // indices: compare as sorted multisets.
    std::vector<double> got = pbo->logits;
    std::sort(got.begin(), got.end());
    std::sort(expected_logits.begin(), expected_logits.end());
    ASSERT_EQ(got.size(), expected_logits.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected_logits[i], 1e-12);
  }
}

TEST(Pbo, ZeroWhenOneStrategyIsBestInEveryBlock) {
  Rng rng(1);
  std::vector<std::vector<double>> m(5, std::vector<double>(400));
  for (std::size_t j = 0; j < m.size(); ++j) {
    for (double& x : m[j]) x = (j == 3 ? 0.01 : 0.0) + 0.001 * rng.normal();
  }
  auto pbo = pbo_cscv(m, 16);
  ASSERT_TRUE(pbo.ok());
  EXPECT_EQ(pbo->combinations, 12870u);
  EXPECT_EQ(pbo->probability, 0.0);
  EXPECT_EQ(pbo->prob_oos_loss, 0.0);
}

TEST(Pbo, OneWhenInSampleWinnersAlwaysLoseOutOfSample) {
  // Two blocks; strategy 0 earns in block 0 and loses in block 1, strategy 1 the reverse. Either
  // half as in-sample picks the strategy that loses on the other half.
  const std::size_t per_block = 50;
  std::vector<std::vector<double>> m(2);
  Rng rng(9);
  for (std::size_t j = 0; j < 2; ++j) {
    for (std::size_t k = 0; k < 2; ++k) {
      for (std::size_t i = 0; i < per_block; ++i)
        m[j].push_back((k == j ? 0.01 : -0.01) + 0.001 * rng.normal());
    }
  }
  auto pbo = pbo_cscv(m, 2);
  ASSERT_TRUE(pbo.ok());
  ASSERT_TRUE(pbo->valid);
  EXPECT_EQ(pbo->combinations, 2u);
  EXPECT_EQ(pbo->probability, 1.0);
  EXPECT_EQ(pbo->prob_oos_loss, 1.0);
  EXPECT_NEAR(pbo->logits[0], std::log((1.0 / 3) / (2.0 / 3)), 1e-15);
}

TEST(Pbo, ExplainsWhyItCannotBeComputed) {
  auto one = pbo_cscv(std::vector<std::vector<double>>{{0.1, 0.2, 0.3}}, 2);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->valid);
  EXPECT_NE(one->note.find("at least 2"), std::string::npos);
  auto odd = pbo_cscv(
      std::vector<std::vector<BlockMoments>>{std::vector<BlockMoments>(3), std::vector<BlockMoments>(3)});
  ASSERT_TRUE(odd.ok());
  EXPECT_FALSE(odd->valid);
  auto mismatch = pbo_cscv(std::vector<std::vector<double>>{{0.1, 0.2}, {0.1}}, 2);
  EXPECT_FALSE(mismatch.ok());
}

}  // namespace
}  // namespace tradeloop::optimize
