#include "tradeloop/discover/trial_clusters.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace tradeloop::discover {
namespace {

std::vector<double> noise(std::mt19937_64& rng, std::size_t n, double sd) {
  std::normal_distribution<double> z(0, sd);
  std::vector<double> out(n);
  for (auto& v : out) v = z(rng);
  return out;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(TrialClusters, SignatureIsTheUnitCentredBlockMeans) {
  std::mt19937_64 rng(1);
  const auto r = noise(rng, 1000, 0.01);
  const auto sig = TrialClusters::signature(r);
  ASSERT_EQ(sig.size(), TrialClusters::kSignatureBlocks);
  // Brute force: block b holds bars [b*n/d, (b+1)*n/d).
  std::vector<double> sums(sig.size(), 0.0), counts(sig.size(), 0.0);
  for (std::size_t i = 0; i < r.size(); ++i) {
    std::size_t b = 0;
    while ((b + 1) * r.size() / sig.size() <= i) ++b;
    sums[b] += r[i];
    counts[b] += 1;
  }
  for (std::size_t b = 0; b < sums.size(); ++b) sums[b] /= counts[b];
  double mean = 0;
  for (double v : sums) mean += v / static_cast<double>(sums.size());
  double norm = 0;
  for (double v : sums) norm += (v - mean) * (v - mean);
  norm = std::sqrt(norm);
  for (std::size_t b = 0; b < sig.size(); ++b) EXPECT_NEAR(sig[b], (sums[b] - mean) / norm, 1e-12);
  EXPECT_NEAR(dot(sig, sig), 1.0, 1e-12);
  // Scale does not matter (a strategy at twice the leverage is the same test).
  auto doubled = r;
  for (auto& v : doubled) v *= 2;
  EXPECT_NEAR(dot(TrialClusters::signature(doubled), sig), 1.0, 1e-12);
  // Short series keep one block per bar; a flat series has an all-zero signature.
  EXPECT_EQ(TrialClusters::signature(std::vector<double>(10, 0.5)).size(), 10u);
  for (double v : TrialClusters::signature(std::vector<double>(500, 0.001))) EXPECT_EQ(v, 0.0);
}

TEST(TrialClusters, NearCopiesOfAFewStrategiesCountAsThatFewTrials) {
  std::mt19937_64 rng(7);
  const std::size_t families = 5, copies = 40, bars = 2000;
  std::vector<std::vector<double>> base;
  for (std::size_t f = 0; f < families; ++f) base.push_back(noise(rng, bars, 0.01));
  TrialClusters clusters(0.7);
  std::int64_t id = 1;
  for (std::size_t c = 0; c < copies; ++c) {
    for (std::size_t f = 0; f < families; ++f) {
      auto r = base[f];
      const auto jitter = noise(rng, bars, 0.003);  // correlation ~0.96 with the family's base
      for (std::size_t i = 0; i < bars; ++i) r[i] += jitter[i];
      const auto a = clusters.add(id, TrialClusters::signature(r), 0.01 * static_cast<double>(f));
      if (c == 0) {
        EXPECT_TRUE(a.founded);
      } else {
        EXPECT_FALSE(a.founded);
        EXPECT_EQ(a.cluster, static_cast<std::int64_t>(f) + 1);  // joins its own family's founder
        EXPECT_GT(a.correlation, 0.7);
      }
      ++id;
    }
  }
  EXPECT_EQ(clusters.trials(), families * copies);
  EXPECT_EQ(clusters.clusters(), families);
  // Cluster Sharpe ratios are 0, 0.01, ..., 0.04: sample variance 0.00025.
  EXPECT_NEAR(clusters.sharpe_variance(), 0.00025, 1e-15);
}

TEST(TrialClusters, IndependentStrategiesAreEachATrial) {
  std::mt19937_64 rng(11);
  TrialClusters clusters(0.7);
  for (std::int64_t id = 1; id <= 300; ++id) {
    EXPECT_TRUE(clusters.add(id, TrialClusters::signature(noise(rng, 1500, 0.01)), 0.0).founded);
  }
  EXPECT_EQ(clusters.clusters(), 300u);
  // join_correlation 0 joins whatever correlates positively with a leader: far fewer clusters.
  TrialClusters loose(0.0);
  for (std::int64_t id = 1; id <= 300; ++id)
    loose.add(id, TrialClusters::signature(noise(rng, 1500, 0.01)), 0.0);
  EXPECT_LT(loose.clusters(), 20u);
}

TEST(TrialClusters, ReplayingLeadersThenMembersRestoresTheStateBitForBit) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-0.05, 0.1);
  TrialClusters live(0.5);
  std::vector<std::pair<std::int64_t, std::vector<double>>> leaders;
  std::vector<std::pair<std::int64_t, double>> members;  // cluster, sharpe in trial order
  std::vector<std::vector<double>> families;
  for (int f = 0; f < 8; ++f) families.push_back(noise(rng, 800, 0.01));
  for (std::int64_t id = 1; id <= 400; ++id) {
    auto r = families[static_cast<std::size_t>(id * 7 % 8)];
    const auto jitter = noise(rng, 800, 0.01 * static_cast<double>(id % 3));
    for (std::size_t i = 0; i < r.size(); ++i) r[i] += jitter[i];
    auto sig = TrialClusters::signature(r);
    const double sharpe = u(rng);
    const auto a = live.add(id, sig, sharpe);
    if (a.founded) leaders.emplace_back(id, sig);
    members.emplace_back(a.cluster, sharpe);
  }
  TrialClusters replay(0.5);
  for (auto& [id, sig] : leaders) replay.add_leader(id, sig);
  for (const auto& [cluster, sharpe] : members) ASSERT_TRUE(replay.add_member(cluster, sharpe));
  EXPECT_FALSE(replay.add_member(100000, 0.1));
  EXPECT_EQ(replay.clusters(), live.clusters());
  EXPECT_EQ(replay.trials(), live.trials());
  EXPECT_EQ(replay.sharpe_variance(), live.sharpe_variance());  // same sums in the same order
  // And the next trial lands in the same cluster in both.
  auto next = TrialClusters::signature(families[3]);
  EXPECT_EQ(replay.add(401, next, 0.02).cluster, live.add(401, next, 0.02).cluster);
  EXPECT_EQ(replay.sharpe_variance(), live.sharpe_variance());
}

}  // namespace
}  // namespace tradeloop::discover
