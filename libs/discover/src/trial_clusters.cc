#include "tradeloop/discover/trial_clusters.h"

#include <algorithm>
#include <cmath>

namespace tradeloop::discover {

std::vector<double> TrialClusters::signature(std::span<const double> returns) {
  const std::size_t n = returns.size();
  const std::size_t d = std::min(n, kSignatureBlocks);
  std::vector<double> sig(d, 0.0);
  for (std::size_t b = 0; b < d; ++b) {
    const std::size_t lo = b * n / d, hi = (b + 1) * n / d;
    double sum = 0;
    for (std::size_t i = lo; i < hi; ++i) sum += std::isfinite(returns[i]) ? returns[i] : 0.0;
    sig[b] = sum / static_cast<double>(hi - lo);  // means: blocks differ by a bar in length
  }
  if (d == 0) return sig;
  double mean = 0, scale = 0;
  for (double v : sig) {
    mean += v;
    scale = std::max(scale, std::abs(v));
  }
  mean /= static_cast<double>(d);
  double norm = 0;
  for (double& v : sig) {
    v -= mean;
    norm += v * v;
  }
  norm = std::sqrt(norm);
  // Rounding noise of equal block means is no variation.
  if (!(norm > 1e-12 * scale * std::sqrt(static_cast<double>(d)))) {
    std::fill(sig.begin(), sig.end(), 0.0);
    return sig;
  }
  for (double& v : sig) v /= norm;
  return sig;
}

void TrialClusters::push(std::int64_t id, const std::vector<double>& signature, std::size_t members,
                         double sharpe_sum) {
  if (clusters_.empty()) dims_ = signature.size();
  // A signature of another length (never for one target's trials) correlates with nothing.
  std::vector<double> padded(dims_, 0.0);
  if (signature.size() == dims_) padded = signature;
  signatures_.insert(signatures_.end(), padded.begin(), padded.end());
  by_leader_.emplace(id, clusters_.size());
  clusters_.push_back({id, members, sharpe_sum});
}

TrialClusters::Assignment TrialClusters::add(std::int64_t id, std::vector<double> signature, double sharpe) {
  ++trials_;
  std::size_t best = clusters_.size();
  double best_corr = -2;
  if (signature.size() == dims_) {
    const double* leader = signatures_.data();
    for (std::size_t k = 0; k < clusters_.size(); ++k, leader += dims_) {
      double dot = 0;
      for (std::size_t i = 0; i < dims_; ++i) dot += leader[i] * signature[i];
      if (dot > best_corr) {
        best_corr = dot;
        best = k;
      }
    }
  }
  if (best < clusters_.size() && best_corr >= join_) {
    clusters_[best].members += 1;
    clusters_[best].sharpe_sum += sharpe;
    return {clusters_[best].leader, false, best_corr};
  }
  push(id, signature, 1, sharpe);
  return {id, true, 1.0};
}

void TrialClusters::add_leader(std::int64_t id, std::vector<double> signature) {
  push(id, signature, 0, 0.0);
}

bool TrialClusters::add_member(std::int64_t cluster, double sharpe) {
  auto it = by_leader_.find(cluster);
  if (it == by_leader_.end()) return false;
  Cluster& c = clusters_[it->second];
  c.members += 1;
  c.sharpe_sum += sharpe;
  ++trials_;
  return true;
}

double TrialClusters::sharpe_variance() const {
  double mean = 0;
  std::size_t n = 0;
  for (const auto& c : clusters_) {
    if (c.members == 0) continue;
    mean += c.sharpe_sum / static_cast<double>(c.members);
    ++n;
  }
  if (n < 2) return 0;
  mean /= static_cast<double>(n);
  double ss = 0;
  for (const auto& c : clusters_) {
    if (c.members == 0) continue;
    const double d = c.sharpe_sum / static_cast<double>(c.members) - mean;
    ss += d * d;
  }
  return ss / static_cast<double>(n - 1);
}

}  // namespace tradeloop::discover
