// Bayesian optimization: a Gaussian-process surrogate of the objective's utility with expected
// improvement as the acquisition function. See search_method.h for the outline.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include <fmt/format.h>
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <nlopt.hpp>

#include "tradeloop/optimize/overfitting.h"
#include "tradeloop/optimize/search_method.h"
#include "variation.h"

namespace tradeloop::optimize::internal {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kSqrt5 = 2.23606797749978969641;
constexpr std::size_t kMaxModelPoints = 400;
constexpr double kNugget = 1e-6;
constexpr double kXi = 0.01;  // exploration margin of expected improvement, in standard deviations of y

double matern52(double r, double length) {
  const double s = kSqrt5 * r / length;
  return (1 + s + s * s / 3) * std::exp(-s);
}

class GaussianProcess {
 public:
  // Fits on rows of x (unit-cube encodings) and standardized y; picks the length scale with the
  // largest log marginal likelihood from a fixed list (deterministic, no random restarts).
  bool fit(const MatrixXd& x, const VectorXd& y) {
    static constexpr double kLengths[] = {0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.5};
    double best_lml = -std::numeric_limits<double>::infinity();
    double best_length = 0;
    for (const double length : kLengths) {
      if (!factor(x, y, length)) continue;
      const double lml = -0.5 * y.dot(alpha_) - llt_.matrixLLT().diagonal().array().log().sum();
      if (lml > best_lml) {
        best_lml = lml;
        best_length = length;
      }
    }
    if (best_length == 0) return false;
    return factor(x, y, best_length);
  }

  bool factor(const MatrixXd& x, const VectorXd& y, double length) {
    const Eigen::Index n = x.rows();
    MatrixXd k(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      k(i, i) = 1 + kNugget;
      for (Eigen::Index j = 0; j < i; ++j) {
        k(i, j) = k(j, i) = matern52((x.row(i) - x.row(j)).norm(), length);
      }
    }
    llt_.compute(k);
    if (llt_.info() != Eigen::Success) return false;
    x_ = x;
    y_ = y;
    length_ = length;
    alpha_ = llt_.solve(y);
    return true;
  }

  // Mean and standard deviation at one encoded point.
  void predict(const double* point, double& mean, double& sd) const {
    const Eigen::Index n = x_.rows();
    const Eigen::Map<const Eigen::RowVectorXd> p(point, x_.cols());
    VectorXd ks(n);
    for (Eigen::Index i = 0; i < n; ++i) ks(i) = matern52((x_.row(i) - p).norm(), length_);
    mean = ks.dot(alpha_);
    const VectorXd v = llt_.matrixL().solve(ks);
    sd = std::sqrt(std::max(1e-12, 1.0 - v.squaredNorm()));
  }

  const MatrixXd& x() const { return x_; }
  const VectorXd& y() const { return y_; }
  double length() const { return length_; }

 private:
  MatrixXd x_;
  VectorXd y_;
  VectorXd alpha_;
  Eigen::LLT<MatrixXd> llt_;
  double length_ = 0.5;
};

double expected_improvement(double mean, double sd, double best) {
  const double d = mean - best - kXi;
  const double z = d / sd;
  return d * normal_cdf(z) + sd * std::exp(-0.5 * z * z) / 2.50662827463100050242;
}

class BayesSearch final : public SearchMethod {
 public:
  BayesSearch(const ParamSpace& space, const SearchConfig& config) : space_(space), config_(config) {
    dims_ = space.encoded_size();
    initial_ = config.initial > 0 ? config.initial : std::max<std::size_t>(5, 2 * space.size() + 1);
    batch_ = std::max<std::size_t>(1, config.batch);
    const auto grid = space.grid_size();
    finite_size_ = grid.ok() ? *grid : 0;
  }

