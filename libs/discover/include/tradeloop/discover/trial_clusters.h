// TrialClusters: the number of effectively independent trials behind the deflated Sharpe ratio.
//
// The discovery loop tests thousands of candidates per data target, most of them small mutations
// of each other whose returns move together; counting each as an independent trial makes the
// deflated Sharpe ratio's benchmark (the best Sharpe ratio expected from N unskilled trials)
// unreachable. Following López de Prado's prescription (Bailey and López de Prado 2014, "The
// Deflated Sharpe Ratio"; López de Prado and Lewis 2019, "Detection of false investment strategies
// using unsupervised learning methods", Quantitative Finance 19(9)), trials are clustered by the
// correlation of their returns; the number of clusters K is the number of independent trials and
// the variance of the clusters' Sharpe ratios is the trial variance V.
//
// Those papers cluster all trials at once (ONC, O(N^2) and not sequential). Gates here decide in
// candidate order and must be replayable on resume, so clustering is sequential leader clustering:
// a trial joins the earliest-founded cluster with the highest correlation to that cluster's
// founding trial (its leader) if that correlation reaches `join_correlation`, else founds a new
// cluster. Correlations are measured on a fixed-size signature of the in-sample returns (means over
// at most kSignatureBlocks equal blocks of bars, centred and scaled to unit length), so that a
// trial costs O(K * kSignatureBlocks) however long the data.
//
// A cluster's Sharpe ratio is the mean per-bar Sharpe ratio of its members (they correlate >=
// join_correlation with its leader, so they are nearly the same strategy).
//
// Plain value type; not thread-safe (the loop gates on one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace tradeloop::discover {

class TrialClusters {
 public:
  static constexpr std::size_t kSignatureBlocks = 128;

  explicit TrialClusters(double join_correlation) : join_(join_correlation) {}

  // The signature of n returns: with d = min(n, kSignatureBlocks), the means over the blocks
  // [b*n/d, (b+1)*n/d) of bars, minus their mean, divided by their norm. All zeros when the block
  // means do not vary.
  static std::vector<double> signature(std::span<const double> returns);

  struct Assignment {
    std::int64_t cluster = 0;  // the leader's id
    bool founded = false;      // this trial founded the cluster (it is the leader)
    double correlation = 1;    // with the leader (1 for a founder)
  };

  // Adds one trial (id, its signature and per-bar Sharpe ratio) and returns its cluster.
  Assignment add(std::int64_t id, std::vector<double> signature, double sharpe);

  // Replay on resume: first every leader (in founding order), then every member in trial order.
  void add_leader(std::int64_t id, std::vector<double> signature);
  // False when `cluster` is not a known leader.
  bool add_member(std::int64_t cluster, double sharpe);

  std::size_t clusters() const { return clusters_.size(); }
  std::size_t trials() const { return trials_; }
  // Sample variance of the clusters' Sharpe ratios (clusters with members); 0 with fewer than 2.
  double sharpe_variance() const;
  double join_correlation() const { return join_; }

 private:
  struct Cluster {
    std::int64_t leader = 0;
    std::size_t members = 0;
    double sharpe_sum = 0;
  };
  void push(std::int64_t id, const std::vector<double>& signature, std::size_t members, double sharpe_sum);
  // Leaders' signatures end to end (one contiguous scan per trial); all of one length, `dims_`.
  std::vector<double> signatures_;
  std::size_t dims_ = 0;
  double join_;
  std::vector<Cluster> clusters_;
  std::unordered_map<std::int64_t, std::size_t> by_leader_;  // leader id -> position in clusters_
  std::size_t trials_ = 0;
};

}  // namespace tradeloop::discover