  Result<std::vector<ParamPoint>> next(const SearchHistory& history) override {
    if (finite_size_ > 0 && history.size() >= finite_size_) return std::vector<ParamPoint>{};
    Rng rng(config_.seed, 3000 + history.size());
    if (!started_) {
      started_ = true;
      return sample_distinct(space_, history, initial_, rng);
    }
    // Observations: utilities of accepted trials; rejected ones get the worst accepted utility so
    // the model learns to avoid them.
    std::vector<std::size_t> rows;
    double worst = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < history.size(); ++i) {
      const double u = history.trials()[i].utility();
      if (std::isfinite(u)) worst = std::min(worst, u);
    }
    if (!std::isfinite(worst)) return sample_distinct(space_, history, batch_, rng);
    rows.resize(history.size());
    std::iota(rows.begin(), rows.end(), 0);
    const auto utility_of = [&](std::size_t i) {
      const double u = history.trials()[i].utility();
      return std::isfinite(u) ? u : worst;
    };
    if (rows.size() > kMaxModelPoints) {
      // Keep the best half and the most recent half of the model's budget (deterministic).
      std::vector<std::size_t> by_value = rows;
      std::stable_sort(by_value.begin(), by_value.end(),
                       [&](std::size_t a, std::size_t b) { return utility_of(a) > utility_of(b); });
      std::vector<std::uint8_t> keep(rows.size(), 0);
      for (std::size_t k = 0; k < kMaxModelPoints / 2; ++k) keep[by_value[k]] = 1;
      std::size_t recent = 0;
      for (std::size_t i = rows.size(); i-- > 0 && recent < kMaxModelPoints / 2;) {
        if (!keep[i]) {
          keep[i] = 1;
          ++recent;
        }
      }
      rows.clear();
      for (std::size_t i = 0; i < keep.size(); ++i) {
        if (keep[i]) rows.push_back(i);
      }
    }
    const auto n = static_cast<Eigen::Index>(rows.size());
    MatrixXd x(n, static_cast<Eigen::Index>(dims_));
    VectorXd y(n);
    for (Eigen::Index r = 0; r < n; ++r) {
      y(r) = utility_of(rows[static_cast<std::size_t>(r)]);
      // Through a buffer: a row of a column-major matrix is strided.
      std::vector<double> buf(dims_);
      space_.encode(history.trials()[rows[static_cast<std::size_t>(r)]].params, buf.data());
      for (std::size_t c = 0; c < dims_; ++c) x(r, static_cast<Eigen::Index>(c)) = buf[c];
    }
    const double mean_y = y.mean();
    double sd_y =
        std::sqrt((y.array() - mean_y).square().sum() / std::max<double>(1, static_cast<double>(n)));
    if (!(sd_y > 0)) sd_y = 1;
    VectorXd ys = (y.array() - mean_y) / sd_y;

    GaussianProcess gp;
    if (!gp.fit(x, ys)) return sample_distinct(space_, history, batch_, rng);

    std::vector<ParamPoint> chosen;
    std::unordered_set<std::string> chosen_keys;
    for (std::size_t q = 0; q < batch_; ++q) {
      const double best = gp.y().maxCoeff();
      ParamPoint pick;
      if (!propose(gp, best, history, chosen_keys, rng, pick)) break;
      chosen_keys.insert(space_.key(pick));
      // Kriging believer: pretend the pick scored the model's mean, so the next pick goes elsewhere.
      std::vector<double> enc(dims_);
      space_.encode(pick, enc.data());
      double mean = 0, sd = 0;
      gp.predict(enc.data(), mean, sd);
      MatrixXd x2(gp.x().rows() + 1, gp.x().cols());
      x2 << gp.x(), Eigen::Map<const Eigen::RowVectorXd>(enc.data(), static_cast<Eigen::Index>(dims_));
      VectorXd y2(gp.y().size() + 1);
      y2 << gp.y(), mean;
      chosen.push_back(std::move(pick));
      if (!gp.factor(x2, y2, gp.length())) break;
    }
    return chosen;
  }

 private:
  bool propose(const GaussianProcess& gp, double best, const SearchHistory& history,
               const std::unordered_set<std::string>& chosen, Rng& rng, ParamPoint& out) const {
    // Candidates: uniform samples plus mutations of the best observed points.
    std::vector<ParamPoint> candidates;
    const std::size_t uniform = std::min<std::size_t>(4096, 1024 + 64 * dims_);
    for (std::size_t i = 0; i < uniform; ++i) candidates.push_back(space_.sample(rng));
    std::vector<Eigen::Index> order(static_cast<std::size_t>(gp.y().size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return gp.y()(a) > gp.y()(b); });
    for (std::size_t k = 0; k < std::min<std::size_t>(5, order.size()); ++k) {
      const ParamPoint base = space_.decode(gp.x().row(order[k]).eval().data());
      for (std::size_t j = 0; j < 64; ++j) {
        ParamPoint p = base;
        mutate(space_, p, std::max(0.5, 1.0 / static_cast<double>(space_.size())), rng);
        candidates.push_back(space_.snap(p));
      }
    }
    double best_ei = -1;
    std::size_t best_index = candidates.size();
    std::vector<double> enc(dims_);
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      std::string key = space_.key(candidates[i]);
      if (history.contains(key) || chosen.count(key) || !seen.insert(std::move(key)).second) continue;
      space_.encode(candidates[i], enc.data());
      double mean = 0, sd = 0;
      gp.predict(enc.data(), mean, sd);
      const double ei = expected_improvement(mean, sd, best);
      if (ei > best_ei) {
        best_ei = ei;
        best_index = i;
      }
    }
    if (best_index == candidates.size()) return false;
    out = candidates[best_index];

    // Local refinement of the acquisition on the continuous relaxation (NLopt BOBYQA), then snap.
    if (dims_ >= 1) {
      std::vector<double> x0(dims_);
      space_.encode(out, x0.data());
      struct Context {
        const GaussianProcess* gp;
        double best;
      } ctx{&gp, best};
      try {
        nlopt::opt opt(dims_ >= 2 ? nlopt::LN_BOBYQA : nlopt::LN_COBYLA, static_cast<unsigned>(dims_));
        opt.set_lower_bounds(std::vector<double>(dims_, 0.0));
        opt.set_upper_bounds(std::vector<double>(dims_, 1.0));
        opt.set_max_objective(
            [](const std::vector<double>& xv, std::vector<double>& /*grad*/, void* data) {
              const auto* c = static_cast<const Context*>(data);
              double mean = 0, sd = 0;
              c->gp->predict(xv.data(), mean, sd);
              return expected_improvement(mean, sd, c->best);
            },
            &ctx);
        opt.set_maxeval(150);
        opt.set_xtol_rel(1e-4);
        double value = 0;
        opt.optimize(x0, value);
        ParamPoint refined = space_.decode(x0.data());
        const std::string key = space_.key(refined);
        if (!history.contains(key) && !chosen.count(key)) {
          space_.encode(refined, enc.data());
          double mean = 0, sd = 0;
          gp.predict(enc.data(), mean, sd);
          if (expected_improvement(mean, sd, best) > best_ei) out = std::move(refined);
        }
      } catch (const std::exception&) {
        // NLopt gave up (roundoff, bad step): keep the best sampled candidate.
      }
    }
    return true;
  }

  const ParamSpace& space_;
  SearchConfig config_;
  std::size_t dims_ = 0;
  std::size_t initial_ = 5;
  std::size_t batch_ = 4;
  std::uint64_t finite_size_ = 0;
  bool started_ = false;
};

}  // namespace

Result<std::unique_ptr<SearchMethod>> make_bayes_search(const SearchConfig& config, const ParamSpace& space,
                                                        const Objective& /*objective*/) {
  return std::unique_ptr<SearchMethod>(new BayesSearch(space, config));
}

}  // namespace tradeloop::optimize::internal
